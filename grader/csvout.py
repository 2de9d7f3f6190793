"""The gradebook CSVs: grades.csv (one row per student) and checks.csv (one row per case), streamed.

Text cells that come from students (the student id, from a file name; the messages) never start like a
spreadsheet formula: see grader.safetext.csv_text (read the id back with csv_text_back)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol, TextIO

from grader.assignment import Assignment
from grader.model import StudentResult
from grader.safetext import csv_text
from grader.store import StoredResults, atomic_writer


class GradeRow(Protocol):
    """What a grades.csv row needs: a StudentResult or a store.ResultSummary."""

    @property
    def student(self) -> str: ...
    @property
    def parts(self) -> dict[str, float]: ...
    @property
    def total(self) -> float: ...
    @property
    def max_total(self) -> float: ...
    @property
    def status(self) -> str: ...
    @property
    def late(self) -> bool: ...
    @property
    def seed(self) -> int: ...
    @property
    def percent(self) -> float: ...


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


class _Writers:
    """csv writers for rows ending in "\n": `plain`, and `quoted` (every cell quoted) for a row with a
    carriage return in a cell. The csv module quotes only the line terminator's characters, and a bare
    "\r" would end the row in a spreadsheet: a student id could then forge a row of its own."""

    def __init__(self, handle: TextIO) -> None:
        self.plain = csv.writer(handle, lineterminator="\n")
        self.quoted = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def of(self, *texts: str) -> Any:
        return self.quoted if any("\r" in t and "\n" not in t for t in texts) else self.plain


def write_grades(handle: TextIO, assignment: Assignment, rows: Sequence[GradeRow]) -> None:
    """grades.csv rows sorted by student, written one at a time (rows already in order are not copied)."""
    parts = [p.name for p in assignment.parts]
    writers = _Writers(handle)
    writers.plain.writerow(["student", *parts, "total", "max_total", "percent", "status", "late", "seed"])
    in_order = all(a.student <= b.student for a, b in pairwise(rows))
    for r in rows if in_order else sorted(rows, key=lambda r: r.student):
        writers.of(r.student).writerow([csv_text(r.student), *(_num(r.parts.get(p, 0.0)) for p in parts), _num(r.total),
                         _num(r.max_total), _num(r.percent), r.status, str(r.late).lower(), r.seed])


def grades_csv(assignment: Assignment, rows: Sequence[GradeRow]) -> str:
    buffer = io.StringIO()
    write_grades(buffer, assignment, rows)
    return buffer.getvalue()


def _by_student(results: Iterable[StudentResult]) -> Iterable[StudentResult]:
    """Results sorted by student; stored ones are read one at a time in that order."""
    if isinstance(results, StoredResults):
        return results.by_student()
    return sorted(results, key=lambda r: r.student)


_CHECK_COLUMNS = ["student", "part", "function", "check", "passed", "points", "max_points", "message"]


class CheckRows:
    """checks.csv's header (unless `header=False`: a later part of the file, e.g. a report shard's),
    then each added result's rows; each distinct point value is formatted once (a class has a few
    hundred of them)."""

    def __init__(self, handle: TextIO, header: bool = True) -> None:
        self._writers = _Writers(handle)
        if header:
            self._writers.plain.writerow(_CHECK_COLUMNS)
        self._nums: dict[float, str] = {}

    def _num(self, x: float) -> str:
        text = self._nums.get(x)
        if text is None:
            if len(self._nums) > 100_000:
                self._nums.clear()
            text = self._nums[x] = _num(x)
        return text

    def add(self, r: StudentResult) -> None:
        num, student = self._num, csv_text(r.student)  # the student's text only: numbers stay numbers
        self._writers.of(r.student, *(c.message for c in r.checks)).writerows([student, c.part, c.function, c.case, "true" if c.passed else "false", num(c.points),
                                num(c.max_points), csv_text(c.message)] for c in r.checks)


def write_checks(handle: TextIO, results: Iterable[StudentResult]) -> None:
    """checks.csv rows, one student at a time: only one student's checks are ever in memory."""
    rows = CheckRows(handle)
    for r in _by_student(results):
        rows.add(r)


class ChecksFile:
    """checks.csv written as results go by (`add`), e.g. during the HTML pass: each result is read once.

    Results must be added in student order; the file appears (atomically) when the `with` block ends.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / "checks.csv"
        self._file = atomic_writer(self.path)
        self._rows: CheckRows | None = None

    def __enter__(self) -> ChecksFile:
        self._rows = CheckRows(self._file.__enter__())
        return self

    def add(self, r: StudentResult) -> None:
        assert self._rows is not None, "use ChecksFile as a context manager"
        self._rows.add(r)

    def __exit__(self, *exc: Any) -> None:
        self._file.__exit__(*exc)


def checks_csv(results: Iterable[StudentResult]) -> str:
    buffer = io.StringIO()
    write_checks(buffer, results)
    return buffer.getvalue()


def write_grades_file(out: Path, assignment: Assignment, rows: Sequence[GradeRow]) -> Path:
    """grades.csv from the summaries alone, atomically."""
    with atomic_writer(out / "grades.csv") as handle:
        write_grades(handle, assignment, rows)
    return out / "grades.csv"


def write_csvs(out: Path, assignment: Assignment, results: Iterable[StudentResult],
               rows: Sequence[GradeRow] | None = None) -> tuple[Path, Path]:
    """Both files written atomically (temp file + rename), UTF-8, sorted by student.

    `rows` (e.g. ResultSummary) give grades.csv without reading `results` twice; checks.csv is
    streamed from `results` one student at a time.
    """
    if rows is None:
        results = results if isinstance(results, Sequence) else list(results)
    grades = write_grades_file(out, assignment, rows if rows is not None else results)  # type: ignore[arg-type]
    with ChecksFile(out) as checks:
        for r in _by_student(results):
            checks.add(r)
    return grades, checks.path
