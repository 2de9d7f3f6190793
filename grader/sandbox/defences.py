"""The kernel's defences per student, kept by the fork server: a cgroup, a fresh keyring, a system-call filter."""
from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from grader.sandbox import linux, seccomp

Entry = Callable[[socket.socket], NoReturn]
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
KEY_LISTS = ("/proc/keys", "/proc/key-users")  # the keys (and their owners) a process may view, by name
TEST_MB = 256  # the test student's memory bound (its copied pages are charged to it)


@dataclass
class Prepared:
    """One student's cgroup (its name, and its cgroup.procs files opened for the student to join)."""

    name: str = ""
    procs: list[int] = field(default_factory=list)
    filtered: bool = True  # whether the filter will refuse keyring calls anyway

    def enter(self) -> None:
        """In the student, first thing after the fork (still privileged): join its cgroups and a
        new session keyring."""
        for fd in self.procs:
            os.write(fd, b"0")
            os.close(fd)
        self.procs = []
        try:
            seccomp.fresh_session_keyring()
        except OSError:
            if not self.filtered:
                raise  # without the filter, the grader's keyring must not stay reachable

    def enter_or_die(self, report_fd: int, status: int) -> None:
        """`enter`, or say why on `report_fd` and exit with `status` (without namespaces, whose
        own setup reports its failures)."""
        try:
            self.enter()
        except OSError:
            os.write(report_fd, traceback.format_exc().encode("utf-8", "replace"))
            os._exit(status)

    def close(self) -> None:
        """In the fork server, once the student is forked."""
        for fd in self.procs:
            os.close(fd)
        self.procs = []


class Defences:
    """The fork server's per-student cgroups (when a cgroup is delegated to it) and filter, each
    tested once at start (`start`) and described, loudly when off."""

    def __init__(self, folders: list[tuple[str, str]], cgroup_reason: str, shared_ipc: bool = False) -> None:
        self.shared_ipc = shared_ipc  # students share the grader's IPC namespace (process isolation)
        self.kinds: list[str] = []
        self.fds: list[int] = []
        self.cgroup_reason = cgroup_reason
        try:
            for kind, folder in folders:
                self.fds.append(os.open(folder, DIR_FLAGS))
                self.kinds.append(kind)
        except OSError as exc:
            self._drop_cgroups(f"cannot open {exc.filename} ({exc.strerror})")
        if not self.fds and not self.cgroup_reason:
            self.cgroup_reason = "no cgroup folder was made for this fork server"
        self.filter_reason = seccomp.unavailable()
        self.count = 0
        self.live: dict[int, str] = {}  # student pid -> its cgroup
        self.stale: list[str] = []  # cgroups of students that ended, not yet removed

    @classmethod
    def start(cls, plan: dict[str, Any], shared_ipc: bool) -> Defences:
        """From the grader's plan (cgroups.Place.plan); call before the view hides /sys/fs/cgroup."""
        folders = [(str(kind), str(folder)) for kind, folder in plan.get("folders", [])]
        defences = cls(folders, str(plan.get("reason", "")), shared_ipc)
        defences.self_test()
        return defences

    @property
    def bounded(self) -> bool:
        """Whether a cgroup bounds each student's memory."""
        return bool(self.fds)

    @property
    def extra_refused(self) -> tuple[str, ...]:
        """The calls refused beyond seccomp.REFUSED: memory no cgroup would count, IPC objects that
        would outlive the student in the grader's IPC namespace."""
        return ((() if self.bounded else seccomp.UNCOUNTED_MEMORY) + (seccomp.SHARED_IPC if self.shared_ipc else ()))

    def _drop_cgroups(self, reason: str) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds, self.kinds, self.cgroup_reason = [], [], reason

    def prepare(self, memory_mb: int, processes: int) -> Prepared:
        """A new student's cgroup with its limits, before the fork."""
        filtered = not self.filter_reason
        if not self.fds:
            return Prepared(filtered=filtered)
        name = f"s{self.count}"
        self.count += 1
        memory, procs = str(memory_mb * 2**20), str(processes)
        prepared = Prepared(name, [], filtered)
        try:
            for kind, fd in zip(self.kinds, self.fds):
                os.mkdir(name, 0o755, dir_fd=fd)
                if kind == "v2":
                    _set(fd, name, "memory.max", memory)
                    _set(fd, name, "memory.swap.max", "0", optional=True)
                    _set(fd, name, "pids.max", procs, optional=True)
                elif kind == "memory":
                    _set(fd, name, "memory.limit_in_bytes", memory)
                    _set(fd, name, "memory.memsw.limit_in_bytes", memory, optional=True)
                else:
                    _set(fd, name, "pids.max", procs)
                # v1 moves the (one) thread writing to `tasks` without the global lock a whole process
                # needs (cgroup.procs: an RCU grace period, 5-15 ms); v2 moves only whole processes
                joined = "cgroup.procs" if kind == "v2" else "tasks"
                prepared.procs.append(os.open(f"{name}/{joined}", os.O_WRONLY | os.O_CLOEXEC, dir_fd=fd))
        except BaseException:
            prepared.close()
            self._remove(name)
            raise
        return prepared

    def started(self, pid: int, prepared: Prepared) -> None:
        prepared.close()
        if prepared.name:
            self.live[pid] = prepared.name

    def ended(self, pid: int) -> None:
        """The student `pid` was reaped: its cgroup goes once its last process is gone."""
        name = self.live.pop(pid, "")
        if name:
            self.stale.append(name)
        self.stale = [name for name in self.stale if not self._remove(name)]

    def _remove(self, name: str) -> bool:
        gone = True
        for fd in self.fds:
            try:
                os.rmdir(name, dir_fd=fd)
            except FileNotFoundError:
                pass
            except OSError:
                gone = False  # its processes are still dying
        return gone

    def confined(self, entry: Entry) -> Entry:
        """`entry` run under the system-call filter (installed in the student, last thing before its code)."""
        if self.filter_reason:
            return entry
        compiled = seccomp.Filter(self.extra_refused)

        def run(channel: socket.socket) -> NoReturn:
            compiled.install()
            entry(channel)

        return run

    def self_test(self) -> None:
        """Fork a test student through `prepare`, `enter` and the filter; turn off (with the reason) what fails."""
        try:
            prepared = self.prepare(TEST_MB, 4)
        except OSError as exc:
            self._drop_cgroups(f"cannot make a student's cgroup ({exc})")
            prepared = self.prepare(TEST_MB, 4)
        seen_r, seen_w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(seen_r)
            os.close(go_w)
            _test_child(prepared, None if self.filter_reason else seccomp.Filter(self.extra_refused), seen_w, go_r)
        prepared.close()
        os.close(seen_w)
        os.close(go_r)
        try:
            cgroup, _, filtered = os.read(seen_r, 4096).decode("utf-8", "replace").partition("\n")
            if cgroup == "ok" and prepared.name:
                listed = [_get(fd, prepared.name, "cgroup.procs").split() for fd in self.fds]
                cgroup = "ok" if all(str(pid) in ids for ids in listed) else "the test student was not in its cgroup"
        finally:
            os.close(go_w)
            os.close(seen_r)
            os.waitpid(pid, 0)
        if prepared.name and cgroup != "ok":
            self._drop_cgroups(f"a test student could not join its cgroup ({cgroup or 'it died'})")
        if not self.filter_reason and filtered != "ok":
            self.filter_reason = f"the test student's filter failed ({filtered or 'it died'})"
        if prepared.name:
            self._remove(prepared.name)

    def describe(self) -> str:
        """What is on, for the isolation detail (run.json, the report)."""
        if self.bounded:
            kinds = ("cgroup v2 memory.max, pids.max" if self.kinds == ["v2"] else
                     "cgroup v1 " + " and ".join({"memory": "memory.limit_in_bytes", "pids": "pids.max"}[k]
                                                 for k in self.kinds))
            memory = (f"memory per student: {kinds} (--memory counts everything it holds: every process, "
                      "memfd, tmpfs, shared memory)")
        else:
            memory = (f"memory per student NOT BOUNDED BY A CGROUP ({self.cgroup_reason}): --memory bounds each "
                      "process's address space only (times its process limit), memfd_create, shmget and msgget "
                      "are refused")
        if self.filter_reason:
            calls = f"system calls NOT FILTERED ({self.filter_reason})"
        else:
            calls = f"system-call filter (seccomp): {seccomp.describe(self.extra_refused)}"
        return f"{calls}; a fresh session keyring per student; {memory}"

    def warnings(self) -> list[str]:
        """What is off, for a banner."""
        found = []
        if not self.bounded:
            found.append(f"no cgroup bounds a student's memory ({self.cgroup_reason}); --memory only bounds each "
                         "of its processes' address space, so one student can take many times --memory from this "
                         "machine. See SECURITY.md.")
        if self.filter_reason:
            found.append(f"student code runs WITHOUT a system-call filter ({self.filter_reason}): keyrings, bpf, "
                         "perf_event_open, io_uring and the like stay reachable. See SECURITY.md.")
        return found

    def close(self) -> None:
        """At the fork server's end: remove what can be."""
        self.stale = [name for name in [*self.stale, *self.live.values()] if not self._remove(name)]
        self._drop_cgroups(self.cgroup_reason)


def hide_key_lists() -> None:
    """In the student's own /proc (namespaces): cover the lists of keys it may view. Keys of the
    grader's user are viewable by name where students keep its uid (an ordinary user's grader)."""
    for path in KEY_LISTS:
        if os.path.exists(path):
            linux.mount("/dev/null", path, None, linux.MS_BIND)


def _set(fd: int, name: str, file: str, value: str, optional: bool = False) -> None:
    try:
        handle = os.open(f"{name}/{file}", os.O_WRONLY | os.O_CLOEXEC, dir_fd=fd)
    except FileNotFoundError:
        if optional:
            return
        raise
    try:
        os.write(handle, value.encode())
    finally:
        os.close(handle)


def _get(fd: int, name: str, file: str) -> str:
    handle = os.open(f"{name}/{file}", os.O_RDONLY | os.O_CLOEXEC, dir_fd=fd)
    try:
        return os.read(handle, 1 << 16).decode("ascii", "replace")
    finally:
        os.close(handle)


def _test_child(prepared: Prepared, compiled: seccomp.Filter | None, seen_w: int, go_r: int) -> NoReturn:
    """The test student: joins its cgroup and keyring, tries the filter, reports, and waits while the
    fork server looks for it in its cgroup."""
    try:
        signal.set_wakeup_fd(-1)
        try:
            prepared.enter()
            cgroup = "ok"
        except OSError as exc:
            cgroup = str(exc)
        filtered = "off"
        if compiled is not None:
            try:
                compiled.install()
                refused = ctypes.CDLL(None, use_errno=True).unshare(0) == -1 and ctypes.get_errno() == errno.EPERM
                filtered = "ok" if refused else "unshare(0) was not refused"
            except OSError as exc:
                filtered = str(exc)
        os.write(seen_w, f"{cgroup}\n{filtered}".encode())
        os.read(go_r, 1)
    finally:
        os._exit(0)
