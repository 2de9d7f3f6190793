"""Frozen records that flow between the pipeline's stages (submission, case, outcome, check, result)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Fault = Literal["student", "grader", "none"]


@dataclass(frozen=True)
class FuncSpec:
    """A function argument described as data: built from `grader.testfuncs` on each side."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One call of one contract function: its inputs and how it is weighed."""

    function: str
    name: str
    kind: Literal["lecture", "edge", "random"]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    public: bool = False
    forbid_warnings: bool = False  # a RuntimeWarning during the call fails the case
    note: str = ""  # what the case is about, shown to the student


@dataclass(frozen=True)
class Submission:
    """One student's file as discovered: who, where, and what discovery noticed."""

    student: str
    path: str | None  # None when discovery could not pick a file
    late: bool = False
    problem: str = ""  # e.g. "ambiguous: a.py, b.ipynb"; empty when fine
    status: str = ""  # discovery status when it failed ("ambiguous"), else empty
    root: str | None = None  # the submissions folder `path` lies in: below it no link is followed (grader.safefs)


@dataclass(frozen=True)
class Cell:
    """A unit of student code to run in order: a notebook code cell or a whole .py file."""

    source: str
    filename: str  # shown in tracebacks, e.g. "hw03.ipynb [cell 4]"
    label: str  # e.g. "cell 4" or "hw03.py"


@dataclass(frozen=True)
class Program:
    """A submission turned into code cells, plus what loading noticed (neutralised magics...)."""

    cells: tuple[Cell, ...]
    kind: Literal["py", "ipynb"]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallOutcome:
    """What happened when one case ran in the student's process. Plain data only."""

    status: Literal["returned", "raised", "timeout", "crashed", "missing", "skipped", "not_run"]
    value: Any = None  # decoded plain data (arrays, numbers, lists, tuples) when returned
    error: str = ""  # exception type and message, or what killed the process
    error_types: tuple[str, ...] = ()  # names of the exception's classes (its MRO), when raised
    traceback: str = ""
    warnings: tuple[str, ...] = ()  # warning categories and messages raised during the call
    mutated: tuple[str, ...] = ()  # names of arguments the call modified in place
    seconds: float = 0.0


@dataclass(frozen=True)
class Check:
    """A scored case: passed or not, its points, and a message the student can act on."""

    part: str
    function: str
    case: str
    kind: str
    passed: bool
    points: float
    max_points: float
    message: str = ""
    fault: Fault = "none"
    public: bool = False
    hint: str = ""
    outcome: str = ""  # the call's status: returned, raised, timeout, crashed, missing, skipped, not_run


@dataclass(frozen=True)
class StudentResult:
    """Everything known about one student after grading; what the reporters consume."""

    student: str
    status: str  # graded, syntax_error, unreadable, timeout, crashed, ambiguous, load_error, ...
    message: str
    late: bool
    seed: int
    submission: str | None
    parts: dict[str, float]
    total: float
    max_total: float
    checks: tuple[Check, ...] = ()
    load_warnings: tuple[str, ...] = ()
    stdout: str = ""
    stderr: str = ""
    fault: Fault = "none"
    key: str = ""  # resume key: submission + assignment + seed + grader version
    seconds: float = 0.0
    isolation: str = ""  # how this student's code was isolated: "namespaces" or "process"; "" when none ran

    @property
    def percent(self) -> float:
        return 100.0 * self.total / self.max_total if self.max_total else 0.0
