"""Grader-side entry point: the Sandbox (owns the warm fork server), its Limits and RunReport."""
from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Any, Sequence

from grader.model import Case, Program
from grader.sandbox.control import IsolationUnavailable, SandboxError, ZygoteGone, ZygoteProcess
from grader.sandbox.records import Limits, RunReport
from grader.sandbox.scratch import mark_owner, remove_stale_roots, remove_tree
from grader.sandbox.session import Session

__all__ = ["ISOLATION_MODES", "Limits", "RunReport", "Sandbox", "SandboxError", "stderr_banner"]

ISOLATION_MODES = ("auto", "namespaces", "process")
ROOT_PREFIX = "grader-sandbox-"


def stderr_banner(message: str) -> None:
    """The default way a Sandbox warns: a banner on stderr that nobody can miss."""
    line = "!" * 78
    print(f"\n{line}\nWARNING: {message}\n{line}\n", file=sys.stderr, flush=True)


class Sandbox:
    """Runs student programs in forked, limited, isolated processes. Thread-safe; a context manager.

    `isolation`: "namespaces" (required; SandboxError when the kernel refuses), "process" (no
    namespaces: same user, shared file system) or "auto" (namespaces, else process with a warning
    through `warn`). `hide`: extra folders students must not see (output, submissions, ...).
    The fork server starts lazily on the first run and is restarted if a student kills it.
    """

    def __init__(self, root: str | None = None, *, start_timeout: float = 60.0, isolation: str = "auto",
                 hide: Sequence[str | os.PathLike[str]] = (), warn: Callable[[str], None] = stderr_banner) -> None:
        if isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_MODES)}, not {isolation!r}")
        self._parent = root
        self._root: str | None = None
        self._start_timeout = start_timeout
        self._requested = isolation
        self._mode = "process" if isolation == "process" else "namespaces"
        self._hide = tuple(os.path.abspath(p) for p in hide)
        self._warn = warn
        self._detail = ""
        self._fallback = ""
        self._lock = threading.Lock()
        self._zygote: ZygoteProcess | None = None
        self._closed = False

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
        if self._fallback:
            return f"process-level isolation only: namespaces are unavailable ({self._fallback})"
        return self._detail

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
        return zygote

    def _ensure_zygote(self) -> ZygoteProcess:
        if self._closed or self._root is None:
            raise SandboxError("the sandbox is closed")
        if self._zygote is None or not self._zygote.alive:
            if self._zygote is not None:
                self._zygote.close()
            self._zygote = self._start_zygote()
        return self._zygote

    def spawn(self, fds: Sequence[int], request: dict[str, Any]) -> tuple[ZygoteProcess, int]:
        """Fork a student process on `fds` (channel, stdout, stderr; serialized); returns its server and pid."""
        with self._lock:
            for _attempt in range(3):
                zygote = self._ensure_zygote()
                try:
                    return zygote, zygote.spawn(fds, request)
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
