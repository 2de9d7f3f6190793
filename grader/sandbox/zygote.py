"""Warm fork server: imports numpy once, then forks one isolated, limited student process per request."""
from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import site
import socket
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

from grader.sandbox import defences, fairness, frames, isolation, linux, view

FSIZE_MB = 64
NOFILE = 256
CHANNEL_FD = 3
MAX_REQUEST = 1 << 16
MODES = ("namespaces", "process")

Entry = Callable[[socket.socket], NoReturn]


def _set_limit(kind: int, soft: int, hard: int | None = None) -> None:
    """Lower a resource limit, never above the hard limit we inherited."""
    _, current_hard = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def become_student(request: dict[str, Any], fds: list[int], scratch: str, entry: Entry) -> NoReturn:
    """In the student's process: own session, limits, redirected output, then the child runtime.

    `fds` are the channel, stdout and stderr as opened by the grader (files the student cannot
    reach by path).
    """
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the size limit fail instead
        os.chdir(scratch)
        os.environ["TMPDIR"] = os.environ["HOME"] = scratch
        channel_fd, out_fd, err_fd = fds
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        if channel_fd != CHANNEL_FD:
            os.dup2(channel_fd, CHANNEL_FD, inheritable=False)
        os.set_inheritable(CHANNEL_FD, False)
        os.closerange(CHANNEL_FD + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        _set_limit(resource.RLIMIT_CORE, 0)
        _set_limit(resource.RLIMIT_NOFILE, NOFILE)
        _set_limit(resource.RLIMIT_FSIZE, FSIZE_MB * 2**20)
        _set_limit(resource.RLIMIT_NPROC, int(request["processes"]))
        cpu = int(request["cpu_seconds"])
        _set_limit(resource.RLIMIT_CPU, cpu, cpu + 2)
        _set_limit(resource.RLIMIT_AS, int(request["memory_mb"]) * 2**20)
        fairness.confine()  # SCHED_IDLE for good, and no session (autogroup, CPU share) but this one
        entry(socket.socket(fileno=CHANNEL_FD))
    except BaseException:  # noqa: BLE001 - report on the student's stderr file, then die
        try:
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
        finally:
            os._exit(frames.RUNTIME_FAILED)
    os._exit(0)


class Zygote:
    """The fork server's state: its control socket, its wakeup pipe and its live children.

    `live` maps each student's pid to (request id, init pid): with namespaces every student has
    an init (PID 1 of its namespace), killed as soon as the student is reaped or killed.
    """

    def __init__(self, control: socket.socket, mode: str, root: bool, entry: Entry,
                 home_pidns: int = -1, shown: view.View | None = None,
                 guard: defences.Defences | None = None) -> None:
        self.control = control
        self.mode = mode
        self.root = root
        self.guard = guard if guard is not None else defences.Defences([], "not set up")
        self.entry = self.guard.confined(entry)
        self.home_pidns = home_pidns
        self.shown = shown  # the view built (what of it lies under /tmp is made again per student)
        self.ids = isolation.id_ranges() if mode == "namespaces" else ([], [])
        self.live: dict[int, tuple[Any, int]] = {}
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    def tell(self, message: dict[str, Any]) -> None:
        self.control.send(json.dumps(message).encode())

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid not in self.live:
                continue  # an init, killed when its student ended
            _ident, init = self.live.pop(pid)
            self._kill_init(init)
            self.guard.ended(pid)
            if os.WIFSIGNALED(status):
                self.tell({"event": "exit", "pid": pid, "signal": os.WTERMSIG(status)})
            else:
                self.tell({"event": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status)})

    @staticmethod
    def _kill_init(init: int) -> None:
        if init:
            try:
                os.kill(init, signal.SIGKILL)  # the kernel then kills all its namespace holds
            except OSError:
                pass

    def kill(self, request: dict[str, Any]) -> None:
        """Kill a student's process group (and namespace), if it is still the one the grader means."""
        pid = request.get("pid")
        if type(pid) is int and pid in self.live and self.live[pid][0] == request.get("id"):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            self._kill_init(self.live[pid][1])

    def spawn(self, request: dict[str, Any], fds: list[int]) -> None:
        ident = request.get("id")
        try:
            if len(fds) != 3:
                raise ValueError(f"a spawn request needs 3 descriptors, not {len(fds)}")
            prepared = self.guard.prepare(int(request["memory_mb"]), int(request["processes"]))
            try:
                if self.mode == "namespaces":
                    pid, init = isolation.spawn_contained(
                        lambda: become_student(request, fds, view.SCRATCH, self.entry), report_fd=fds[2],
                        root=self.root, ids=self.ids, lifetime=int(request["lifetime"]), home_pidns=self.home_pidns,
                        shown=self.shown, before=prepared.enter)
                else:
                    pid, init = os.fork(), 0
                    if pid == 0:
                        _die_with_parent()
                        prepared.enter_or_die(fds[2], isolation.ISOLATION_FAILED)
                        become_student(request, fds, request["scratch"], self.entry)
            finally:
                prepared.close()
            self.guard.started(pid, prepared)
            self.live[pid] = (ident, init)
            self.tell({"event": "spawned", "id": ident, "pid": pid})
        except Exception as exc:  # noqa: BLE001 - reported to the grader
            self.tell({"event": "failed", "id": ident, "error": f"{type(exc).__name__}: {exc}"})
        finally:
            for fd in fds:
                os.close(fd)

    def serve(self) -> None:
        """Answer requests until the control channel closes, then kill what is left."""
        try:
            while True:
                control = self.control.fileno()
                ready, _, _ = select.select([control, self.wake_r], [], [])
                if self.wake_r in ready:
                    try:
                        while os.read(self.wake_r, 512):
                            pass
                    except BlockingIOError:
                        pass
                    self.reap()
                if control in ready:
                    data, fds, _flags, _addr = socket.recv_fds(self.control, MAX_REQUEST, 4)
                    if not data:
                        return
                    request = json.loads(data)
                    if request.get("op") == "kill":
                        for fd in fds:
                            os.close(fd)
                        self.kill(request)
                    elif request.get("op") == "spawn":
                        self.spawn(request, fds)
                    else:
                        for fd in fds:
                            os.close(fd)
                        self.tell({"event": "failed", "id": request.get("id"),
                                   "error": f"unknown request {request.get('op')!r}"})
        except (BrokenPipeError, ConnectionResetError):
            return  # the grader is gone
        finally:
            for pid, (_ident, init) in self.live.items():
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                self._kill_init(init)
            self.guard.close()


def _die_with_parent() -> None:
    try:
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the fork server
    except OSError:
        pass


def add_user_site(folder: str) -> None:
    """Put back what `python -I` leaves out but the grader's Python reads: its user site-packages
    folder and the paths its .pth files add, where `site` puts them (after a venv's own
    site-packages, before those of the base installation)."""
    before = list(sys.path)
    site.addsitedir(folder)
    added = [p for p in sys.path if p not in before]
    kept = [p for p in sys.path if p in before]
    base = set(site.getsitepackages([sys.base_prefix, sys.base_exec_prefix]))
    at = next((i for i, p in enumerate(kept) if p in base), len(kept))
    sys.path[:] = kept[:at] + added + kept[at:]


def _refuse(control: socket.socket, reason: str) -> None:
    control.send(json.dumps({"event": "isolation_failed", "reason": reason}).encode())


def main(argv: list[str] | None = None) -> None:
    """`python -I -m grader.sandbox.zygote --fd N --isolation MODE [--hide JSON] [--probe 1]
    [--user-site DIR] [--cgroups PLAN]`: serve fork requests on socket fd N; MODE is namespaces or
    process; JSON lists extra folders to hide; DIR is the grader's user site-packages folder, read as
    Python would; PLAN (JSON) where students' cgroups go (`grader.sandbox.cgroups.Place.plan`).
    With --probe 1 it only sets up and tests the isolation, reports, and exits (no numpy)."""
    args = sys.argv[1:] if argv is None else argv
    options = dict(zip(args[::2], args[1::2]))
    if (len(args) % 2 or set(options) - {"--fd", "--isolation", "--hide", "--probe", "--user-site", "--cgroups"}
            or not options.get("--fd", "").isdigit() or options.get("--isolation") not in MODES):
        sys.exit("usage: python -I -m grader.sandbox.zygote --fd N --isolation namespaces|process "
                 "[--hide JSON] [--probe 1] [--user-site DIR] [--cgroups PLAN]")
    mode = options["--isolation"]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle
    control = socket.socket(fileno=int(options["--fd"]))
    root = os.geteuid() == 0
    detail = "process-level isolation only"
    cpu = fairness.probe()  # before any thread can start: it forks
    home_pidns = -1
    built: view.View | None = None
    if mode == "namespaces":
        try:
            root = isolation.enter_server_namespaces()  # before any thread (numpy) can start
        except isolation.IsolationError as exc:
            return _refuse(control, str(exc))
        isolation.split_server()  # from here on: PID 1 of the new PID namespace
    if options.get("--user-site"):  # after unshare: its .pth files may run code, even start threads
        add_user_site(options["--user-site"])
    guard = defences.Defences.start(json.loads(options.get("--cgroups", "{}")),  # before the view hides cgroups
                                    shared_ipc=mode != "namespaces")
    probe = options.get("--probe") == "1"
    if not probe:  # before the view hides the grader's own files
        import numpy  # noqa: F401 - imported here so every forked child starts warm

        from grader.sandbox import child
    if mode == "namespaces":
        try:
            built = view.build([str(p) for p in json.loads(options.get("--hide", "[]"))])
            home_pidns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
            isolation.self_test(root, home_pidns, built)
        except (view.ViewError, isolation.IsolationError, OSError) as exc:
            traceback.print_exc()
            return _refuse(control, f"{type(exc).__name__}: {exc}")
        detail = (f"PID, mount, network, IPC, UTS and user namespaces per student; {built.describe()}; "
                  f"students run as {'unprivileged uids' if root else 'the grader user'} without capabilities")
    detail += f"; {guard.describe()}; {cpu}"
    ready = {"event": "ready", "pid": os.getpid(), "isolation": mode, "detail": detail,
             "defences": guard.describe(), "warnings": guard.warnings()}
    if probe:
        guard.close()
        control.send(json.dumps(ready).encode())
        return
    zygote = Zygote(control, mode, root, child.main, home_pidns, built, guard)
    signal.set_wakeup_fd(zygote.wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    gc.collect()
    gc.freeze()  # forked children then share the heap pages instead of copying them on GC
    zygote.tell(ready)
    zygote.serve()


if __name__ == "__main__":
    main()
