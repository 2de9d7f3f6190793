"""grader.executors: the local executor grades every job once, keeps few in flight, and jobs travel as data."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from grader.executors import LocalExecutor, job_payload
from grader.model import StudentResult, Submission


def _result(sub: Submission, key: str) -> StudentResult:
    return StudentResult(student=sub.student, status="graded", message="", late=sub.late, seed=1,
                         submission=None, parts={}, total=float(len(sub.student)), max_total=10.0, key=key)


def test_local_executor_grades_each_job_once_with_few_in_flight():
    started, lock = [], threading.Lock()

    def grade_one(sandbox, sub, key):
        with lock:
            started.append(sub.student)
        time.sleep(0.002)
        return _result(sub, key)

    jobs = [(Submission(f"s{i:03d}", None), f"k{i}") for i in range(60)]
    seen = []
    with LocalExecutor(grade_one, jobs=3) as executor:
        for result in executor.grade(iter(jobs)):
            with lock:
                in_flight = len(started) - len(seen)
            assert in_flight <= 2 * 3  # the rest of the class is not queued (nor its results kept)
            seen.append((result.student, result.key))
    assert sorted(seen) == [(sub.student, key) for sub, key in jobs]
    assert sorted(started) == [sub.student for sub, _ in jobs]


def test_local_executor_passes_its_one_sandbox_to_every_job():
    sandboxes = set()

    def grade_one(sandbox, sub, key):
        sandboxes.add(id(sandbox))
        return _result(sub, key)

    with LocalExecutor(grade_one, jobs=2) as executor:
        assert len(list(executor.grade([(Submission(f"s{i}", None), "") for i in range(8)]))) == 8
    assert len(sandboxes) == 1


def test_job_payload_carries_bytes_and_file_name_not_the_path(tmp_path: Path):
    (tmp_path / "deep").mkdir()
    path = tmp_path / "deep" / "hw03.ipynb"
    path.write_bytes(b"{}\xff")
    payload = job_payload(Submission("ann", str(path), late=True), "key1")
    assert payload == {"student": "ann", "late": True, "problem": "", "status": "", "key": "key1",
                       "filename": "hw03.ipynb", "data": b"{}\xff"}
    assert job_payload(Submission("bob", None, problem="no code", status="no_submission"), "k")["data"] is None


def test_job_payload_of_a_vanished_file_is_unreadable_and_says_so(tmp_path: Path):
    payload = job_payload(Submission("cat", str(tmp_path / "gone.py")), "k")
    assert payload["status"] == "unreadable" and payload["data"] is None
    assert "gone.py could not be read" in payload["problem"]


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"


# The processes run of test_grading_processes_write_what_threads_write, in a fresh interpreter when it
# must fork: a test run earlier in this process (Dask's) may have left threads, and then it would spawn.
_PROCESSES_RUN = """
import sys, threading
from pathlib import Path
from grader.executors import start_method
from grader.pipeline import GradeOptions, grade_class
stop = threading.Event()
if sys.argv[1] == "spawn":  # a thread alive while the executor starts: it must not fork
    threading.Thread(target=stop.wait, daemon=True).start()
assert start_method() == sys.argv[1], (start_method(), threading.enumerate())
opts = dict(submissions=Path(sys.argv[2]), out=Path(sys.argv[3]), timeout=5.0, memory_mb=1024, jobs=2,
            executor="processes")
first, again = grade_class(GradeOptions(**opts)), grade_class(GradeOptions(**opts))
print(first.regraded, again.reused)
stop.set()
"""


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_grading_processes_write_what_threads_write(tmp_path: Path, start: str):
    """Grading processes forked (no other thread in the run) or spawned (another thread alive) grade
    as threads do: the same CSVs, and a re-run reuses every result."""
    import shutil
    import subprocess
    import sys

    from grader.pipeline import GradeOptions, grade_class

    (tmp_path / "c").mkdir()
    for name in ("passes_all.py", "fails_mse_grad_split_outside.py", "syntax_error.py", "magics_and_error.ipynb",
                 "starter_not_implemented.py"):
        shutil.copy(FIXTURES / name, tmp_path / "c" / name)
    threads = grade_class(GradeOptions(submissions=tmp_path / "c", out=tmp_path / "t", executor="local",
                                       timeout=5.0, memory_mb=1024, jobs=2))
    run = subprocess.run([sys.executable, "-c", _PROCESSES_RUN, start, str(tmp_path / "c"), str(tmp_path / "p")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["5", "5"] and threads.regraded == 5
    for name in ("grades.csv", "checks.csv"):
        assert (tmp_path / "p" / name).read_bytes() == (tmp_path / "t" / name).read_bytes()


def test_a_grading_process_that_dies_costs_its_jobs_as_grader_faults(tmp_path: Path):
    from grader.executors import ProcessExecutor, RemoteSpec

    spec = RemoteSpec(str(tmp_path / "no-such-assignment"), None, 5.0, 1024, "a", "g")  # the worker cannot start

    def failed(sub, what):
        return StudentResult(student=sub.student, status="grader_error", message=what, late=False, seed=0,
                             submission=None, parts={}, total=0.0, max_total=1.0, fault="grader")

    jobs = [(Submission(f"s{i}", None, problem="x", status="no_submission"), "k") for i in range(5)]
    with ProcessExecutor(2, spec, on_failure=failed) as executor:
        results = list(executor.grade(jobs))
    assert sorted(r.student for r in results) == [f"s{i}" for i in range(5)]
    assert all(r.status == "grader_error" and "grading process" in r.message for r in results)


def test_auto_takes_processes_only_for_a_class_big_enough(tmp_path: Path):
    from grader.executors import LocalExecutor, ProcessExecutor
    from grader.pipeline import AUTO_PROCESSES, GradeOptions, configured_assignment, open_executor

    def chosen(students: int, jobs: int) -> type:
        options = GradeOptions(submissions=tmp_path, jobs=jobs)
        return type(open_executor(options, configured_assignment(options), "g", students))

    assert chosen(AUTO_PROCESSES, 2) is ProcessExecutor
    assert chosen(AUTO_PROCESSES - 1, 2) is LocalExecutor and chosen(10 * AUTO_PROCESSES, 1) is LocalExecutor


def test_grading_processes_report_their_own_isolation(tmp_path: Path, monkeypatch):
    """This machine's probe says namespaces (faked); the grading processes are told to use process
    isolation only, and run.json and the report header follow what their sandboxes used."""
    import json
    import shutil

    from grader import pipeline
    from grader.pipeline import GradeOptions, grade_class
    from grader.sandbox.runner import Isolation

    (tmp_path / "c").mkdir()
    for name in ("passes_all.py", "syntax_error.py", "fails_bce_grad_sign.py"):
        shutil.copy(FIXTURES / name, tmp_path / "c" / name)
    monkeypatch.setattr(pipeline, "probe_isolation", lambda: Isolation("namespaces", "faked probe"))
    monkeypatch.setenv("GRADER_ISOLATION", "process")  # inherited by the grading processes only
    run = grade_class(GradeOptions(submissions=tmp_path / "c", out=tmp_path / "o", executor="processes", jobs=2,
                                   timeout=5.0, memory_mb=1024))
    record = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert record["isolation"] == run.isolation == "process" and "faked" not in record["isolation_detail"]
    assert record["workers"] and set(record["workers"]) <= {"grade-worker-0", "grade-worker-1"}
    assert set(record["workers"].values()) == {"process"}
    header = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert "PROCESS ONLY" in header and "grade-worker-" in header
    from grader.cli import summary
    assert "grade-worker-" in run.isolation_where and f"PROCESS ONLY on {run.isolation_where}" in summary(run)
