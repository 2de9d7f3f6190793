"""Class-level figures for the index page, tallied one student at a time (results need not fit in memory)."""
from __future__ import annotations

import statistics
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from grader.assignment import Assignment
from grader.model import Check, StudentResult
from grader.report.charts import histogram_bin

LOAD_ERRORS = frozenset({"syntax_error", "unreadable", "import_error", "crashed", "load_error"})
NOT_SUBMITTED = frozenset({"no_submission", "ambiguous"})


@dataclass(frozen=True)
class Row:
    """One student's line in the index table."""

    student: str
    status: str
    late: bool
    parts: dict[str, float]
    total: float
    percent: float
    failed: int  # failed cases
    hints: int  # failed cases with a hint
    timeout: bool  # a timeout while loading or in any call
    ran: bool  # at least one function was called


@dataclass(frozen=True)
class Rate:
    """A function or a part over the students whose code ran: cases passed, full marks, points."""

    name: str
    group: str  # the part of a function; the title of a part
    points: float  # what it is worth
    students: int
    cases: int
    passed: int
    full_marks: int  # students who passed every case of it
    timeouts: int  # students with at least one timed-out call in it
    mean_points: float

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class TallyPart:
    """A Tally's counts as plain data (Tally.part): what a report shard hands back."""

    students: int
    ran: int
    timeouts: int
    late: int
    statuses: dict[str, int]
    bins: list[int]
    counts: dict[str, dict[str, float]]  # by function and part: cases, passed, full, timeouts (whole numbers)
    keys: list[str]  # the functions and parts named by number in `points`
    percents: array  # each student's percent, in order (float64)
    points: array  # (key number, points) pairs, in the order the students' points were added (float64)


@dataclass(frozen=True)
class ClassSummary:
    """Everything the index page shows about the class as a whole."""

    students: int
    ran: int  # students whose code ran (graded, or import_error with functions defined before the error)
    statuses: tuple[tuple[str, int], ...]  # (status, count), most common first
    load_errors: int
    not_submitted: int
    grader_errors: int
    timeouts: int
    late: int
    mean_percent: float
    median_percent: float
    bins: tuple[int, ...]  # students per 10 percentage points of the total (charts.histogram_bins)
    parts: tuple[Rate, ...]
    functions: tuple[Rate, ...]


def row(result: StudentResult) -> Row:
    """The index line of one student."""
    failed = [c for c in result.checks if not c.passed]
    return Row(student=result.student, status=result.status, late=result.late, parts=dict(result.parts),
               total=result.total, percent=result.percent, failed=len(failed), hints=sum(bool(c.hint) for c in failed),
               timeout=result.status == "timeout" or any(c.outcome == "timeout" for c in result.checks),
               ran=any(c.outcome not in ("not_run", "") for c in result.checks))


class Tally:
    """Adds students up one at a time; `summary()` gives the class figures so far.

    Only counts are kept, and each student's percent as 8 bytes (for the median): a class of
    10,000 students costs 80 KB here, not a row object each.

    Tallies of consecutive groups of students (report shards, grader/report/shards.py) combine
    with `merge(part())` into exactly the figures of one tally over them all. The counts are whole
    numbers, so adding them up in any order gives the same; the points are floats, so a tally made
    with `log_points=True` also records each student's points per function and part (16 bytes each),
    and `merge` adds them in the students' order, as `add` would have.
    """

    def __init__(self, assignment: Assignment, log_points: bool = False) -> None:
        self.assignment = assignment
        self.students = self.ran = self.timeouts = self.late = 0
        self.statuses: Counter[str] = Counter()
        self.percents = array("d")
        self.bins = [0] * 10
        keys = [f.name for f in assignment.functions] + [p.name for p in assignment.parts]
        self._counts: dict[str, defaultdict[str, float]] = {k: defaultdict(float) for k in keys}  # function, part
        self._points_log: array | None = array("d") if log_points else None  # (key number, points) pairs
        self._key_numbers: dict[str, int] = {}

    def add(self, result: StudentResult) -> Row:
        line = row(result)
        self.students += 1
        self.ran += line.ran
        self.timeouts += line.timeout
        self.late += line.late
        self.statuses[line.status] += 1
        self.percents.append(line.percent)
        self.bins[histogram_bin(line.percent, len(self.bins))] += 1
        if not line.ran:
            return line  # pass rates count the students whose code ran
        for group in ("function", "part"):
            by: dict[str, list[Check]] = {}
            for c in result.checks:
                by.setdefault(getattr(c, group), []).append(c)
            for name, checks in by.items():
                tally = self._counts.setdefault(name, defaultdict(float))
                tally["cases"] += len(checks)
                tally["passed"] += sum(c.passed for c in checks)
                tally["full"] += all(c.passed for c in checks)
                tally["timeouts"] += any(c.outcome == "timeout" for c in checks)
                tally["points"] += (points := sum(c.points for c in checks))
                if self._points_log is not None:
                    self._points_log.extend((self._key_numbers.setdefault(name, len(self._key_numbers)), points))
        return line

    def part(self) -> TallyPart:
        """These counts as plain data, for `merge` into the tally of the students before these."""
        assert self._points_log is not None, "make the tally with log_points=True"
        counts = {name: {k: v for k, v in t.items() if k != "points"} for name, t in self._counts.items()}
        return TallyPart(students=self.students, ran=self.ran, timeouts=self.timeouts, late=self.late,
                         statuses=dict(self.statuses), bins=list(self.bins), counts=counts,
                         keys=list(self._key_numbers), percents=self.percents, points=self._points_log)

    def merge(self, part: TallyPart) -> None:
        """Add the students of `part`, who come after every student added so far."""
        self.students += part.students
        self.ran += part.ran
        self.timeouts += part.timeouts
        self.late += part.late
        self.statuses.update(part.statuses)
        self.percents.extend(part.percents)
        self.bins = [a + b for a, b in zip(self.bins, part.bins, strict=True)]
        for name, counts in part.counts.items():
            tally = self._counts.setdefault(name, defaultdict(float))
            for key, n in counts.items():
                tally[key] += n  # whole numbers (as floats, exact below 2**53): any order gives the same
        log, keys = part.points, part.keys
        for i in range(0, len(log), 2):  # the points in the students' order, as `add` added them
            self._counts[keys[int(log[i])]]["points"] += log[i + 1]
            if self._points_log is not None:
                self._points_log.extend((self._key_numbers.setdefault(keys[int(log[i])], len(self._key_numbers)),
                                         log[i + 1]))

    def _rate(self, name: str, group: str, points: float, ran: int) -> Rate:
        t = self._counts[name]
        return Rate(name=name, group=group, points=points, students=ran, cases=int(t["cases"]),
                    passed=int(t["passed"]), full_marks=int(t["full"]), timeouts=int(t["timeouts"]),
                    mean_points=t["points"] / ran if ran else 0.0)

    def summary(self) -> ClassSummary:
        ran, statuses, percents = self.ran, self.statuses, self.percents
        return ClassSummary(
            students=self.students, ran=ran,
            statuses=tuple(sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
            load_errors=sum(n for s, n in statuses.items() if s in LOAD_ERRORS),
            not_submitted=sum(n for s, n in statuses.items() if s in NOT_SUBMITTED),
            grader_errors=statuses.get("grader_error", 0),
            timeouts=self.timeouts, late=self.late,
            mean_percent=statistics.fmean(percents) if percents else 0.0,
            median_percent=_median(percents),
            bins=tuple(self.bins),
            parts=tuple(self._rate(p.name, p.title, sum(f.points for f in p.functions), ran)
                        for p in self.assignment.parts),
            functions=tuple(self._rate(f.name, f.part, f.points, ran) for f in self.assignment.functions))


def _median(values: array) -> float:
    """statistics.median of the values, sorted in numpy (8 bytes a value, no Python float each)."""
    if not values:
        return 0.0
    ordered, mid = np.sort(np.frombuffer(values, dtype=np.float64)), len(values) // 2
    return float(ordered[mid]) if len(values) % 2 else (float(ordered[mid - 1]) + float(ordered[mid])) / 2


def summarise(assignment: Assignment, results: Iterable[StudentResult]) -> ClassSummary:
    """The class summary of `results`, read once."""
    tally = Tally(assignment)
    for result in results:
        tally.add(result)
    return tally.summary()
