"""grader.cli: exit codes, usage errors that name the problem, zip input, summary and progress."""
from __future__ import annotations

import json
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy
import pytest

from interrupts import fork_servers, gone, own_group_default_sigint
from grader.cli import main, summary
from grader.pipeline import ClassRun
from grader.store import ResultSummary
from tests.isolation_support import namespaces_unavailable

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
    assert "mean 100.0%" in proc.stdout
    banner = re.compile(r"\n!+\nWARNING: student code runs WITHOUT namespace isolation.*?\n!+\n\n", re.S)
    unexpected = banner.sub("", proc.stderr) if namespaces_unavailable() else proc.stderr
    assert unexpected == ""  # where namespaces are unavailable, the fallback's banner and nothing else


class OnePass:
    """Summaries that can be read once only, as a stream of a large class would be."""

    def __init__(self, items: list[ResultSummary]) -> None:
        self.items, self.passes = items, 0

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        self.passes += 1
        assert self.passes == 1, "summary() read the students more than once"
        return iter(self.items)


def test_summary_counts_in_one_pass_and_leaves_grader_faults_out_of_the_mean():
    def row(student, status, total, late=False, timed_out=False):
        return ResultSummary(student, status, late, 0, {}, total, 8.0, "none", "", 0.0, timed_out)

    rows = [row("a", "graded", 8.0), row("b", "graded", 2.0, late=True), row("c", "timeout", 0.0, timed_out=True),
            row("d", "syntax_error", 0.0, late=True), row("e", "grader_error", 0.0)]
    run = ClassRun(SimpleNamespace(id="hw03"), [], OnePass(rows), regraded=5, reused=0,  # type: ignore[arg-type]
                   seconds=1.0, grades_csv=Path("g.csv"), checks_csv=Path("c.csv"), isolation="namespaces")
    text = summary(run)
    mean = (100 + 25 + 0 + 0) / 4  # e's grader fault is not the student's: left out
    assert "5 students" in text and f"mean {mean:.1f}%" in text
    assert "status: 2 graded, 1 grader_error, 1 syntax_error, 1 timeout; late: 2" in text
    assert "timeouts: 1 students; load errors: 2" in text


def test_summary_names_the_workers_that_ran_without_namespaces():
    base = dict(assignment=SimpleNamespace(id="hw03"), results=[], summaries=[], regraded=0, reused=0, seconds=1.0,
                grades_csv=Path("g.csv"), checks_csv=Path("c.csv"))
    weak = summary(ClassRun(**base, isolation="process", isolation_where="worker tcp://10.0.0.7:1 (1 of 2 workers)"))
    assert "isolation: PROCESS ONLY on worker tcp://10.0.0.7:1 (1 of 2 workers), no namespaces" in weak
    here = summary(ClassRun(**base, isolation="process"))
    assert "isolation: PROCESS ONLY, no namespaces" in here and " on " not in here.split("isolation:")[1]
    assert summary(ClassRun(**base, isolation="namespaces")).endswith("isolation: namespaces")


@pytest.mark.parametrize("executor", ["local", "processes"])
def test_ctrl_c_stops_the_run_with_a_message_and_keeps_the_saved_results(tmp_path, executor):
    """SIGINT to the whole `grade` process group (as Ctrl-C in a terminal sends it) while a student hangs:
    exit status 130, one message saying what is saved and how to resume, no traceback, nothing left running."""
    import os
    import signal
    import time

    klass, out = tmp_path / "class", tmp_path / "out"
    klass.mkdir()
    shutil.copy(FIXTURES / "passes_all.py", klass / "alice.py")
    shutil.copy(FIXTURES / "hangs_infinite_loop_sigmoid.py", klass / "bob.py")

    before = fork_servers()
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", str(klass), "--out", str(out), "--jobs", "1",
                             "--timeout", "120", "--executor", executor], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=own_group_default_sigint)
    deadline = time.monotonic() + 120
    while not list((out / "results").glob("alice*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(0.5)  # bob's sigmoid is looping by now
    ours = fork_servers(under=proc.pid)
    assert ours and not ours & before
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted: 1 students' results are saved" in err and "Run the same command again" in err
    assert "Traceback" not in err
    assert [p.name.split(".")[0] for p in (out / "results").glob("*.json")] == ["alice"]
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes left in the run's group: {left}"
    assert gone(ours), "a fork server (its own session) outlived the run"


def test_ctrl_c_in_a_subcommand_is_one_line_and_status_130(monkeypatch, capsys):
    import grader.replay

    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(grader.replay, "main", interrupted)
    assert main(["replay", "anything"]) == 130
    err = capsys.readouterr().err
    assert "grade replay: interrupted" in err and "Traceback" not in err


@pytest.mark.parametrize("umask, mode", [(0o027, 0o640), (0o002, 0o664)])
def test_output_files_follow_the_umask(tmp_path, umask, mode):
    """A course group's TAs can read the outputs when the umask lets them (mkstemp alone makes 0600)."""
    klass = tmp_path / "class"
    klass.mkdir()
    shutil.copy(FIXTURES / "passes_all.py", klass / "dana.py")
    out = tmp_path / "o"
    proc = subprocess.run([sys.executable, "-m", "grader.cli", str(klass), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=120, umask=umask)
    assert proc.returncode == 0, proc.stderr
    files = [p for p in out.rglob("*") if p.is_file() and p.name != ".grade.lock"]
    assert {"grades.csv", "checks.csv", "index.html", "dana.json", "dana.html"} <= {p.name for p in files}
    wrong = {str(p.relative_to(out)): oct(p.stat().st_mode & 0o777) for p in files
             if p.stat().st_mode & 0o777 != mode}
    assert not wrong, f"expected {oct(mode)} under umask {oct(umask)}: {wrong}"
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))  # and it names the grading environment
    assert (record["python"], record["numpy"]) == (platform.python_version(), numpy.__version__)
