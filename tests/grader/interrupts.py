"""Helpers for the Ctrl-C tests of `grade` and `selfcheck`: a process group of their own, fork servers."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def own_group_default_sigint() -> None:
    """preexec_fn: a new process group (to signal as Ctrl-C does), with SIGINT at its default (a
    background shell job would start with it ignored)."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _parent(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def fork_servers(under: int | None = None) -> set[int]:
    """Pids of the sandbox fork servers running on this machine; with `under`, only those descending
    from that process (other test runs on the machine have fork servers of their own)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"grader.sandbox.zygote" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except OSError:
            pass
    if under is None:
        return found
    ours = set()
    for pid in found:
        ancestor = pid
        while ancestor > 1 and ancestor != under:
            ancestor = _parent(ancestor)
        if ancestor == under:
            ours.add(pid)
    return ours


def gone(pids: set[int], within: float = 10.0) -> bool:
    """Whether every process of `pids` has ended (zombies included), polling for up to `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        left = {p for p in pids if (Path("/proc") / str(p)).exists() and b") Z" not in _stat(p)}
        if not left or time.monotonic() > deadline:
            return not left
        time.sleep(0.1)


def _stat(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "stat").read_bytes()
    except OSError:
        return b") Z"
