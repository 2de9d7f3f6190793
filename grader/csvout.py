"""The gradebook CSVs: grades.csv (one row per student) and checks.csv (one row per case)."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from grader.assignment import Assignment
from grader.model import StudentResult
from grader.store import atomic_write


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def grades_csv(assignment: Assignment, results: Sequence[StudentResult]) -> str:
    parts = [p.name for p in assignment.parts]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *parts, "total", "max_total", "percent", "status", "late", "seed"])
    for r in sorted(results, key=lambda r: r.student):
        writer.writerow([r.student, *(_num(r.parts.get(p, 0.0)) for p in parts), _num(r.total),
                         _num(r.max_total), _num(r.percent), r.status, str(r.late).lower(), r.seed])
    return buffer.getvalue()


def checks_csv(results: Sequence[StudentResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "part", "function", "check", "passed", "points", "max_points", "message"])
    for r in sorted(results, key=lambda r: r.student):
        for c in r.checks:
            writer.writerow([r.student, c.part, c.function, c.case, str(c.passed).lower(), _num(c.points),
                             _num(c.max_points), c.message])
    return buffer.getvalue()


def write_csvs(out: Path, assignment: Assignment, results: Sequence[StudentResult]) -> tuple[Path, Path]:
    """Both files written atomically (temp file + rename), UTF-8, sorted by student."""
    grades, checks = out / "grades.csv", out / "checks.csv"
    atomic_write(grades, grades_csv(assignment, results))
    atomic_write(checks, checks_csv(results))
    return grades, checks
