"""A student's wall budget for loading and all its calls: no holding a grading slot for cases x timeout."""
from __future__ import annotations

import math
import time
from collections.abc import Sequence

from grader.model import CallOutcome, Case
from grader.sandbox.records import Limits

LOADS = 3  # loading limits in the default budget: the first load, and two notebook cells left out
CASES_PER_TIMEOUT = 25  # the default budget has one timeout per function, or per this many cases if more


def default_budget(timeout: float, loading: float, cases: Sequence[Case]) -> float:
    """3 loading limits, plus one timeout per function or per 25 cases, whichever is more: room for
    every function to time out once (then its other cases fail at once), never for every case."""
    functions = len({case.function for case in cases})
    return LOADS * loading + timeout * max(functions, math.ceil(len(cases) / CASES_PER_TIMEOUT))


class Budget:
    """The wall time one student may still use, from its first fork to its last answer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds  # inf: no budget

    @classmethod
    def of(cls, limits: Limits, cases: Sequence[Case]) -> Budget:
        """`limits.budget`, or the default for these cases (math.inf: none)."""
        return cls(limits.budget or default_budget(limits.timeout, limits.loading, cases))

    def deadline(self, limit: float) -> float:
        """The earlier of `limit` seconds from now and the budget's end."""
        return min(time.monotonic() + limit, self.end)

    def spent(self) -> bool:
        return time.monotonic() >= self.end

    def clocks(self, limits: Limits, calls: int) -> dict[str, int]:
        """The spawn request's CPU seconds (RLIMIT_CPU) for a process that loads and makes `calls` calls,
        and its namespace's lifetime should all else fail (never much past the budget)."""
        cpu = math.ceil(2 * (limits.loading + limits.timeout * calls)) + 10
        lifetime = 2 * cpu + 60
        if not math.isinf(self.end):
            lifetime = min(lifetime, math.ceil(max(0.0, self.end - time.monotonic())) + 60)
        return {"cpu_seconds": cpu, "lifetime": lifetime}

    def fail(self, outcomes: list[CallOutcome | None], pending: Sequence[int]) -> None:
        """The budget is spent: every case of `pending` not yet run fails at once, saying why."""
        for i in pending:
            if outcomes[i] is None:
                outcomes[i] = CallOutcome("skipped", error=self.not_run())

    def stop(self, outcomes: list[CallOutcome | None], index: int, name: str, later: Sequence[int]) -> list[int]:
        """Call `index` (of `name`) was running when the budget ran out: it times out and the cases `later`
        fail at once. Returns the cases still to run: none."""
        outcomes[index] = CallOutcome("timeout", error=f"timeout: {self._what()} ran out during {name}, so the "
                                                       "sandbox stopped it")
        self.fail(outcomes, later)
        return []

    def _what(self) -> str:
        return f"the time budget ({self.seconds:g} s for loading and all calls of one student, --student-budget)"

    def not_run(self) -> str:
        return (f"not run: {self._what()} was used up before this case; the cases before it keep their "
                "points. Make the slow functions faster: every call near --timeout uses up the budget")
