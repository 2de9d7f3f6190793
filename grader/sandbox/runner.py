"""Grader-side entry point: the Sandbox (owns the warm fork server), its Limits and RunReport."""
from __future__ import annotations

import tempfile
import threading
from typing import Any, Sequence

from grader.model import Case, Program
from grader.sandbox.control import SandboxError, ZygoteGone, ZygoteProcess
from grader.sandbox.records import Limits, RunReport
from grader.sandbox.scratch import remove_tree
from grader.sandbox.session import Session

__all__ = ["Limits", "RunReport", "Sandbox", "SandboxError"]

class Sandbox:
    """Runs student programs in forked, limited processes. Thread-safe; use as a context manager.

    The fork server starts lazily on the first run and is restarted if a student kills it.
    """

    def __init__(self, root: str | None = None, *, start_timeout: float = 60.0) -> None:
        self._parent = root
        self._root: str | None = None
        self._start_timeout = start_timeout
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

    def scratch_dir(self) -> str:
        """A fresh private directory for one run, under this sandbox's root."""
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox is closed")
            if self._root is None:
                self._root = tempfile.mkdtemp(prefix="grader-sandbox-", dir=self._parent)
            return tempfile.mkdtemp(prefix="run-", dir=self._root)

    def spawn(self, channel_fd: int, request: dict[str, Any]) -> tuple[ZygoteProcess, int]:
        """Fork a student process on `channel_fd` (serialized); returns its server and pid."""
        with self._lock:
            if self._closed or self._root is None:
                raise SandboxError("the sandbox is closed")
            for _attempt in range(3):
                if self._zygote is None or not self._zygote.alive:
                    if self._zygote is not None:
                        self._zygote.close()
                    self._zygote = ZygoteProcess(self._root, self._start_timeout)
                try:
                    return self._zygote, self._zygote.spawn(channel_fd, request)
                except ZygoteGone:
                    # its reader thread may not have noticed yet: retire it now, start afresh
                    self._zygote.close()
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
