"""A function that kills its own process on every call costs only that function's points: the other
functions of the same submission are graded in full, however many crashes came before them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.pipeline import GradeOptions, grade_class

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
# three functions no other function calls, each killing its process its own way
CRASHING = {
    "perceptron_train": "os._exit(3)",
    "jacobian_sum": "os.killpg(0, signal.SIGKILL)",
    "chain_jacobians": "os.kill(os.getpid(), signal.SIGSEGV)",
}


def _crashing_solution() -> str:
    source = (FIXTURES / "passes_all.py").read_text(encoding="utf-8")
    overrides = "".join(f"\n\ndef {name}(*args, **kwargs):\n    {how}\n" for name, how in CRASHING.items())
    return source + "\n\nimport os, signal\n" + overrides


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("crashes")
    (root / "crasher.py").write_text(_crashing_solution(), encoding="utf-8")
    shutil.copy(FIXTURES / "passes_all.py", root / "control.py")
    run = grade_class(GradeOptions(submissions=root, out=tmp_path_factory.mktemp("out"), timeout=5.0,
                                   memory_mb=1024, jobs=1, executor="local"))
    return {r.student: r for r in run.results}


def test_only_the_crashing_functions_lose_points(result):
    assignment = load_assignment("hw03")
    points = {f.name: f.points for f in assignment.functions}
    lost = sum(points[name] for name in CRASHING)
    crasher = result["crasher"]
    assert crasher.status == "graded", crasher.message
    assert result["control"].percent == pytest.approx(100.0)
    assert crasher.percent == pytest.approx(100.0 * (sum(points.values()) - lost) / sum(points.values()))
    short = {c.function for c in crasher.checks if c.points < c.max_points - 1e-9}
    assert short == set(CRASHING)


def test_each_crashing_function_crashes_at_most_twice(result):
    for name in CRASHING:
        statuses = [c.outcome for c in result["crasher"].checks if c.function == name]
        assert statuses[:2] == ["crashed", "crashed"], (name, statuses)
        assert set(statuses[2:]) <= {"skipped"}, (name, statuses)
