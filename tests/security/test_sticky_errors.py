"""Grader errors never stick: a result the grader is to blame for (status `grader_error`, fault
"grader") is regraded by the next plain run, while the results a student is to blame for, and the
clean ones, keep being reused. Each test injects a fault once, in a different stage of grading."""
from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import grader.pipeline as pipeline
from grader.pipeline import ClassRun, GradeOptions, grade_class
from grader.sandbox.runner import Sandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
CLASS = {"alice.py": "passes_all.py", "bob.py": "fails_relu_grad_at_zero.py", "carol.py": "syntax_error.py"}
VICTIM = "bob"


def make_class(tmp_path: Path) -> GradeOptions:
    folder = tmp_path / "class"
    folder.mkdir()
    for name, fixture in CLASS.items():
        shutil.copy(FIXTURES / fixture, folder / name)
    (folder / "dave").mkdir()  # no code at all: no_submission, the student's to fix
    (folder / "dave" / "notes.txt").write_text("todo\n")
    return GradeOptions(submissions=folder, out=tmp_path / "out", timeout=5.0, memory_mb=1024, jobs=2,
                        executor="local")


_grading = threading.local()  # whom the current thread is grading (set by track_the_student_being_graded)


def grading() -> str:
    return getattr(_grading, "student", "")


@pytest.fixture(autouse=True)
def track_the_student_being_graded(monkeypatch):
    """Records, per thread, whom the pipeline is grading, so that any stage can fail for VICTIM only."""
    real = pipeline.grade_submission

    def tracking(ctx: Any, sandbox: Any, sub: Any, key: str) -> Any:
        _grading.student = sub.student
        return real(ctx, sandbox, sub, key)
    monkeypatch.setattr(pipeline, "grade_submission", tracking)


def failing_for_victim(real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, except that it raises (a bug of the grader's) when called for VICTIM."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if grading() == VICTIM:
            raise RuntimeError("injected grader bug")
        return real(*args, **kwargs)
    return wrapper


def statuses(run: ClassRun) -> dict[str, tuple[str, str]]:
    return {s.student: (s.status, s.fault) for s in run.summaries}


def first_run_with_a_fault(options: GradeOptions, monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> ClassRun:
    """Grade the class with `target.name` failing for VICTIM, then put the real one back."""
    monkeypatch.setattr(target, name, failing_for_victim(getattr(target, name)))
    run = grade_class(options)
    monkeypatch.undo()
    assert statuses(run)[VICTIM] == ("grader_error", "grader"), statuses(run)
    return run


def assert_only_the_victim_is_regraded(options: GradeOptions, first: ClassRun) -> None:
    """A plain re-run regrades VICTIM alone (now graded) and reuses the three others, the student-fault
    results included; a third run then reuses everyone."""
    again = grade_class(options)
    assert (again.regraded, again.reused) == (1, 3), statuses(again)
    assert statuses(again) == {"alice": ("graded", "none"), "bob": ("graded", "none"),
                               "carol": ("syntax_error", "student"), "dave": ("no_submission", "student")}
    stored = json.loads((options.out / "results" / f"{VICTIM}.json").read_text(encoding="utf-8"))
    assert stored["status"] == "graded" and stored["fault"] == "none" and 0 < stored["total"] < 100
    untouched = {s.student: s for s in first.summaries if s.student != VICTIM}
    assert {s.student: s for s in again.summaries if s.student != VICTIM} == untouched
    third = grade_class(options)
    assert (third.regraded, third.reused) == (0, 4)


def test_a_fault_while_loading_is_retried_on_the_next_run(tmp_path, monkeypatch):
    options = make_class(tmp_path)
    first = first_run_with_a_fault(options, monkeypatch, pipeline, "load")
    assert_only_the_victim_is_regraded(options, first)


def test_a_fault_in_the_sandbox_is_retried_on_the_next_run(tmp_path, monkeypatch):
    options = make_class(tmp_path)
    first = first_run_with_a_fault(options, monkeypatch, Sandbox, "run")
    assert_only_the_victim_is_regraded(options, first)


def test_a_fault_while_computing_expected_values_is_retried_on_the_next_run(tmp_path, monkeypatch):
    options = make_class(tmp_path)
    first = first_run_with_a_fault(options, monkeypatch, pipeline, "expected_values")
    assert_only_the_victim_is_regraded(options, first)


def test_a_fault_that_persists_is_retried_on_every_run_until_it_goes(tmp_path, monkeypatch):
    options = make_class(tmp_path)
    monkeypatch.setattr(pipeline, "score", failing_for_victim(pipeline.score))
    for _ in range(2):  # the fault is still there: each run tries the student again, the others are reused
        run = grade_class(options)
        assert statuses(run)[VICTIM] == ("grader_error", "grader")
    assert (run.regraded, run.reused) == (1, 3)
    monkeypatch.undo()
    assert grade_class(options).regraded == 1


def test_a_stored_grader_fault_is_not_reused_whatever_its_status(tmp_path):
    """A result marked fault="grader" (by a worker, an older run, a hand edit) is regraded even when its
    status is not `grader_error`; the student's other results are reused."""
    options = make_class(tmp_path)
    grade_class(options)
    path = options.out / "results" / f"{VICTIM}.json"
    head, rest = path.read_text(encoding="utf-8").split("\n", 1)
    record = json.loads(head[:-1] + "}")
    assert record["fault"] == "none"
    path.write_text(head.replace('"fault": "none"', '"fault": "grader"') + "\n" + rest, encoding="utf-8")
    again = grade_class(options)
    assert (again.regraded, again.reused) == (1, 3)
    assert statuses(again)[VICTIM] == ("graded", "none")
