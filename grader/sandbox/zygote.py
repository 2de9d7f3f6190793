"""Warm fork server: imports numpy once, then forks one limited student process per request."""
from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import socket
import sys
import traceback
from typing import Any, NoReturn

import numpy  # noqa: F401 - imported here so every forked child starts warm

from grader.sandbox import child, frames

FSIZE_MB = 64
NOFILE = 256
CHANNEL_FD = 3
MAX_REQUEST = 1 << 16


def _set_limit(kind: int, soft: int, hard: int | None = None) -> None:
    """Lower a resource limit, never above the hard limit we inherited."""
    _, current_hard = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def _open_output(path: str) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    return os.open(path, flags, 0o600)


def become_student(request: dict[str, Any], channel_fd: int) -> NoReturn:
    """In the freshly forked process: isolate, limit, redirect, then run the child runtime."""
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the size limit fail instead
        scratch = request["scratch"]
        os.chdir(scratch)
        os.environ["TMPDIR"] = scratch
        for target, fd in ((0, os.open(os.devnull, os.O_RDONLY)),
                           (1, _open_output(request["stdout"])),
                           (2, _open_output(request["stderr"]))):
            os.dup2(fd, target)
            os.close(fd)
        if channel_fd != CHANNEL_FD:
            os.dup2(channel_fd, CHANNEL_FD, inheritable=False)
        os.closerange(CHANNEL_FD + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        _set_limit(resource.RLIMIT_CORE, 0)
        _set_limit(resource.RLIMIT_NOFILE, NOFILE)
        _set_limit(resource.RLIMIT_FSIZE, FSIZE_MB * 2**20)
        cpu = int(request["cpu_seconds"])
        _set_limit(resource.RLIMIT_CPU, cpu, cpu + 2)
        _set_limit(resource.RLIMIT_AS, int(request["memory_mb"]) * 2**20)
        child.main(socket.socket(fileno=CHANNEL_FD))
    except BaseException:  # noqa: BLE001 - report on the student's stderr file, then die
        try:
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
        finally:
            os._exit(frames.RUNTIME_FAILED)
    os._exit(0)


class Zygote:
    """The fork server's state: its control socket, its wakeup pipe and its live children."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.live: set[int] = set()
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    def tell(self, message: dict[str, Any]) -> None:
        self.control.send(json.dumps(message).encode())

    def reap(self) -> None:
        while self.live:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.live.discard(pid)
            if os.WIFSIGNALED(status):
                self.tell({"event": "exit", "pid": pid, "signal": os.WTERMSIG(status)})
            else:
                self.tell({"event": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status)})

    def spawn(self, request: dict[str, Any], fds: list[int]) -> None:
        ident = request.get("id")
        try:
            if request.get("op") != "spawn" or len(fds) != 1:
                raise ValueError(f"bad request {request.get('op')!r} with {len(fds)} fds")
            pid = os.fork()
            if pid == 0:
                become_student(request, fds[0])
            self.live.add(pid)
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
                    self.spawn(json.loads(data), fds)
        except (BrokenPipeError, ConnectionResetError):
            return  # the grader is gone
        finally:
            for pid in self.live:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass


def main(argv: list[str] | None = None) -> None:
    """`python -I -m grader.sandbox.zygote --fd N`: serve fork requests on socket fd N."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "--fd" or not args[1].isdigit():
        sys.exit("usage: python -I -m grader.sandbox.zygote --fd N")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle
    control = socket.socket(fileno=int(args[1]))
    zygote = Zygote(control)
    signal.set_wakeup_fd(zygote.wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    gc.collect()
    gc.freeze()  # forked children then share the heap pages instead of copying them on GC
    zygote.tell({"event": "ready", "pid": os.getpid()})
    zygote.serve()


if __name__ == "__main__":
    main()
