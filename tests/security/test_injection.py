"""A student's text can neither drive the TA's terminal nor become a spreadsheet formula (issue 13, class 8).

Student ids are file names, and messages hold what the student's code raised: both may carry escape
sequences (clear the screen, move the cursor to forge a "100 / 100" line, write the clipboard with
OSC 52), carriage returns, C1 controls and bidi overrides that reorder a line. Every terminal line the
grader prints shows them escaped (`\\x1b`, `\\r`, `\\u202e`). In grades.csv, checks.csv and the Canvas
import, a text cell that a spreadsheet would evaluate (OWASP: starting with =, +, -, @, tab, carriage
return) gets a leading single quote; numbers stay numbers.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from grader import replay
from grader.assignment import load_assignment
from grader.cli import main as grade
from grader.csvout import grades_csv
from grader.progress import Progress

REPO = Path(__file__).resolve().parents[2]
ROSTER = REPO / "tests" / "fixtures" / "canvas" / "gradebook_export.csv"
# What a terminal acts on: C0 but newline, DEL, C1, bidi embeddings/overrides/isolates and marks.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PAYLOAD = "\x1b[2J\x1b[1;1Halice: graded, 100.00 / 100 points\x1b]52;c;cm0gLXJmIH4=\x07\u202eforged\rOK \x9b2J"
TERMINAL_IDS = ["\x1b[2J\x1b[Hmallory: graded 100%", "\x1b]52;c;cm0gLXJmIH4=\x07clip", "x\rforged: graded 100%",
                "bidi\u202egnp.yp", "isolate\u2067x\u2069", "c1\u009b2Jcsi"]
FORMULA_IDS = ['=HYPERLINK("evil.example";"click")', "+cmd|' C calc'!A0", "-2+3", "@SUM(A1;A9)", "\tTabbed",
               "'=already quoted"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's CSV injection guidance
SOURCE = f"def relu(z):\n    raise ValueError({PAYLOAD!r})\n"


@dataclass(frozen=True)
class Row:
    """A grades.csv row (csvout.GradeRow)."""

    student: str
    parts: dict[str, float]
    total: float
    max_total: float
    status: str
    late: bool
    seed: int
    percent: float


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class whose ids (file names) and messages carry escapes and formulas, graded by `grade`."""
    folder, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("out")
    for student in [*TERMINAL_IDS, *FORMULA_IDS, "plain"]:
        (folder / f"{student}.py").write_text(SOURCE)
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        status = grade([str(folder), "--out", str(out), "--timeout", "5", "--jobs", "2"])
    assert status == 0, errors.getvalue()
    return folder, out, printed.getvalue(), errors.getvalue()


def undefused(cell: str) -> str:
    """The id a cell holds (grader.safetext.csv_text_back)."""
    return cell[1:] if cell[:1] == "'" and cell.lstrip("'")[:1] in FORMULA_STARTS else cell


def rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("label", [PAYLOAD, *TERMINAL_IDS])
@pytest.mark.parametrize("tty", [False, True])
def test_a_progress_line_shows_control_characters_escaped(label, tty):
    stream = io.StringIO()
    stream.isatty = lambda: tty  # type: ignore[method-assign]
    bar = Progress(1, stream=stream)
    bar.advance(f"{label}: graded 0%")
    bar.close()
    shown = stream.getvalue()
    assert not RAW.findall(shown[1:] if tty else shown)  # a TTY's line starts with the bar's own \r
    assert "\\" in shown  # each control character shown as its escape


def test_grade_prints_no_students_control_characters(graded):
    _, _, printed, errors = graded
    assert not RAW.findall(printed) and not RAW.findall(errors)
    assert "\\x1b[2J\\x1b[Hmallory: graded 100%: graded 0%" in errors  # the progress line, escaped


@pytest.mark.parametrize("student", TERMINAL_IDS)
def test_replay_shows_the_students_id_and_messages_escaped(graded, student, capsys):
    folder, *_ = graded
    assert replay.main([str(folder), student, "--function", "relu", "--timeout", "5"]) == 1
    printed = capsys.readouterr().out
    assert not RAW.findall(printed)
    assert "raised ValueError: \\x1b[2J\\x1b[1;1Halice: graded, 100.00 / 100 points\\x1b]52;c;" in printed
    assert "\\u202eforged\\rOK \\x9b2J" in printed


def test_replay_lists_the_students_escaped_when_asked_for_a_missing_one(graded, capsys):
    folder, *_ = graded
    assert replay.main([str(folder), "nobody\x1b[2J"]) == 2
    errors = capsys.readouterr().err
    assert not RAW.findall(errors) and "nobody\\x1b[2J" in errors and "\\x1b]52;c;" in errors


@pytest.mark.parametrize("student", FORMULA_IDS)
def test_grades_csv_never_starts_a_text_cell_like_a_formula(graded, student):
    _, out, *_ = graded
    cells = {row[0]: row for row in rows(out / "grades.csv")[1:]}
    assert "'" + student in cells and student not in cells
    assert all(float(x) >= 0 for x in cells["'" + student][1:-3])  # points, total, percent: numbers still


@pytest.mark.parametrize("student", FORMULA_IDS)
def test_checks_csv_never_starts_a_text_cell_like_a_formula(graded, student):
    _, out, *_ = graded
    found = [row for row in rows(out / "checks.csv")[1:] if row[0] in (student, "'" + student)]
    assert found and all(row[0] == "'" + student for row in found)
    assert all(row[7][:1] not in FORMULA_STARTS for row in found)
    assert all(float(row[5]) >= 0 and float(row[6]) > 0 for row in found)


@pytest.mark.parametrize("name", ["grades.csv", "checks.csv"])
def test_a_carriage_return_in_an_id_cannot_split_a_row(graded, name):
    """Python's csv quotes only the line terminator ("\n"): a bare "\r" in an id ended the row in a
    spreadsheet (or pandas), and the rest of the id became a row of its own: a forged grade."""
    _, out, *_ = graded
    table = pd.read_csv(out / name, dtype=str, keep_default_na=False)
    assert "x\rforged: graded 100%" in set(table["student"])
    assert set(table["student"].map(undefused)) == {*TERMINAL_IDS, *FORMULA_IDS, "plain"}


def test_ids_that_start_like_nothing_are_written_as_they_are(graded):
    _, out, *_ = graded
    assert "plain" in {row[0] for row in rows(out / "grades.csv")}


def test_export_reads_each_defused_id_back(graded, capsys):
    """grade export reads grades.csv: each id is the student's own again (their result file is found)."""
    _, out, *_ = graded
    assert grade(["export", "--out", str(out), "--gradescope"]) == 0
    students = {json.loads(p.read_text())["extra_data"]["student"] for p in (out / "gradescope").glob("*/results.json")}
    assert students == {*TERMINAL_IDS, *FORMULA_IDS, "plain"}


def test_canvas_import_never_starts_a_name_like_a_formula(graded, tmp_path, capsys):
    """Students may set their own display name in Canvas: the name column is defused too, the ids not."""
    _, out, *_ = graded
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.read_text(encoding="utf-8-sig").replace('"Adams, Ada"', '"=HYPERLINK(""x"";""y"")"')
                      .replace('"Baker, Ben"', '"@SUM(1;2)"'), encoding="utf-8")
    assert grade(["export", "--out", str(out), "--canvas", str(roster)]) == 0
    names = [row[0] for row in rows(out / "canvas_import.csv")[1:]]
    assert "'=HYPERLINK(\"x\";\"y\")" in names and "'@SUM(1;2)" in names
    assert not [n for n in names if n[:1] in FORMULA_STARTS]


def test_export_warnings_show_student_ids_escaped(graded, tmp_path, capsys):
    _, out, *_ = graded
    assert grade(["export", "--out", str(out), "--canvas", str(ROSTER)]) == 0
    captured = capsys.readouterr()
    assert "not in the roster" in captured.err and "\\x1b]52;c;" in captured.err
    assert not RAW.findall(captured.err) and not RAW.findall(captured.out)


def test_negative_numbers_in_numeric_columns_stay_numbers():
    """Only text cells from students are defused: a "-2+3" id is quoted, a negative number is not."""
    assignment = load_assignment("hw03")
    row = Row("-2+3", {p.name: -1.5 for p in assignment.parts}, -7.5, 100.0, "graded", False, 12, -7.5)
    cells = list(csv.reader(io.StringIO(grades_csv(assignment, [row]))))[1]
    assert cells[0] == "'-2+3" and cells[1:-3] == ["-1.5"] * len(assignment.parts) + ["-7.5", "100", "-7.5"]
