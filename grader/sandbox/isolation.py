"""Namespaces for the fork server and for each student: own PID, mount, network, IPC and user namespaces.

The fork server enters new mount and network namespaces once (plus a user namespace when it is not
root) and builds the read-only view (`grader.sandbox.view`). Per student:

    keeper (in the fork server's PID namespace; the grader tracks and kills its process group)
      -> init: `sleep`, PID 1 of a new PID namespace (spawned without copying the fork server)
      -> student: PID 2; mounts a fresh /proc and a private /tmp, then drops every privilege

When the student ends, the keeper kills init, so the kernel kills whatever is left in the PID
namespace, and then ends the way the student did (same exit code or signal).
"""
from __future__ import annotations

import os
import resource
import signal
import traceback
from collections.abc import Callable
from typing import NoReturn

from grader.sandbox import linux, view

ISOLATION_FAILED = 71  # exit code when the sandbox itself could not isolate a student
STUDENT_UID_BASE = 1_900_000_000  # a root grader runs each student as this + the keeper's pid (see student_id)
SCRATCH_MB = 64
SHM_MB = 16
STUDENT_NAMESPACES = (linux.CLONE_NEWPID | linux.CLONE_NEWNS | linux.CLONE_NEWNET
                      | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS)
SLEEP = ("/usr/bin/sleep", "/bin/sleep")
RESET_SIGNALS = (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT)


class IsolationError(Exception):
    """Namespaces are unavailable or failed to set up; the message says which step and why."""


def enter_server_namespaces() -> bool:
    """In the fork server, before any thread starts: new mount and network namespaces, and a user
    namespace when not root (mapping our own uid and gid). Returns whether we are real root."""
    root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    flags = linux.CLONE_NEWNS | linux.CLONE_NEWNET | (0 if root else linux.CLONE_NEWUSER)
    try:
        linux.unshare(flags)
        if not root:
            linux.map_own_ids(uid, gid)
    except OSError as exc:
        raise IsolationError(f"the kernel refused new namespaces ({exc.strerror}); unprivileged user "
                             "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone, "
                             "user.max_user_namespaces, AppArmor) or blocked by a container's "
                             "seccomp profile") from None
    return root


def _reset_signals() -> None:
    signal.set_wakeup_fd(-1)
    for sig in RESET_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)


def _close_all_but(*keep: int) -> None:
    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    start = 0
    for fd in sorted(keep):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, top if top != resource.RLIM_INFINITY else 65536)


def _fail(report_fd: int) -> NoReturn:
    try:
        os.write(report_fd, ("[sandbox: could not isolate the student process; this is a grader "
                             "problem]\n" + traceback.format_exc()).encode("utf-8", "replace"))
    finally:
        os._exit(ISOLATION_FAILED)


def _end_like(status: int) -> NoReturn:
    """End this process the way the student ended: same exit code, or same signal."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {number})
        os.kill(os.getpid(), number)
        os._exit(128 + number)  # a signal whose default action does not terminate
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _start_init(lifetime: int) -> int:
    """PID 1 of the new namespace: `sleep`, spawned cheaply; a forked idle process if there is none.
    Its lifetime bounds the namespace's even if the keeper is killed without a chance to clean up."""
    for fd in os.listdir("/proc/self/fd"):  # init must hold none (the channel's EOF tells of a death)
        try:
            os.set_inheritable(int(fd), False)
        except OSError:
            pass
    for path in SLEEP:
        try:
            return os.posix_spawn(path, ["sleep", str(lifetime)], {})
        except OSError:
            continue
    pid = os.fork()
    if pid == 0:
        try:
            _close_all_but()
            signal.alarm(lifetime)
            while True:
                signal.pause()
        finally:
            os._exit(0)
    return pid


def _mapped(path: str) -> list[tuple[int, int]]:
    """The id ranges (first, count) that exist in this user namespace, from /proc/self/uid_map or gid_map."""
    with open(path, encoding="ascii") as ids:
        return [(int(inner), int(count)) for inner, _outer, count in (line.split() for line in ids)]


def student_id(preferred: int) -> int:
    """An unprivileged id that exists as both uid and gid here: `preferred` when it does (the init
    namespace maps every id), else the highest mapped one (a container may map only a range)."""
    ranges = [_mapped("/proc/self/uid_map"), _mapped("/proc/self/gid_map")]
    if all(any(first <= preferred < first + count for first, count in r) for r in ranges):
        return preferred
    tops = [max((first + count - 1 for first, count in r), default=0) for r in ranges]
    top = min(min(tops), 2**31 - 2)
    if top <= 0 or not all(any(first <= top < first + count for first, count in r) for r in ranges):
        raise IsolationError("no unprivileged uid and gid are mapped in this user namespace "
                             "(only root is); students cannot run as another user")
    return top


def _drop_privileges(root: bool, uid: int) -> None:
    """The student: a non-root uid, its own user namespace (bounding its processes and barring
    nested user namespaces), no capabilities, no way to gain any."""
    if root:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        linux.prctl(linux.PR_SET_DUMPABLE, 1)  # changing uid made /proc/self root's; we write there next
    euid, egid = os.geteuid(), os.getegid()
    linux.unshare(linux.CLONE_NEWUSER)
    linux.map_own_ids(euid, egid)
    try:
        linux.write_file("/proc/sys/user/max_user_namespaces", "0")
    except OSError:
        pass  # best effort: some kernels do not let a namespace lower its own limits
    linux.drop_capabilities()


def _become_contained(root: bool, uid: int) -> None:
    """In the student (PID 2): its own /proc, /tmp and /dev/shm, then no privileges."""
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    owner = f",uid={uid},gid={uid}" if root else ""
    linux.mount("tmpfs", view.SCRATCH, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV,
                f"size={SCRATCH_MB}m,mode=0700{owner}")
    linux.mount("tmpfs", "/dev/shm", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC,
                f"size={SHM_MB}m,mode=1777")  # POSIX semaphores (multiprocessing) live here
    _drop_privileges(root, uid)


def contain(student: Callable[[], NoReturn], report_fd: int, root: bool, lifetime: int) -> NoReturn:
    """In a freshly forked child of the fork server: become the keeper of an isolated student,
    whose namespace lasts at most `lifetime` seconds."""
    try:
        _reset_signals()
        os.setsid()
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        uid = student_id(STUDENT_UID_BASE + os.getpid()) if root else os.getuid()
        linux.unshare(STUDENT_NAMESPACES)
        init = _start_init(lifetime)
        pid = os.fork()
    except BaseException:  # noqa: BLE001 - reported on the student's stderr
        _fail(report_fd)
    if pid == 0:
        try:
            _become_contained(root, uid)
        except BaseException:  # noqa: BLE001
            _fail(report_fd)
        student()
    try:
        _close_all_but()
        _, status = os.waitpid(pid, 0)
        os.kill(init, signal.SIGKILL)  # the kernel now kills whatever the student left behind
        os.waitpid(init, 0)
    except BaseException:  # noqa: BLE001
        os._exit(ISOLATION_FAILED)
    _end_like(status)


def self_test(root: bool, lifetime: int = 10) -> None:
    """Run one empty student through `contain` and check what it sees; IsolationError saying why not."""
    seen_r, seen_w = os.pipe()
    report_r, report_w = os.pipe()

    def probe() -> NoReturn:
        ok = (os.getpid() == 2 and os.getuid() != 0 and not os.path.exists("/proc/3")
              and os.access(view.SCRATCH, os.W_OK))
        os.write(seen_w, b"ok" if ok else b"wrong")
        os._exit(0)

    pid = os.fork()
    if pid == 0:
        os.close(seen_r)
        os.close(report_r)
        contain(probe, report_w, root, lifetime)
    os.close(seen_w)
    os.close(report_w)
    try:
        _, status = os.waitpid(pid, 0)
        seen = os.read(seen_r, 16)
        report = os.read(report_r, 1 << 16).decode("utf-8", "replace")
    finally:
        os.close(seen_r)
        os.close(report_r)
    if status != 0 or seen != b"ok":
        lines = [line.strip() for line in report.splitlines() if line.strip()]
        why = lines[-1] if lines else f"it did not see what it should ({seen!r}, exit status {status})"
        raise IsolationError(f"a test student could not be isolated: {why}")
