"""The grader survives and loses nothing: kill -9 mid-class then resume, two runs on one output
folder, a full disk and a read-only output folder (clear errors, never tracebacks)."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
STUDENTS = ["passes_all.py", "fails_relu_grad_at_zero.py", "fails_bce_grad_sign.py", "fails_sgd_step_plus.py",
            "fails_unit_step_strict.py", "fails_mse_cost_no_square.py", "fails_chain_jacobians_order.py",
            "fails_jacobian_sum_flat.py"]
SUMMARY = re.compile(r"\((\d+) graded now, (\d+) unchanged since the last run\)")
IS_ROOT = os.geteuid() == 0


def make_class(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(STUDENTS):
        shutil.copy(FIXTURES / name, folder / f"student{i}.py")
    return folder


def grade_command(submissions: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli", str(submissions), "--out", str(out), "--timeout", "5", "--quiet",
            "--jobs", "2", *extra]


def results_in(out: Path) -> set[str]:
    folder = out / "results"
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.is_dir() else set()


def test_kill_9_mid_class_then_rerun_finishes_the_job_regrading_only_the_unfinished(tmp_path):
    submissions = make_class(tmp_path / "class")
    whole = subprocess.run(grade_command(submissions, tmp_path / "whole"), capture_output=True, text=True,
                           timeout=300)
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "killed"
    victim = subprocess.Popen(grade_command(submissions, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(results_in(out)) < 2 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    finished = results_in(out)
    assert 2 <= len(finished) < len(STUDENTS), "the kill did not land mid-class"
    assert not (out / "grades.csv").exists() and not (out / "checks.csv").exists()  # written only at the end
    rerun = subprocess.run(grade_command(submissions, out), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    graded_now, unchanged = map(int, SUMMARY.search(rerun.stdout).groups())
    assert unchanged == len(finished) and graded_now == len(STUDENTS) - len(finished)
    for name in ("grades.csv", "checks.csv"):
        assert (out / name).read_text() == (tmp_path / "whole" / name).read_text(), name
    assert not [p for p in out.rglob(".*.tmp")], "temp files of the killed run were left behind"


def test_a_second_run_on_the_same_folder_stops_with_a_clear_message(tmp_path):
    submissions = make_class(tmp_path / "class")
    out = tmp_path / "out"
    first = subprocess.Popen(grade_command(submissions, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    lock = out / ".grade.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.01)
    second = subprocess.run(grade_command(submissions, out), capture_output=True, text=True, timeout=120)
    stdout, stderr = first.communicate(timeout=300)
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert f"another `grade` run is using the output folder {out} (pid {first.pid} on" in second.stderr
    assert "give this run another --out" in second.stderr
    assert first.returncode == 0, stderr
    rows = (out / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(STUDENTS) and "unchanged" in stdout


def test_an_unwritable_output_folder_is_a_clear_error(tmp_path, monkeypatch, capsys):
    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out" / "results" / "student0.json"))

    submissions = make_class(tmp_path / "class")
    monkeypatch.setattr("grader.store.atomic_writer.__init__", full)
    assert main([str(submissions), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "grade: error: No space left on device" in err and "the disk is not full" in err


needs_mount = pytest.mark.skipif(not IS_ROOT or shutil.which("unshare") is None,
                                 reason="needs root and util-linux unshare to mount a full or read-only folder")


def in_mount_namespace(setup: str, command: list[str], after: str = "true") -> subprocess.CompletedProcess[str]:
    """Run `command` between the shell `setup` and `after` in a private mount namespace (nothing
    leaks out); the exit status is the command's."""
    script = f'{setup} || exit 99; "$@"; status=$?; {after}; exit $status'
    return subprocess.run(["unshare", "--mount", "sh", "-c", script, "sh", *command],
                          capture_output=True, text=True, timeout=300)


@needs_mount
def test_a_full_disk_is_a_clear_error_and_leaves_no_half_file(tmp_path):
    submissions = make_class(tmp_path / "class")
    out = tmp_path / "tiny"
    out.mkdir()
    done = in_mount_namespace(f"mount -t tmpfs -o size=256k tmpfs {out}",
                              [*grade_command(submissions, out), "--jobs", "1"],
                              after=f"echo LEFT; find {out} -name '.*.tmp' -o -name '*.csv'")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "grade: error: No space left on device" in done.stderr and "Traceback" not in done.stderr
    left = done.stdout.split("LEFT", 1)[1].split()
    assert left == [], f"half-written files were left: {left}"


@needs_mount
def test_a_read_only_output_folder_is_a_clear_error(tmp_path):
    submissions = make_class(tmp_path / "class")
    out = tmp_path / "readonly"
    out.mkdir()
    done = in_mount_namespace(f"mount --bind {out} {out} && mount -o remount,bind,ro {out}",
                              grade_command(submissions, out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "grade: error: Read-only file system" in done.stderr and "Traceback" not in done.stderr
