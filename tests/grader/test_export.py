"""grader.export: `grade export` on a real run: the Canvas import CSV against a hand-written Canvas export,
Gradescope results.json per student, and the Gradescope `run_autograder` script of docs/gradescope/."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from grader.cli import main as grade
from grader.discover import safe_name

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
ROSTER = ROOT / "tests" / "fixtures" / "canvas" / "gradebook_export.csv"
COLUMN = "HW03 Neural networks (118203)"
# The class, as submissions arrive: (path in the submissions folder, fixture it copies)
CLASS = [("adams.py", "passes_all.py"), ("baker/hw03.ipynb", "passes_all.ipynb"),
         ("chen_48213_1204417_hw03.py", "fails_bce_grad_sign.py"),
         ("diaz_LATE_51122_1204533_hw03.py", "fails_relu_grad_at_zero.py"), ("evans.py", "passes_all_lists.py"),
         ("fischer.py", "fails_mse_grad_split_outside.py"), ("okaforngozi.py", "starter_not_implemented.py"),
         ("ito.py", "syntax_error.py"), ("kim/notes.txt", None), ("zhang.py", "passes_all.py")]
# Who each roster row is, by the fixture's design (see the matching rules in grader/canvas.py)
ROWS = {"Adams, Ada": "adams", "Baker, Ben": "baker", "Chen, Wei": "chen", "Diaz, Dolores": "diaz",
        "Evans, Eli": "evans", "Fischer, Fritz": "fischer", "Okafor, Ngozi": "okaforngozi", "Ito, Ichiro": "ito",
        "Kim, Kyung": "kim", "Lopez, Luis": None, "Student, Test": None}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The class graded once by `grade`; returns the output folder and grades.csv as read by the csv module."""
    root = tmp_path_factory.mktemp("class")
    for rel, fixture in CLASS:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if fixture:
            shutil.copy(FIXTURES / fixture, target)
        else:
            target.write_text("I will submit next week.\n")
    out = tmp_path_factory.mktemp("out")
    assert grade([str(root), "--out", str(out), "--timeout", "5", "--quiet"]) == 0
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        grades = {row["student"]: row for row in csv.DictReader(handle)}
    return out, grades


def test_canvas_import_holds_every_roster_student_with_their_total(run, tmp_path, capsys):
    out, grades = run
    assert grade(["export", "--out", str(out), "--canvas", str(ROSTER)]) == 0
    captured = capsys.readouterr()
    result = pd.read_csv(out / "canvas_import.csv", dtype=str, keep_default_na=False)
    original = pd.read_csv(ROSTER, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(result.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", COLUMN]
    assert result.iloc[0]["Student"] == "    Points Possible" and result.iloc[0][COLUMN] == "100.00"
    # identity columns unchanged, row for row: Canvas matches the import on them
    assert result[["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]].equals(
        original[["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]])
    for name, student in ROWS.items():
        got = result.loc[result["Student"] == name, COLUMN].iloc[0]
        want = f"{round(float(grades[student]['total']), 2):.2f}" if student else "0.00"
        assert got == want, name
    assert float(grades["adams"]["total"]) == 100 and 0 < float(grades["chen"]["total"]) < 100
    assert "9 matched (6 by SIS Login ID, 1 by Canvas user id in the file name, 1 by SIS User ID, 1 by name)" \
        in captured.out
    assert "no submission (written as 0): Lopez, Luis; Student, Test" in captured.err
    assert "not in the roster (NOT exported" in captured.err and "zhang" in captured.err
    assert "kim (no_submission)" in captured.err and "ito (syntax_error)" in captured.err


def test_gradescope_results_add_up_to_grades_csv(run, capsys):
    out, grades = run
    assert grade(["export", "--out", str(out), "--gradescope"]) == 0
    assert f"wrote {len(grades)} results.json files" in capsys.readouterr().out
    for student, row in grades.items():
        data = json.loads((out / "gradescope" / safe_name(student) / "results.json").read_text())
        assert data["score"] == pytest.approx(float(row["total"]), abs=1e-4)
        assert sum(t["score"] for t in data["tests"]) == pytest.approx(data["score"])
        assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(float(row["max_total"]))
        assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
        assert all(("(public cases)" in t["name"]) == (t["visibility"] == "visible") for t in data["tests"])
        assert row["status"] in data["output"]
    chen = json.loads((out / "gradescope" / "chen" / "results.json").read_text())
    assert {t["name"] for t in chen["tests"] if t["status"] == "failed"} == \
        {"mlp: bce_grad (public cases)", "mlp: bce_grad (hidden cases)"}


def test_export_usage_errors(run, tmp_path, capsys):
    out, _ = run
    assert grade(["export", "--out", str(out)]) == 2
    assert "nothing to do" in capsys.readouterr().err
    assert grade(["export", "--out", str(tmp_path / "none"), "--gradescope"]) == 2
    assert "run `grade SUBMISSIONS --out" in capsys.readouterr().err
    assert grade(["export", "--out", str(out), "--canvas", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read the Canvas export" in capsys.readouterr().err
    assert grade(["export", "--out", str(out), "--canvas", str(out / "grades.csv")]) == 2
    assert "not a Canvas gradebook export" in capsys.readouterr().err


def test_run_autograder_script_grades_one_submission_as_gradescope_would(tmp_path):
    """docs/gradescope/run_autograder with a fake /autograder: submission in, results/results.json out."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(FIXTURES / "fails_bce_grad_sign.py", root / "submission" / "hw03.py")
    (root / "submission" / "notes.md").write_text("my notes\n")
    (root / "submission_metadata.json").write_text(json.dumps(
        {"id": 123, "users": [{"email": "Ada.Lovelace@example.edu", "id": 9, "name": "Ada Lovelace"}]}))
    grade_cmd = shutil.which("grade")
    if grade_cmd is None:
        pytest.skip("the `grade` console script is not on PATH (install the project with pip install -e .)")
    proc = subprocess.run(["bash", str(ROOT / "docs" / "gradescope" / "run_autograder")], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "AUTOGRADER_ROOT": str(root), "GRADE": grade_cmd})
    assert proc.returncode == 0, proc.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["extra_data"]["student"] == "ada.lovelace" and data["extra_data"]["status"] == "graded"
    assert {t["name"] for t in data["tests"] if t["status"] == "failed"} == \
        {"mlp: bce_grad (public cases)", "mlp: bce_grad (hidden cases)"}
    assert 90 < data["score"] < 100
