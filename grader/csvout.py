"""The gradebook CSVs: grades.csv (one row per student) and checks.csv (one row per case), streamed."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, TextIO

from grader.assignment import Assignment
from grader.model import StudentResult
from grader.store import StoredResults, atomic_write, atomic_writer

STATE_FILE = ".csv-state.json"  # what the CSVs were written from: lets an unchanged re-run skip them


class GradeRow(Protocol):
    """What a grades.csv row needs: a StudentResult or a store.ResultSummary."""

    student: str
    parts: dict[str, float]
    total: float
    max_total: float
    status: str
    late: bool
    seed: int
    key: str

    @property
    def percent(self) -> float: ...


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def grades_csv(assignment: Assignment, rows: Sequence[GradeRow]) -> str:
    parts = [p.name for p in assignment.parts]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *parts, "total", "max_total", "percent", "status", "late", "seed"])
    for r in sorted(rows, key=lambda r: r.student):
        writer.writerow([r.student, *(_num(r.parts.get(p, 0.0)) for p in parts), _num(r.total),
                         _num(r.max_total), _num(r.percent), r.status, str(r.late).lower(), r.seed])
    return buffer.getvalue()


def _by_student(results: Iterable[StudentResult]) -> Iterable[StudentResult]:
    """Results sorted by student; stored ones are sorted by name, then read one at a time."""
    if isinstance(results, StoredResults):
        order = sorted(range(len(results)), key=results.students.__getitem__)
        return (results[i] for i in order)
    return sorted(results, key=lambda r: r.student)


def write_checks(handle: TextIO, results: Iterable[StudentResult]) -> None:
    """checks.csv rows, one student at a time: only one student's checks are ever in memory."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["student", "part", "function", "check", "passed", "points", "max_points", "message"])
    for r in _by_student(results):
        writer.writerows([r.student, c.part, c.function, c.case, "true" if c.passed else "false", _num(c.points),
                          _num(c.max_points), c.message] for c in r.checks)


def checks_csv(results: Iterable[StudentResult]) -> str:
    buffer = io.StringIO()
    write_checks(buffer, results)
    return buffer.getvalue()


def _state(out: Path, digest: str) -> dict[str, object]:
    files = {}
    for name in ("grades.csv", "checks.csv"):
        stat = (out / name).stat()
        files[name] = [stat.st_size, stat.st_mtime_ns]
    return {"digest": digest, "files": files}


def _digest(rows: Sequence[GradeRow]) -> str:
    digest = hashlib.sha256(b"csv-v1")
    for row in sorted(rows, key=lambda r: r.student):
        digest.update(f"\0{row.student}\0{row.key}".encode())
    return digest.hexdigest()


def write_csvs(out: Path, assignment: Assignment, results: Iterable[StudentResult],
               rows: Sequence[GradeRow] | None = None, *, skip_unchanged: bool = False) -> tuple[Path, Path]:
    """Both files written atomically (temp file + rename), UTF-8, sorted by student.

    `rows` (e.g. ResultSummary) give grades.csv without reading `results` twice. With
    `skip_unchanged`, the CSVs are left as they are when the last run wrote them from the same
    students and resume keys (so the same results) and they were not touched since.
    """
    grades, checks = out / "grades.csv", out / "checks.csv"
    if rows is None:
        results = results if isinstance(results, Sequence) else list(results)
        rows = results
    state_path = out / STATE_FILE
    digest = _digest(rows)
    if skip_unchanged:
        try:
            if json.loads(state_path.read_text(encoding="utf-8")) == _state(out, digest):
                return grades, checks
        except (OSError, ValueError):
            pass
    state_path.unlink(missing_ok=True)
    atomic_write(grades, grades_csv(assignment, rows))
    with atomic_writer(checks) as handle:
        write_checks(handle, results)
    atomic_write(state_path, json.dumps(_state(out, digest)))
    return grades, checks
