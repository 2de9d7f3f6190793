"""grader.cli: exit codes, usage errors that name the problem, zip input, summary and progress."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from grader.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"


def test_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_unknown_assignment_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path), "--assignment", "hw99", "--out", str(tmp_path / "o")]) == 2
    assert "unknown assignment 'hw99'" in capsys.readouterr().err


def test_bad_flag_values_are_usage_errors(tmp_path, capsys):
    assert main([str(tmp_path), "--timeout", "0"]) == 2
    proc = subprocess.run([sys.executable, "-m", "grader.cli", str(tmp_path), "--jobs", "many"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--jobs" in proc.stderr


def test_zip_export_is_graded_and_summarised(tmp_path, capsys):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "passes_all.py", "alice_11_22_hw03.py")
        z.write(FIXTURES / "fails_bce_grad_sign.py", "bob_LATE_33_44_hw03.py")
        z.write(FIXTURES / "syntax_error.py", "carol_55_66_hw03.py")
    out = tmp_path / "out"
    assert main([str(archive), "--out", str(out), "--jobs", "2"]) == 0
    captured = capsys.readouterr()
    assert "3 students" in captured.out and "1 syntax_error" in captured.out and "late: 1" in captured.out
    assert "3/3" in captured.err  # progress
    lines = (out / "grades.csv").read_text().splitlines()
    assert [ln.split(",")[0] for ln in lines[1:]] == ["alice", "bob", "carol"]
    assert lines[2].split(",")[-2] == "true"


def test_console_script_runs_from_the_shell(tmp_path):
    shutil.copy(FIXTURES / "passes_all.py", tmp_path / "dana.py")
    grade = shutil.which("grade")
    command = [grade] if grade else [sys.executable, "-m", "grader.cli"]
    proc = subprocess.run(command + [str(tmp_path), "--out", str(tmp_path / "o"), "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "mean 100.0%" in proc.stdout and proc.stderr == ""
