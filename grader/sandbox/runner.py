"""Grader-side entry point: the Sandbox (owns the warm fork server), its Limits and RunReport."""
from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Sequence

from grader import codec
from grader.model import Case, Program
from grader.sandbox import fairness
from grader.sandbox.control import IsolationUnavailable, SandboxError, ZygoteGone, ZygoteProcess
from grader.sandbox.records import Limits, RunReport
from grader.sandbox.scratch import mark_owner, remove_stale_roots, remove_tree
from grader.sandbox.session import ARGS_MAX, Session

__all__ = ["ISOLATION_MODES", "Isolation", "Limits", "RunReport", "Sandbox", "SandboxError", "probe_isolation",
           "stderr_banner"]

ISOLATION_MODES = ("auto", "namespaces", "process")
ISOLATION_VARIABLE = "GRADER_ISOLATION"  # the default when a Sandbox is not told: auto, namespaces or process
ROOT_PREFIX = "grader-sandbox-"


@dataclass(frozen=True)
class Isolation:
    """How student code is isolated on this machine: "namespaces" or "process", and in what way."""

    level: str
    detail: str


def requested_isolation(isolation: str | None) -> str:
    """`isolation`, or the GRADER_ISOLATION environment variable, or "auto" (ValueError / SandboxError
    for an unknown value)."""
    chosen = isolation if isolation is not None else os.environ.get(ISOLATION_VARIABLE, "auto") or "auto"
    if chosen not in ISOLATION_MODES:
        if isolation is not None:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_MODES)}, not {chosen!r}")
        raise SandboxError(f"the environment variable {ISOLATION_VARIABLE} must be one of "
                           f"{', '.join(ISOLATION_MODES)}, not {chosen!r}")
    return chosen


def _fallback_detail(reason: str) -> str:
    return f"process-level isolation only: namespaces are unavailable ({reason}); {fairness.planned()}"


def probe_isolation(isolation: str | None = None, hide: Sequence[str] = ()) -> Isolation:
    """The isolation a Sandbox would get here, found by a short-lived fork server that sets it up,
    tests it with one empty student, and exits (about 0.1 s; numpy is not imported)."""
    mode = requested_isolation(isolation)
    with tempfile.TemporaryDirectory(prefix=ROOT_PREFIX) as home:
        if mode == "process":
            return Isolation("process", f"process-level isolation only (requested); {_probe_defences(home)}; "
                                        f"{fairness.planned()}")
        try:
            zygote = ZygoteProcess(home, 60.0, "namespaces", tuple(os.path.abspath(p) for p in hide), probe=True)
        except IsolationUnavailable as exc:
            if mode == "namespaces":
                raise SandboxError(f"namespace isolation was required but is unavailable: {exc}") from None
            return Isolation("process", f"{_fallback_detail(str(exc))}; {_probe_defences(home)}")
        zygote.close()
    return Isolation("namespaces", zygote.detail)


def _probe_defences(home: str) -> str:
    """What of the kernel's per-student defences (cgroup, filter) a process-isolation fork server gets."""
    zygote = ZygoteProcess(home, 60.0, "process", probe=True)
    zygote.close()
    return zygote.defences


class EncodedArgs:
    """The encoded (args, kwargs) of public cases, which every student shares: encoded once per sandbox.

    Keyed by id(case) with the case itself kept alive beside it, so an id cannot be reused while
    its entry exists. Bounded: a sandbox that sees more public cases than LIMIT starts over.
    """

    LIMIT = 8192

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Case, bytes]] = {}

    def get(self, case: Case) -> bytes:
        hit = self._cache.get(id(case)) if case.public else None
        if hit is not None and hit[0] is case:
            return hit[1]
        data = codec.encode((tuple(case.args), dict(case.kwargs)), strict=True, max_bytes=ARGS_MAX)
        if case.public:
            if len(self._cache) >= self.LIMIT:
                self._cache.clear()
            self._cache[id(case)] = (case, data)
        return data


def stderr_banner(message: str) -> None:
    """The default way a Sandbox warns: a banner on stderr that nobody can miss."""
    line = "!" * 78
    print(f"\n{line}\nWARNING: {message}\n{line}\n", file=sys.stderr, flush=True)


class Sandbox:
    """Runs student programs in forked, limited, isolated processes. Thread-safe; a context manager.

    `isolation`: "namespaces" (required; SandboxError when the kernel refuses), "process" (no
    namespaces: same user, shared file system) or "auto" (namespaces, else process with a warning
    through `warn`); None reads GRADER_ISOLATION (default auto). `hide`: extra folders to mask should
    they lie inside what students see (the view shows only system folders and Python anyway).
    The fork server starts lazily on the first run and is restarted if a student kills it.
    """

    def __init__(self, root: str | None = None, *, start_timeout: float = 60.0, isolation: str | None = None,
                 hide: Sequence[str | os.PathLike[str]] = (), warn: Callable[[str], None] = stderr_banner) -> None:
        self._requested = requested_isolation(isolation)
        self._parent = root
        self._root: str | None = None
        self._start_timeout = start_timeout
        self._mode = "process" if self._requested == "process" else "namespaces"
        self._hide = tuple(os.path.abspath(p) for p in hide)
        self._warn = warn
        self._detail = ""
        self._fallback = ""
        self._defences = ""  # the kernel's per-student defences (cgroup, filter), on or off
        self._warned: set[str] = set()  # the defences found off, each said once
        self._lock = threading.Lock()
        self._zygote: ZygoteProcess | None = None
        self._closed = False
        self.encoded_args = EncodedArgs()  # the shared cases' arguments, encoded once

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def zygote_pid(self) -> int | None:
        """The current fork server's pid (None before the first run)."""
        zygote = self._zygote
        return zygote.pid if zygote is not None and zygote.alive else None

    @property
    def isolation(self) -> str:
        """"namespaces" or "process" once a fork server ran; "unused" before."""
        return self._mode if self._detail else "unused"

    @property
    def isolation_detail(self) -> str:
        """What the isolation consists of, and why namespaces were not used when they were not."""
        return f"{_fallback_detail(self._fallback)}; {self._defences}" if self._fallback else self._detail

    def start(self) -> str:
        """Start the fork server now (normally lazy); returns the isolation in effect."""
        self.scratch_dir_root()
        with self._lock:
            self._ensure_zygote()
        return self.isolation

    def scratch_dir_root(self) -> str:
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox is closed")
            if self._root is None:
                remove_stale_roots(self._parent or tempfile.gettempdir(), ROOT_PREFIX)
                self._root = tempfile.mkdtemp(prefix=ROOT_PREFIX, dir=self._parent)
                mark_owner(self._root)
            return self._root

    def scratch_dir(self) -> str:
        """A fresh private directory for one run (its output files; its cwd without namespaces)."""
        return tempfile.mkdtemp(prefix="run-", dir=self.scratch_dir_root())

    def _start_zygote(self) -> ZygoteProcess:
        assert self._root is not None
        try:
            zygote = ZygoteProcess(self._root, self._start_timeout, self._mode, self._hide)
        except IsolationUnavailable as exc:
            if self._requested == "namespaces":
                raise SandboxError(f"namespace isolation was required but is unavailable: {exc}") from None
            self._mode, self._fallback = "process", str(exc)
            self._warn("student code runs WITHOUT namespace isolation (same user, shared file system, "
                       f"network allowed), because {exc}. See SECURITY.md before grading an exam.")
            zygote = ZygoteProcess(self._root, self._start_timeout, self._mode, self._hide)
        self._detail = zygote.detail or self._mode
        self._defences = zygote.defences
        for warning in zygote.warnings:
            if warning not in self._warned:
                self._warned.add(warning)
                self._warn(warning)
        return zygote

    def _ensure_zygote(self) -> ZygoteProcess:
        if self._closed or self._root is None:
            raise SandboxError("the sandbox is closed")
        if self._zygote is None or not self._zygote.alive:
            if self._zygote is not None:
                self._zygote.close()
            self._zygote = self._start_zygote()
        return self._zygote

    def spawn(self, fds: Sequence[int], request: dict[str, Any]) -> tuple[ZygoteProcess, int, int]:
        """Fork a student process on `fds` (channel, stdout, stderr; serialized); returns its server,
        its pid and the request id (see ZygoteProcess.kill)."""
        with self._lock:
            for _attempt in range(3):
                zygote = self._ensure_zygote()
                try:
                    return (zygote, *zygote.spawn(fds, request))
                except ZygoteGone:
                    # its reader thread may not have noticed yet: retire it now, start afresh
                    zygote.close()
                    self._zygote = None
                    continue
            raise SandboxError("the sandbox fork server keeps dying; cannot start student processes")

    def run(self, program: Program, cases: Sequence[Case], limits: Limits = Limits()) -> RunReport:
        """Load `program` in a student process and call its functions on `cases`, in order."""
        return Session(self, program, tuple(cases), limits).execute()

    def close(self) -> None:
        """Stop the fork server (it kills any student process still running) and clean up."""
        with self._lock:
            self._closed = True
            if self._zygote is not None:
                self._zygote.close()
                self._zygote = None
            if self._root is not None:
                remove_tree(self._root)
                self._root = None
