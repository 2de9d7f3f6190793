"""Namespaces for the fork server and for each student: own PID, mount, network, IPC and user namespaces.

    grader
      └─ waiter: the fork server's launcher; enters new mount, network and PID namespaces (and a
         │       user namespace when not root), forks the server, and ends when it ends
         └─ fork server: PID 1 of its own PID namespace (if it dies, every student dies with it);
            │            builds the read-only view (`grader.sandbox.view`); per student:
            ├─ init:    `sleep`, PID 1 of the student's new PID namespace (spawned, not forked)
            └─ student: PID 2 there; its own mount, network, IPC and UTS namespaces, /proc, /tmp
                        and /dev/shm; then an unprivileged uid in a user namespace of its own

When the fork server reaps a student it kills that student's init, so the kernel kills whatever
the student left behind in its namespace.
"""
from __future__ import annotations

import os
import resource
import signal
import traceback
from collections.abc import Callable
from typing import NoReturn

from grader.sandbox import defences, linux, view

ISOLATION_FAILED = 71  # exit code when the sandbox itself could not isolate a student
STUDENT_UID_BASE = 1_900_000_000  # a root grader runs each student as this + its init's pid (see student_id)
SCRATCH_MB = 64
SHM_MB = 16
STUDENT_NAMESPACES = linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS
SLEEP = ("/usr/bin/sleep", "/bin/sleep")

IdRanges = tuple[list[tuple[int, int]], list[tuple[int, int]]]


class IsolationError(Exception):
    """Namespaces are unavailable or failed to set up; the message says which step and why."""


def enter_server_namespaces() -> bool:
    """In the fork server's launcher, before any thread starts: new mount, network and PID
    namespaces, and a user namespace when not root (mapping our own uid and gid). Returns whether
    we are real root."""
    root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    flags = (linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWPID
             | (0 if root else linux.CLONE_NEWUSER))
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


def split_server() -> None:
    """Fork the fork server as PID 1 of the new PID namespace; this process (the grader's child)
    waits for it and ends the same way. Returns only in the fork server."""
    pid = os.fork()
    if pid == 0:
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)  # killing the launcher kills the server
        return
    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    os.closerange(3, top if top != resource.RLIM_INFINITY else 65536)  # the control socket is the server's
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def id_ranges() -> IdRanges:
    """The uid and gid ranges (first, count) that exist in this user namespace."""
    def mapped(path: str) -> list[tuple[int, int]]:
        with open(path, encoding="ascii") as ids:
            return [(int(inner), int(count)) for inner, _outer, count in (line.split() for line in ids)]

    return mapped("/proc/self/uid_map"), mapped("/proc/self/gid_map")


def student_id(preferred: int, ranges: IdRanges) -> int:
    """An unprivileged id that exists as both uid and gid here: `preferred` when it does (the init
    namespace maps every id), else the highest mapped one (a container may map only a range)."""
    if all(any(first <= preferred < first + count for first, count in r) for r in ranges):
        return preferred
    top = min(min(max((first + count - 1 for first, count in r), default=0) for r in ranges), 2**31 - 2)
    if top <= 0 or not all(any(first <= top < first + count for first, count in r) for r in ranges):
        raise IsolationError("no unprivileged uid and gid are mapped in this user namespace "
                             "(only root is); students cannot run as another user")
    return top


def _fail(report_fd: int) -> NoReturn:
    try:
        os.write(report_fd, ("[sandbox: could not isolate the student process; this is a grader "
                             "problem]\n" + traceback.format_exc()).encode("utf-8", "replace"))
    finally:
        os._exit(ISOLATION_FAILED)


def _start_init(lifetime: int) -> int:
    """PID 1 of the new namespace: `sleep`, spawned without copying the fork server. Its lifetime
    bounds the namespace's, should the fork server never get to kill it."""
    for path in SLEEP:
        try:
            return os.posix_spawn(path, ["sleep", str(lifetime)], {})
        except OSError:
            continue
    pid = os.fork()  # no sleep binary: an idle copy of ourselves
    if pid == 0:
        try:
            os.closerange(0, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
            signal.alarm(lifetime)
            while True:
                signal.pause()
        finally:
            os._exit(0)
    return pid


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


def _become_contained(root: bool, uid: int, shown: view.View | None) -> None:
    """In the student (PID 2 of its namespace): its own namespaces, /proc, /tmp (with what of the
    Python lives there made again, read-only) and /dev/shm, then no privileges."""
    signal.set_wakeup_fd(-1)
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    linux.unshare(STUDENT_NAMESPACES)
    linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    defences.hide_key_lists()
    owner = f",uid={uid},gid={uid}" if root else ""
    view.mount_scratch(f"size={SCRATCH_MB}m,mode=0700{owner}", shown)
    linux.mount("tmpfs", "/dev/shm", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC,
                f"size={SHM_MB}m,mode=1777")  # POSIX semaphores (multiprocessing) live here
    _drop_privileges(root, uid)


def spawn_contained(student: Callable[[], NoReturn], report_fd: int, root: bool, ids: IdRanges,
                    lifetime: int, home_pidns: int, shown: view.View | None = None,
                    before: Callable[[], None] = lambda: None) -> tuple[int, int]:
    """In the fork server: a new PID namespace with `sleep` as its init and `student` as PID 2.
    Returns (student pid, init pid); the caller must kill init when the student ends.
    `home_pidns` is a descriptor of the fork server's own PID namespace, restored for its children;
    `shown` the view the fork server built (what of it lies under /tmp is made again per student);
    `before` runs first in the student, still privileged (it joins its cgroup: `grader.sandbox.defences`)."""
    for fd in os.listdir("/proc/self/fd"):  # init must hold none (the channel's EOF tells of a death)
        try:
            os.set_inheritable(int(fd), False)
        except OSError:
            pass
    linux.unshare(linux.CLONE_NEWPID)
    init = 0
    try:
        init = _start_init(lifetime)
        uid = student_id(STUDENT_UID_BASE + init, ids) if root else os.getuid()
        pid = os.fork()
        if pid == 0:
            try:
                before()
                _become_contained(root, uid, shown)
            except BaseException:  # noqa: BLE001 - reported on the student's stderr
                _fail(report_fd)
            student()
    except BaseException:
        if init:
            os.kill(init, signal.SIGKILL)
            os.waitpid(init, 0)
        raise
    finally:
        linux.setns(home_pidns, linux.CLONE_NEWPID)
    return pid, init


def self_test(root: bool, home_pidns: int, shown: view.View | None = None, lifetime: int = 10) -> None:
    """Run one empty student through `spawn_contained` and check what it sees (the Python folders
    under /tmp, read-only, among it); IsolationError saying why not."""
    rebound, links = shown.in_scratch() if shown is not None else ((), ())
    seen_r, seen_w = os.pipe()
    report_r, report_w = os.pipe()

    def probe() -> NoReturn:
        ok = (os.getpid() == 2 and os.getuid() != 0 and not os.path.exists("/proc/3")
              and os.access(view.SCRATCH, os.W_OK)
              and all(os.path.isdir(p) and os.statvfs(p).f_flag & os.ST_RDONLY for p in rebound)
              and all(os.path.islink(link) for link, _target in links))
        os.write(seen_w, b"ok" if ok else b"wrong")
        os._exit(0)

    try:
        pid, init = spawn_contained(probe, report_w, root, id_ranges(), lifetime, home_pidns, shown)
    except (OSError, IsolationError) as exc:
        raise IsolationError(f"a test student could not be started: {exc}") from None
    finally:
        os.close(seen_w)
        os.close(report_w)
    try:
        _, status = os.waitpid(pid, 0)
        os.kill(init, signal.SIGKILL)
        os.waitpid(init, 0)
        seen = os.read(seen_r, 16)
        report = os.read(report_r, 1 << 16).decode("utf-8", "replace")
    finally:
        os.close(seen_r)
        os.close(report_r)
    if status != 0 or seen != b"ok":
        lines = [line.strip() for line in report.splitlines() if line.strip()]
        why = lines[-1] if lines else f"it did not see what it should ({seen!r}, exit status {status})"
        raise IsolationError(f"a test student could not be isolated: {why}")
