"""grader.runlock: one run per output folder, a lock that a killed run never leaves behind, and the
sweep of a killed run's temp files (never a result, never anything else)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from grader.pipeline import GradeOptions, grade_class
from grader.runlock import LOCK_NAME, RunLocked, hold, sweep_temp_files
from grader.store import atomic_write


def test_a_held_folder_refuses_a_second_holder_and_is_free_again_after(tmp_path):
    out = tmp_path / "new" / "out"
    with hold(out):
        assert out.is_dir()
        holder = (out / LOCK_NAME).read_text()
        assert holder.startswith(f"pid {os.getpid()} on ")
        with pytest.raises(RunLocked, match=rf"another `grade` run is using the output folder {out} \(pid {os.getpid()}"):
            with hold(out):
                pass
    with hold(out):
        pass


def test_grading_a_held_folder_stops_before_writing_anything(tmp_path):
    out = tmp_path / "out"
    with hold(out):
        with pytest.raises(RunLocked):
            grade_class(GradeOptions(submissions=tmp_path, out=out))
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]


def test_a_killed_holder_leaves_no_lock(tmp_path):
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from grader.runlock import hold
        with hold(Path({str(out)!r})):
            print("held", flush=True)
            time.sleep(60)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLocked, match=f"pid {holder.pid} on"):
            with hold(out):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    with hold(out):  # the kernel dropped the flock with the process
        pass


def test_only_temp_files_of_atomic_writes_are_swept(tmp_path):
    out = tmp_path / "out"
    atomic_write(out / "results" / "alice.json", '{"student": "alice"}')
    keep = [out / "results" / "alice.json", out / ".reports-state.json", out / "notes.tmp", out / ".x.tmp",
            out / "results" / ".bob.json.tmp"]
    for path in keep[1:]:
        path.write_text("keep me")
    stale = [out / "results" / ".bob.json.k3j_x9ab.tmp", out / ".grades.csv.0a1b2c3d.tmp",
             out / "students" / ".carol.html.zzzzzzzz.tmp"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"student": "bob", "half": ')  # what a kill -9 mid-write leaves
    assert sorted(sweep_temp_files(out)) == sorted(stale)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)


def test_holding_sweeps_what_a_killed_run_left(tmp_path):
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    stale = out / "results" / ".dave.json.abcdefgh.tmp"
    stale.write_text("{")
    with hold(out):
        assert not stale.exists()
