"""One `grade` run per output folder: an flock on DIR/.grade.lock, and cleanup of a killed run's temp files."""
from __future__ import annotations

import fcntl
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".grade.lock"
# the temp files of grader.store.atomic_writer: ".<name>.<8 random characters>.tmp"
TEMP_FILE = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")


class RunLocked(Exception):
    """Another `grade` run holds the output folder; the message names it and says what to do."""


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return f" ({text})" if text else ""


def sweep_temp_files(out: Path) -> list[Path]:
    """Remove temp files a killed run left in `out` (only safe while holding its lock)."""
    removed = []
    for folder, _dirs, files in os.walk(out):
        for name in files:
            if TEMP_FILE.fullmatch(name):
                path = Path(folder) / name
                try:
                    path.unlink()
                    removed.append(path)
                except FileNotFoundError:
                    pass
    return removed


@contextmanager
def hold(out: Path) -> Iterator[Path]:
    """Create `out` if needed and lock it for this run, or raise RunLocked at once (never waits).

    The lock is an flock: the kernel drops it when the process ends, even by `kill -9`, so a
    re-run never finds a stale lock. Temp files of an earlier, interrupted run are removed.
    """
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(f"another `grade` run is using the output folder {out}{_holder(fd)}; wait for it "
                            "to finish, or give this run another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since "
                      f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        sweep_temp_files(out)
        yield out
    finally:
        os.close(fd)  # releases the lock
