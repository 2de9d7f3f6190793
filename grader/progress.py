"""A progress bar on stderr while a class is graded (a line every few students when not a TTY)."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from grader.safetext import terminal


class Progress:
    """Counts finished students and redraws one line; prints plain lines into logs and pipes."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total, self.done, self.width = total, 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.every = max(1, total // 10)

    def advance(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        filled = int(self.width * self.done / max(1, self.total))
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
                f"{elapsed:5.1f}s  {terminal(label)}")  # the label holds a student id: a file name
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
        elif self.done % self.every == 0 or self.done == self.total:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.total:
            self.stream.write("\n")
            self.stream.flush()
