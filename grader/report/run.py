"""What the report says about the run itself: assignment, seed policy, time, limits, where the submissions were."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grader.assignment import Assignment

SEED_POLICY = "per student: sha256(assignment seed:student id)"
# how the sandbox's detail says a defence was off (grader/sandbox/defences.py, fairness.py, runner.py)
WEAK_MARKERS = ("NOT ", "could not", "shared per process", "PROCESS ONLY", "unavailable")
DEFAULT_TIMEOUT, DEFAULT_MEMORY_MB = 10.0, 2048  # the `grade` defaults; other values go into replay commands


@dataclass(frozen=True)
class RunInfo:
    """The run's settings as the pages show them and as a replay needs them."""

    assignment: str
    title: str
    seed: int  # the assignment seed the students' seeds derive from
    seed_policy: str
    finished: str  # local time the report was written, ISO 8601 to the second
    timeout: float
    memory_mb: int
    submissions: str  # as given to `grade`; used in the replay commands
    isolation: str = ""  # "namespaces" or "process" (SECURITY.md), the weakest used; "" when unknown
    isolation_where: str = ""  # which workers used that level, e.g. "worker tcp://10.0.0.7:40123 (1 of 3 workers)"
    isolation_detail: str = ""  # what was set up, as run.json says: namespaces, view, filter, cgroups, CPU sharing

    @property
    def weakened(self) -> tuple[str, ...]:
        """The parts of the isolation detail that say a kernel defence was not active (shown in bold)."""
        parts = [p.strip() for p in self.isolation_detail.split("; ")]
        return tuple(p for p in parts if any(m in p for m in WEAK_MARKERS))

    @classmethod
    def now(cls, assignment: Assignment, submissions: Path | str, timeout: float, memory_mb: int,
            isolation: str = "", isolation_where: str = "", isolation_detail: str = "") -> RunInfo:
        return cls(assignment=assignment.id, title=assignment.title, seed=assignment.seed, seed_policy=SEED_POLICY,
                   finished=datetime.now().astimezone().isoformat(timespec="seconds"), timeout=timeout,
                   memory_mb=memory_mb, submissions=str(submissions), isolation=isolation,
                   isolation_where=isolation_where, isolation_detail=isolation_detail)

    def replay_args(self) -> list[str]:
        """The flags that make `grade replay` run with this run's assignment, seed and limits."""
        args = ["--assignment", self.assignment, "--seed", str(self.seed)]
        if self.timeout != DEFAULT_TIMEOUT:
            args += ["--timeout", f"{self.timeout:g}"]
        if self.memory_mb != DEFAULT_MEMORY_MB:
            args += ["--memory", str(self.memory_mb)]
        return args
