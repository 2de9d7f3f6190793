"""Grader side of the fork server: starts the zygote, asks it to fork, and follows exit reports."""
from __future__ import annotations

import itertools
import json
import os
import signal
import site
import socket
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from grader.sandbox import cgroups
from grader.sandbox.frames import RUNTIME_FAILED
from grader.sandbox.isolation import ISOLATION_FAILED

MIN_PATH = "/usr/local/bin:/usr/bin:/bin"
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # old OpenBLAS builds crash without them
MAX_KEPT_EXITS = 4096
_SERIAL = itertools.count(1)  # numbers this process's fork servers (their cgroup folders)
MEMORY_SIGNALS = frozenset({signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT})
# The folder holding this `grader` package: the fork server imports the very same code, also
# where `grader` is not installed (the student bundle's private copy; see grader/release.py).
GRADER_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZYGOTE_BOOT = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
               "from grader.sandbox.zygote import main; main()")


def user_site() -> str:
    """This Python's user site-packages folder when it reads one ("" otherwise): the fork server
    runs `python -I`, which leaves it out, and adds it back (`zygote.add_user_site`)."""
    folder = site.getusersitepackages() if site.ENABLE_USER_SITE else ""
    return folder if folder in sys.path else ""


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the student's code): the grader cannot run submissions."""


class ZygoteGone(Exception):
    """The fork server died (perhaps killed by a student); start a new one."""


class IsolationUnavailable(Exception):
    """The fork server could not set up namespaces; the message says why."""


def scrubbed_env(home: str) -> dict[str, str]:
    """The only environment the fork server and the student processes get."""
    env = {"PATH": MIN_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": home,
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.update({name: os.environ[name] for name in PASSED_THROUGH if name in os.environ})
    return env


def describe_exit(status: dict[str, Any] | None) -> str:
    """'exited with code 3' / 'was killed by signal 9 (SIGKILL)' / a note that it is unknown."""
    if status is None:
        return "ended unexpectedly (its exit status is unknown)"
    if "signal" in status:
        number = int(status["signal"])
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown signal"
        return f"was killed by signal {number} ({name})"
    return f"exited with code {status.get('code')}"


def exit_hint(status: dict[str, Any], memory_mb: int) -> str:
    """What a student process's exit status probably means, for its failure message."""
    number = status.get("signal")
    if status.get("code") == ISOLATION_FAILED:
        return ("the sandbox could not isolate the student process; this is a grader problem, "
                "please report it (details in the student's stderr)")
    if status.get("code") == RUNTIME_FAILED:
        return ("the sandbox's runtime inside it failed, usually because the submission closed "
                "or misused its connection to the grader; see its stderr")
    if number == signal.SIGXCPU:
        return "it used up its CPU time limit"
    if number in MEMORY_SIGNALS:
        return f"this often means it ran out of memory (limit {memory_mb} MB) or crashed inside native code"
    return ""


class ZygoteProcess:
    """One running fork server plus the thread that reads its replies and exit reports."""

    def __init__(self, home: str, start_timeout: float, mode: str = "process",
                 hide: Sequence[str] = (), probe: bool = False) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._cond = threading.Condition()
        self._replies: dict[int, dict[str, Any]] = {}
        self._exits: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._ignored: set[int] = set()
        self._ids = itertools.count(1)
        self._ready = False
        self._refused = ""
        self.isolation = mode
        self.detail = ""
        self.defences = ""  # what of the kernel's per-student defences is on (grader.sandbox.defences)
        self.warnings: list[str] = []  # what of them is off, for a banner
        self.alive = True
        self._cgroups = cgroups.prepare(f"{next(_SERIAL)}")
        self._log = os.path.join(home, f"zygote-{id(self):x}.log")
        folder = user_site()
        extra = ["--user-site", folder] if folder else []
        try:
            with open(self._log, "wb") as log:
                self._proc = subprocess.Popen(
                    [sys.executable, "-I", "-c", ZYGOTE_BOOT, GRADER_PARENT, "--fd", str(theirs.fileno()),
                     "--isolation", mode, "--hide", json.dumps(list(hide)), "--probe", str(int(probe)),
                     "--cgroups", json.dumps(self._cgroups.plan()), *extra],
                    env=scrubbed_env(home), cwd=home, pass_fds=(theirs.fileno(),),
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                    start_new_session=True)
        except BaseException:
            cgroups.remove(self._cgroups)
            raise
        finally:
            theirs.close()
        self._thread = threading.Thread(target=self._read_loop, name="sandbox-zygote-reader",
                                        daemon=True)
        self._thread.start()
        with self._cond:
            self._cond.wait_for(lambda: self._ready or self._refused or not self.alive,
                                timeout=start_timeout)
            started = self._ready
        if self._refused:
            self.close()
            raise IsolationUnavailable(self._refused)
        if not started:
            self.close()
            raise SandboxError(f"the sandbox fork server did not start within {start_timeout:g} s; "
                               f"its stderr said: {self._log_tail()!r}")

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _log_tail(self) -> str:
        try:
            with open(self._log, "rb") as log:
                return log.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def _read_loop(self) -> None:
        try:
            while True:
                data = self._sock.recv(1 << 16)
                if not data:
                    break
                message = json.loads(data)
                with self._cond:
                    self._dispatch(message)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self.alive = False
                self._cond.notify_all()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def _dispatch(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "ready":
            self._ready = True
            self.isolation = str(message.get("isolation", ""))
            self.detail = str(message.get("detail", ""))
            self.defences = str(message.get("defences", ""))
            self.warnings = [str(w) for w in message.get("warnings", [])]
        elif event == "isolation_failed":
            self._refused = str(message.get("reason", "unknown reason"))
        elif event in ("spawned", "failed"):
            self._replies[message["id"]] = message
        elif event == "exit":
            pid = message["pid"]
            if pid in self._ignored:
                self._ignored.discard(pid)
                return
            self._exits[pid] = message
            while len(self._exits) > MAX_KEPT_EXITS:
                self._exits.popitem(last=False)

    def spawn(self, fds: Sequence[int], request: dict[str, Any], timeout: float = 30.0) -> tuple[int, int]:
        """Fork a student process on `fds` (channel, stdout, stderr); returns its pid (= its pgid, as
        the fork server numbers it) and the request id that `kill` needs."""
        ident = next(self._ids)
        payload = json.dumps({**request, "op": "spawn", "id": ident}).encode()
        try:
            socket.send_fds(self._sock, [payload], list(fds))
        except OSError as exc:
            raise ZygoteGone(str(exc)) from None
        with self._cond:
            self._cond.wait_for(lambda: ident in self._replies or not self.alive, timeout=timeout)
            reply = self._replies.pop(ident, None)
        if reply is None:
            if self.alive:
                raise SandboxError(f"the sandbox fork server did not answer within {timeout:g} s")
            raise ZygoteGone("the fork server died")
        if reply["event"] != "spawned":
            raise SandboxError(f"the sandbox could not start a student process: {reply.get('error')}")
        return int(reply["pid"]), ident

    def kill(self, pid: int, ident: int) -> None:
        """Ask the fork server to kill student `pid` (from request `ident`), its group and namespace.

        The grader never signals students itself: with namespaces their pids are the fork server's
        to interpret, and a dead fork server has taken every student with it.
        """
        try:
            self._sock.send(json.dumps({"op": "kill", "pid": pid, "id": ident}).encode())
        except OSError:
            pass

    def exit_status(self, pid: int, timeout: float) -> dict[str, Any] | None:
        """The exit report for `pid`, waiting up to `timeout` s; None if none comes."""
        with self._cond:
            self._cond.wait_for(lambda: pid in self._exits or not self.alive, timeout=timeout)
            return self._exits.pop(pid, None)

    def forget(self, pid: int) -> None:
        """Drop (now or when it arrives) the exit report of a child nobody will ask about."""
        with self._cond:
            if self._exits.pop(pid, None) is None and self.alive:
                self._ignored.add(pid)

    def close(self) -> None:
        """Close the control channel: the fork server kills its remaining children and exits."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._thread.join(timeout=5)
        cgroups.remove(self._cgroups)
