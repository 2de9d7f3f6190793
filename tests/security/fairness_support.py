"""Helpers for the fairness tests: programs and cases built from source text, a sampler of the disk
a folder holds, and the wall time of a clean student's run."""
from __future__ import annotations

import os
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

from grader.model import Case, Cell, Program
from grader.sandbox import Limits, RunReport, Sandbox

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "submissions"


def py(source: str) -> Program:
    return Program(cells=(Cell(textwrap.dedent(source), "hw03.py", "hw03.py"),), kind="py")


def case(function: str, *args: Any, name: str = "") -> Case:
    return Case(function=function, name=name or f"{function}-case", kind="edge", args=args)


def cases(functions: list[str], each: int, *args: Any) -> list[Case]:
    """`each` cases of every function in turn (as the grader plans them: function by function)."""
    return [case(f, *args, name=f"{f}-{i}") for f in functions for i in range(each)]


def held_bytes(folder: Path) -> int:
    """The disk the regular files under `folder` hold now (allocated blocks, not apparent sizes)."""
    total = 0
    for top, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(top, name)).st_blocks * 512
            except OSError:
                continue  # removed while we looked
    return total


class DiskSampler:
    """The most disk the files under a folder held at once, sampled every few milliseconds."""

    def __init__(self, folder: Path, every: float = 0.005) -> None:
        self.folder = folder
        self.every = every
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.most = max(self.most, held_bytes(self.folder))
            time.sleep(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=10)
        self.most = max(self.most, held_bytes(self.folder))
        return self.most


CLEAN_WORK = """
def work(n):
    x = 0
    for i in range(n):
        x += i * i
    return x
"""


def clean_run_seconds(box: Sandbox, n: int, calls: int) -> float:
    """Wall time of a clean, CPU-bound student: `calls` calls of a pure-Python loop of `n` steps."""
    start = time.perf_counter()
    report: RunReport = box.run(py(CLEAN_WORK), [case("work", n, name=f"w{i}") for i in range(calls)],
                                Limits(timeout=120, memory_mb=1024))
    seconds = time.perf_counter() - start
    assert [o.status for o in report.outcomes] == ["returned"] * calls, report.outcomes
    assert report.outcomes[0].value == sum(i * i for i in range(n))
    return seconds
