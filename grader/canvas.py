"""Merge the totals of grades.csv into a Canvas gradebook export, so that it can be imported back.

A Canvas export has the columns `Student, ID, SIS User ID, SIS Login ID, [Integration ID,]
Section`, then one column per assignment (`HW03 (123456)`) and read-only totals. Its first rows
may be "Points Possible" (and "Manual Posting") rows, recognisable by an empty `ID`.

Each graded student is matched to one roster row, in this order, each rule only when it picks
exactly one row not matched yet:
  1. our student id equals `SIS Login ID` (case-insensitive);
  2. the Canvas user id in the submission's bulk-download file name (`login_123_456_hw03.py`) equals `ID`;
  3. our student id equals `SIS User ID`;
  4. our student id equals the roster name reduced the way Canvas names bulk-download files
     (`Student` lower-cased, everything but letters and digits removed: "Chen, Wei" -> "chenwei").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from grader.safetext import csv_text

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section")
REQUIRED = ("Student", "ID", "Section")
RULES = ("SIS Login ID", "Canvas user id in the file name", "SIS User ID", "name")


class CanvasError(ValueError):
    """The roster or the grades cannot be merged (wrong file, missing columns): the instructor's to fix."""


@dataclass(frozen=True)
class Graded:
    """One row of grades.csv, with the Canvas user id of its bulk-download file name when there is one."""

    student: str
    total: float
    max_total: float
    status: str
    canvas_user_id: str = ""


@dataclass(frozen=True)
class Merge:
    """The merged gradebook and what the merge noticed."""

    table: pd.DataFrame
    column: str
    points_possible: float
    scale: float  # Canvas points per grader point
    matched: dict[str, tuple[str, str]]  # student -> (roster name, rule)
    missing: tuple[str, ...]  # roster students without a submission (they get 0)
    unmatched: tuple[str, ...]  # our students not in the roster
    not_graded: tuple[str, ...]  # matched students whose status is not `graded` ("name (status)")


def compact(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def read_roster(path: Path) -> pd.DataFrame:
    """The export as strings, exactly as written (a UTF-8 BOM removed); CanvasError if it is not one."""
    try:
        roster = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CanvasError(f"cannot read the Canvas export {path}: {exc}") from None
    absent = [c for c in REQUIRED if c not in roster.columns]
    if absent:
        raise CanvasError(f"{path} is not a Canvas gradebook export: no column {', '.join(absent)} "
                          f"(its columns: {', '.join(map(str, roster.columns[:8]))})")
    return roster


def find_column(roster: pd.DataFrame, assignment_id: str, requested: str | None) -> str:
    """The assignment column: --column as given (or `NAME (id)`), else the one column named after the assignment."""
    columns = [str(c) for c in roster.columns if str(c) not in IDENTITY]
    if requested in IDENTITY:
        raise CanvasError(f"--column {requested!r} is one of the roster's identity columns; name the assignment column")
    if requested:
        if requested in columns:
            return requested
        prefixed = [c for c in columns if c.startswith(requested + " (")]
        return prefixed[0] if len(prefixed) == 1 else requested  # a new name: Canvas creates the assignment
    found = [c for c in columns if compact(c).startswith(compact(assignment_id))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CanvasError(f"no column for {assignment_id} in the export; give --column NAME (an existing column, "
                          "or a new name: Canvas then creates that assignment on import)")
    raise CanvasError(f"several columns could be {assignment_id}: {', '.join(found)}; choose one with --column")


def _points_possible(meta: pd.DataFrame, column: str) -> float | None:
    for _, row in meta.iterrows():
        if str(row["Student"]).strip().lower() == "points possible" and column in row:
            try:
                return float(str(row[column]).strip())
            except ValueError:
                return None
    return None


def _match(graded: list[Graded], people: pd.DataFrame) -> tuple[dict[str, int], dict[str, str]]:
    """student -> roster index and the rule that matched; each rule only for unique, unclaimed rows."""
    keys = {
        RULES[0]: people.get("SIS Login ID", pd.Series("", index=people.index)).str.strip().str.lower(),
        RULES[1]: people["ID"].str.strip(),
        RULES[2]: people.get("SIS User ID", pd.Series("", index=people.index)).str.strip().str.lower(),
        RULES[3]: people["Student"].map(compact),
    }
    wanted = {RULES[0]: lambda g: g.student.strip().lower(), RULES[1]: lambda g: g.canvas_user_id,
              RULES[2]: lambda g: g.student.strip().lower(), RULES[3]: lambda g: compact(g.student)}
    rows: dict[str, int] = {}
    rules: dict[str, str] = {}
    for rule in RULES:
        claims: dict[int, list[str]] = {}
        for g in graded:
            key = wanted[rule](g)
            if g.student in rows or not key:
                continue
            hits = [i for i in people.index[keys[rule] == key] if i not in rows.values()]
            if len(hits) == 1:
                claims.setdefault(hits[0], []).append(g.student)
        for index, students in claims.items():
            if len(students) == 1:  # two students claiming one row by the same rule: neither gets it
                rows[students[0]], rules[students[0]] = index, rule
    return rows, rules


def merge(roster: pd.DataFrame, graded: list[Graded], column: str, max_total: float) -> Merge:
    """The roster's identity columns plus `column` holding each student's total (0 without a submission).

    Totals are scaled to the column's Points Possible when the export gives one (the percentage
    is kept), and rounded to 2 decimals.
    """
    is_meta = roster["ID"].str.strip() == ""
    meta, people = roster[is_meta], roster[~is_meta]
    possible = _points_possible(meta, column)
    scale = possible / max_total if possible and max_total else 1.0
    rows, rules = _match(graded, people)
    by_student = {g.student: g for g in graded}
    scores = pd.Series(0.0, index=people.index)
    for student, index in rows.items():
        scores[index] = round(by_student[student].total * scale, 2)
    out = roster[[c for c in IDENTITY if c in roster.columns]].copy()
    out[column] = roster[column] if column in roster.columns else ""  # meta rows keep their values
    out.loc[people.index, column] = scores.map(lambda x: f"{x:.2f}")
    if possible is None:  # a new column: tell Canvas how many points it is out of
        out.loc[meta.index[meta["Student"].str.strip().str.lower() == "points possible"], column] = f"{max_total:.2f}"
    claimed = set(rows.values())
    missing = tuple(str(people.at[i, "Student"]) for i in people.index if i not in claimed)
    return Merge(
        table=out, column=column, points_possible=possible if possible else max_total, scale=scale,
        matched={s: (str(people.at[i, "Student"]), rules[s]) for s, i in rows.items()}, missing=missing,
        unmatched=tuple(g.student for g in graded if g.student not in rows),
        not_graded=tuple(f"{s} ({by_student[s].status})" for s in rows if by_student[s].status != "graded"))


def to_csv(merged: Merge) -> str:
    """The merged gradebook as CSV; a student's name (which students may set in Canvas) never starts like
    a spreadsheet formula (grader.safetext.csv_text), nor holds a bare carriage return, which would end
    the row (Canvas matches the rows by ID on import)."""
    table = merged.table.copy()
    table["Student"] = table["Student"].astype(str).map(lambda name: csv_text(name.replace("\r", " ")))
    return table.to_csv(index=False, lineterminator="\n")
