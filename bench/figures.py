"""The benchmark's figures: one record per measured run, the machine, the targets, and their text."""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Run:
    """One measured grading of a class (ours, the baseline's, nbgrader's)."""

    label: str
    submissions: int
    wall: float
    seconds: tuple[float, ...] = ()  # per submission
    grader_peak_mb: float = 0.0
    student_peak_mb: float = 0.0
    grader_cpu: float = 0.0  # seconds, whole run
    student_cpu: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.submissions / self.wall if self.wall else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0

    @property
    def p95(self) -> float:
        if len(self.seconds) < 2:
            return self.median
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18]

    def row(self) -> str:
        per = f"{1000 * self.median:7.1f} {1000 * self.p95:7.1f}" if self.seconds else f"{'-':>7} {'-':>7}"
        mem = f"{self.grader_peak_mb:7.0f} {self.student_peak_mb:7.0f}" if self.grader_peak_mb else f"{'-':>7} {'-':>7}"
        return f"{self.label:34s} {self.submissions:6d} {self.wall:8.2f} {self.rate:8.1f} {per} {mem}"


HEADER = (f"{'run':34s} {'subs':>6} {'wall s':>8} {'subs/s':>8} {'med ms':>7} {'p95 ms':>7} "
          f"{'grdr MB':>7} {'stud MB':>7}")


@dataclass(frozen=True)
class Target:
    """One target of the issue: what, the limit, what was measured, and what limits it when missed."""

    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured
    limit: str = ""

    @property
    def goal_text(self) -> str:
        """"target <= 10 s", or "a figure, no target" for what is measured only to be read."""
        return f"target {self.goal}" if self.goal else "a figure, no target"

    def line(self) -> str:
        state = {True: "MET   ", False: "MISSED", None: "n/a   "}[self.met]
        return f"  [{state}] {self.name}: {self.measured} ({self.goal_text})" + (
            f"\n           limited by: {self.limit}" if self.met is False and self.limit else "")


def machine() -> dict[str, str]:
    """nproc, CPU model, memory, Python and numpy versions, load average."""
    import numpy

    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = "unknown"
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent).stdout.strip()
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "numpy": numpy.__version__, "os": f"{platform.system()} {platform.release()}",
            "commit": git or "unknown", "executable": sys.executable}


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"
