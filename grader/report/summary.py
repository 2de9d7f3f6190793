"""Class-level figures for the instructor's index page: status counts, pass rates per part and function."""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from grader.assignment import Assignment
from grader.model import StudentResult

LOAD_ERRORS = frozenset({"syntax_error", "unreadable", "import_error", "crashed", "load_error"})
NOT_SUBMITTED = frozenset({"no_submission", "ambiguous"})


@dataclass(frozen=True)
class FunctionStats:
    """One function over the students whose code ran: its cases passed and its points earned."""

    name: str
    part: str
    points: float
    students: int  # students whose code ran
    cases: int  # their checks of this function, together
    passed: int  # of those, the ones that passed
    full_marks: int  # students who passed every case of it
    timeouts: int  # students with at least one timed-out call of it
    mean_points: float

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class PartStats:
    """One part (a gradebook column) over the students whose code ran."""

    name: str
    title: str
    max_points: float
    students: int
    cases: int
    passed: int
    full_marks: int
    mean_points: float

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class ClassSummary:
    """Everything the index page shows about the class as a whole."""

    students: int
    ran: int  # students whose code ran (graded, or import_error with functions defined before the error)
    statuses: tuple[tuple[str, int], ...]  # (status, count), most common first
    load_errors: int
    not_submitted: int
    grader_errors: int
    timeouts: int  # students with a timeout while loading or in any call
    late: int
    mean_percent: float
    median_percent: float
    percents: tuple[float, ...]  # every student's percent, for the histogram
    parts: tuple[PartStats, ...]
    functions: tuple[FunctionStats, ...]


def code_ran(result: StudentResult) -> bool:
    """True when at least one of the student's functions was called (their code loaded, at least in part)."""
    return any(c.outcome not in ("not_run", "") for c in result.checks)


def had_timeout(result: StudentResult) -> bool:
    return result.status == "timeout" or any(c.outcome == "timeout" for c in result.checks)


def function_stats(assignment: Assignment, results: Sequence[StudentResult]) -> tuple[FunctionStats, ...]:
    """Pass rates and points per function, counted over the students whose code ran."""
    ran = [r for r in results if code_ran(r)]
    stats = []
    for spec in assignment.functions:
        per_student = [[c for c in r.checks if c.function == spec.name] for r in ran]
        stats.append(FunctionStats(
            name=spec.name, part=spec.part, points=spec.points, students=len(ran),
            cases=sum(len(cs) for cs in per_student),
            passed=sum(c.passed for cs in per_student for c in cs),
            full_marks=sum(bool(cs) and all(c.passed for c in cs) for cs in per_student),
            timeouts=sum(any(c.outcome == "timeout" for c in cs) for cs in per_student),
            mean_points=statistics.fmean([sum(c.points for c in cs) for cs in per_student]) if ran else 0.0))
    return tuple(stats)


def part_stats(assignment: Assignment, results: Sequence[StudentResult]) -> tuple[PartStats, ...]:
    """Pass rates and points per part, counted over the students whose code ran."""
    ran = [r for r in results if code_ran(r)]
    stats = []
    for part in assignment.parts:
        per_student = [[c for c in r.checks if c.part == part.name] for r in ran]
        stats.append(PartStats(
            name=part.name, title=part.title, max_points=sum(f.points for f in part.functions), students=len(ran),
            cases=sum(len(cs) for cs in per_student),
            passed=sum(c.passed for cs in per_student for c in cs),
            full_marks=sum(bool(cs) and all(c.passed for c in cs) for cs in per_student),
            mean_points=statistics.fmean([r.parts.get(part.name, 0.0) for r in ran]) if ran else 0.0))
    return tuple(stats)


def summarise(assignment: Assignment, results: Sequence[StudentResult]) -> ClassSummary:
    """The class summary: counts by status, timeouts, lateness, score distribution, pass rates."""
    statuses = Counter(r.status for r in results)
    percents = tuple(r.percent for r in results)
    return ClassSummary(
        students=len(results),
        ran=sum(code_ran(r) for r in results),
        statuses=tuple(sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
        load_errors=sum(n for s, n in statuses.items() if s in LOAD_ERRORS),
        not_submitted=sum(n for s, n in statuses.items() if s in NOT_SUBMITTED),
        grader_errors=statuses.get("grader_error", 0),
        timeouts=sum(had_timeout(r) for r in results),
        late=sum(r.late for r in results),
        mean_percent=statistics.fmean(percents) if percents else 0.0,
        median_percent=statistics.median(percents) if percents else 0.0,
        percents=percents,
        parts=part_stats(assignment, results),
        functions=function_stats(assignment, results),
    )
