"""`grade export`: turn a finished run (DIR/grades.csv, DIR/results/) into LMS files: Canvas CSV, Gradescope JSON."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from grader import canvas, gradescope
from grader.assignment import Assignment, AssignmentError, load_assignment
from grader.discover import parse_canvas_name, safe_name
from grader.model import StudentResult
from grader.safetext import csv_text_back, terminal
from grader.store import ResultStore, atomic_write


class ExportError(ValueError):
    """The run's output cannot be read (no grades.csv, a missing result file): run `grade` first."""


def read_grades(out: Path) -> pd.DataFrame:
    path = out / "grades.csv"
    try:
        grades = pd.read_csv(path, dtype={"student": str, "status": str}, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ExportError(f"cannot read {path} ({exc}); run `grade SUBMISSIONS --out {out}` first") from None
    absent = {"student", "total", "max_total", "status"} - set(grades.columns)
    if absent:
        raise ExportError(f"{path} has no column {', '.join(sorted(absent))}: is it a grades.csv written by `grade`?")
    grades["student"] = grades["student"].astype(str).map(csv_text_back)  # as grades.csv defused it
    return grades


def read_result(out: Path, student: str) -> StudentResult:
    store = ResultStore(out, safe_name)
    path = store.path(student)
    try:
        result = store.read(student)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ExportError(f"cannot read {path} for {student} ({exc}); regrade with `grade ... --out {out}`") from None
    if result.student != student:
        raise ExportError(f"{path} holds the result of {result.student!r}, not {student!r}")
    return result


def graded_rows(out: Path, grades: pd.DataFrame) -> list[canvas.Graded]:
    """grades.csv rows, each with the Canvas user id of its submission's bulk-download name (if any)."""
    rows = []
    for _, row in grades.iterrows():
        student, user_id = str(row["student"]), ""
        try:
            submission = read_result(out, student).submission
        except ExportError:
            submission = None  # no Canvas user id to match on; the other rules still apply
        name = parse_canvas_name(submission) if submission else None
        if name is not None:
            user_id = str(name.user_id)
        rows.append(canvas.Graded(student, float(row["total"]), float(row["max_total"]), str(row["status"]), user_id))
    return rows


def export_canvas(out: Path, assignment: Assignment, roster_path: Path, column: str | None) -> tuple[Path, str, str]:
    """Write OUT/canvas_import.csv; returns its path, a summary for stdout and warnings for stderr."""
    roster = canvas.read_roster(roster_path)
    graded = graded_rows(out, read_grades(out))
    name = canvas.find_column(roster, assignment.id, column)
    merged = canvas.merge(roster, graded, name, assignment.max_total)
    target = out / "canvas_import.csv"
    atomic_write(target, canvas.to_csv(merged))
    by_rule = {rule: sum(r == rule for _, r in merged.matched.values()) for rule in canvas.RULES}
    rules = ", ".join(f"{n} by {rule}" for rule, n in by_rule.items() if n)
    scale = "" if merged.scale == 1 else f", scaled to {merged.points_possible:g} points possible"
    people = int((roster["ID"].str.strip() != "").sum())
    summary = (f"canvas: {people} roster students; {len(merged.matched)} matched ({rules or 'none'}); {len(merged.missing)} without a "
               f"submission get 0; {len(merged.unmatched)} submissions not in the roster\n"
               f"  wrote {target} (column {merged.column!r}{scale})")
    warnings = []
    if merged.missing:
        warnings.append(f"no submission (written as 0): {'; '.join(merged.missing)}")
    if merged.unmatched:
        warnings.append(f"not in the roster (NOT exported; check the student id or the SIS Login ID): "
                        f"{'; '.join(merged.unmatched)}")
    if merged.not_graded:
        warnings.append(f"exported although not graded (their total is 0; see grades.csv): {'; '.join(merged.not_graded)}")
    return target, summary, "\n".join(f"canvas: {w}" for w in warnings)


def export_gradescope(out: Path, assignment: Assignment, visibility: str) -> tuple[list[Path], str]:
    """Write OUT/gradescope/<safe student>/results.json for every student of grades.csv."""
    paths = []
    for student in read_grades(out)["student"].astype(str):
        result = read_result(out, student)
        target = out / "gradescope" / safe_name(student) / "results.json"
        atomic_write(target, json.dumps(gradescope.results_json(result, assignment, visibility), indent=1) + "\n")
        paths.append(target)
    return paths, f"gradescope: wrote {len(paths)} results.json files under {out / 'gradescope'}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade export", description="Export the results of a `grade` run for Canvas and/or Gradescope.",
        epilog="Exit status: 0 when the files were written, 2 for a usage error (missing roster or run output).")
    p.add_argument("--out", type=Path, default=Path("reports"), help="the output folder of `grade` (default: reports/)")
    p.add_argument("--assignment", default="hw03", help="assignment name or folder (default: hw03)")
    p.add_argument("--canvas", type=Path, metavar="ROSTER.csv", help="a Canvas gradebook export to merge the totals into")
    p.add_argument("--column", help="the Canvas assignment column (default: the one column named after the assignment)")
    p.add_argument("--gradescope", action="store_true", help="write a Gradescope results.json per student")
    p.add_argument("--hidden-visibility", default="after_published", choices=gradescope.VISIBILITIES[1:],
                   help="Gradescope visibility of the hidden cases' tests (default: after_published)")
    return p


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    if not args.canvas and not args.gradescope:
        print("grade export: error: nothing to do: give --canvas ROSTER.csv and/or --gradescope", file=sys.stderr)
        return 2
    try:
        assignment = load_assignment(args.assignment, need_cases=False)
        if args.canvas:
            _, summary, warnings = export_canvas(args.out, assignment, args.canvas, args.column)
            print(terminal(summary, newlines=True))
            if warnings:
                print(terminal(warnings, newlines=True), file=sys.stderr)
        if args.gradescope:
            print(export_gradescope(args.out, assignment, args.hidden_visibility)[1])
    except (AssignmentError, ExportError, canvas.CanvasError) as exc:
        print(f"grade export: error: {terminal(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"grade export: error: cannot write to {args.out} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    return 0
