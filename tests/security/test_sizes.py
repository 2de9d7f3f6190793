"""One file never stops the class: a huge (sparse) submission, wherever it sits and however it got
there, is that student's status with a clear message, and every other student is graded. Nothing that
reads a submission (discovery, the resume key, the loader, the job sent to a grading process) reads
more than the limit: sizes are checked by lstat/fstat first, and the key is hashed a chunk at a time."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import grader.pipeline as pipeline
from grader.discover import Found
from grader.executors import job_payload
from grader.load import MAX_BYTES, LoadError, load
from grader.model import StudentResult, Submission
from grader.pipeline import GradeOptions, grade_class
from grader.store import result_key

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
HUGE = 2**40  # 1 TiB, sparse: no disk space used; reading it whole is a MemoryError
# student -> (where the huge file sits, its size)
PLACES = {"flat": ("flat.py", HUGE), "in_folder": ("in_folder/hw03.ipynb", HUGE),
          "one_down": ("one_down/sub/hw03.py", HUGE), "canvas": ("canvas_LATE_12_34_hw03.py", HUGE),
          "just_over": ("just_over/hw03.py", MAX_BYTES + 1)}


def sparse(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"def sigmoid(z):\n    return 0\n")
        handle.truncate(size)
    return path


def clean_class(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "passes_all.py", root / "alice.py")
    (root / "bob").mkdir()
    shutil.copy(FIXTURES / "fails_relu_grad_at_zero.py", root / "bob" / "hw03.py")
    return root


def by_student(results: Any) -> dict[str, StudentResult]:
    return {r.student: r for r in results}


@pytest.fixture(scope="module")
def huge_class(tmp_path_factory) -> dict[str, StudentResult]:
    """Every placement in one class, graded by grading processes (jobs are sent as bytes)."""
    root = clean_class(tmp_path_factory.mktemp("class"))
    for shown, size in PLACES.values():
        sparse(root / shown, size)
    run = grade_class(GradeOptions(submissions=root, out=tmp_path_factory.mktemp("out"), timeout=5.0,
                                   memory_mb=1024, jobs=2, executor="processes"))
    return by_student(run.results)


@pytest.mark.parametrize("student", sorted(PLACES))
def test_a_huge_file_is_that_students_status_with_a_clear_message(huge_class, student):
    result = huge_class[student]
    shown, size = PLACES[student]
    assert (result.status, result.total, result.fault) == ("unreadable", 0.0, "student"), result.message
    assert f"{shown} is {size / 2**20:.0f} MB, more than the 256 MB a submission may have" in result.message


def test_the_other_students_are_graded(huge_class):
    assert huge_class["alice"].status == huge_class["bob"].status == "graded"
    assert huge_class["alice"].percent == pytest.approx(100.0) and 0 < huge_class["bob"].total < 100


def test_grade_exits_0_with_a_huge_file_in_the_class(tmp_path):
    """The command line, as the issue saw it fail (MemoryError traceback, exit 1, nobody graded)."""
    root = clean_class(tmp_path / "class")
    sparse(root / "mallory.py", HUGE)
    proc = subprocess.run([sys.executable, "-m", "grader.cli", str(root), "--out", str(tmp_path / "out"), "--quiet",
                           "--timeout", "5", "--jobs", "2"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    status = {row.split(",")[0]: row for row in rows[1:]}
    assert set(status) == {"alice", "bob", "mallory"} and ",unreadable," in status["mallory"]
    assert ",graded," in status["alice"] and ",graded," in status["bob"]


def test_a_file_that_grows_after_discovery_is_refused_and_the_class_is_graded(tmp_path, monkeypatch):
    """Discovery saw 30 bytes; by the time the resume key is computed the file is 1 TiB."""
    root = clean_class(tmp_path / "class")
    grower = sparse(root / "mallory" / "hw03.py", 30)
    real = pipeline.find_submissions

    def growing(*args: Any, **kwargs: Any) -> Found:
        found = real(*args, **kwargs)

        def grown() -> Iterator[Submission]:
            for sub in found.submissions:
                if sub.student == "mallory":
                    os.truncate(grower, HUGE)
                yield sub
        return Found(found.count, grown())
    monkeypatch.setattr(pipeline, "find_submissions", growing)
    results = by_student(grade_class(GradeOptions(submissions=root, out=tmp_path / "out", timeout=5.0,
                                                  memory_mb=1024, jobs=2, executor="local")).results)
    assert results["mallory"].status == "unreadable" and "MB a submission may have" in results["mallory"].message
    assert results["alice"].status == results["bob"].status == "graded"


def test_the_resume_key_of_a_huge_file_is_computed_without_reading_it_whole(tmp_path):
    huge = sparse(tmp_path / "huge.py", HUGE)
    key = result_key(huge, "A", 1, "G")
    assert key == result_key(huge, "A", 1, "G") and len(key) == 24
    os.truncate(huge, 30)  # within the limit again: keyed by its bytes, so it is graded afresh
    assert result_key(huge, "A", 1, "G") != key


def test_the_job_sent_to_a_grading_process_never_carries_a_huge_file(tmp_path):
    huge = sparse(tmp_path / "hw03.py", HUGE)
    payload = job_payload(Submission("mallory", str(huge)), "k")
    assert (payload["status"], payload["data"]) == ("unreadable", None)
    assert "hw03.py is 1048576 MB, more than the 256 MB" in payload["problem"]


def test_the_loader_refuses_a_huge_file_before_reading_it(tmp_path):
    huge = sparse(tmp_path / "hw03.ipynb", HUGE)
    with pytest.raises(LoadError, match="1048576 MB, more than the 256 MB"):
        load(huge)

