"""grader.gradescope: results.json in Gradescope's format, tests per function and visibility, scores adding up."""
from __future__ import annotations

import json

import pytest

from grader.assignment import load_assignment
from grader.gradescope import VISIBILITIES, results_json
from grader.model import Check, StudentResult

ASSIGNMENT = load_assignment("hw03")
TEST_KEYS = {"name", "number", "score", "max_score", "status", "output", "visibility"}


def make_result(failing: dict[str, int], status: str = "graded") -> StudentResult:
    """Every function with 3 public and 4 hidden cases; `failing[f]` of f's hidden cases fail."""
    checks = []
    for spec in ASSIGNMENT.functions:
        share = spec.points / 7
        for i in range(7):
            public = i < 3
            passed = public or i - 3 >= failing.get(spec.name, 0)
            checks.append(Check(part=spec.part, function=spec.name, case=f"case {i}", kind="edge" if public else "random",
                                passed=passed, points=share if passed else 0.0, max_points=share,
                                message="" if passed else f"case 'random {i:02d}' (seed 7)\n got 2, expected 1",
                                public=public, fault="none" if passed else "student"))
    total = sum(c.points for c in checks)
    return StudentResult(student="ada", status=status, message="", late=True, seed=7, submission="hw03.py",
                         parts={}, total=total, max_total=ASSIGNMENT.max_total, checks=tuple(checks))


def validate(data: dict) -> None:
    """The fields Gradescope reads, with the types it expects."""
    assert isinstance(data["score"], float) and isinstance(data["output"], str)
    assert data["stdout_visibility"] in VISIBILITIES and isinstance(data["execution_time"], (int, float))
    for test in data["tests"]:
        assert set(test) == TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"] + 1e-12 and test["status"] in ("passed", "failed")
        assert test["visibility"] in VISIBILITIES
    json.dumps(data, allow_nan=False)  # plain JSON, no NaN


def test_two_tests_per_function_and_scores_add_up_to_the_total():
    result = make_result({"backward": 2, "relu_grad": 4})
    data = results_json(result, ASSIGNMENT)
    validate(data)
    assert len(data["tests"]) == 2 * len(ASSIGNMENT.functions)
    assert sum(t["score"] for t in data["tests"]) == pytest.approx(result.total) == pytest.approx(data["score"])
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(ASSIGNMENT.max_total)
    lost = {t["name"]: t["max_score"] - t["score"] for t in data["tests"] if t["status"] == "failed"}
    assert lost == pytest.approx({"mlp: backward (hidden cases)": 2 * 14 / 7,
                                  "activations: relu_grad (hidden cases)": 4 * 2 / 7})


def test_public_tests_are_visible_and_hidden_ones_follow_the_option():
    result = make_result({})
    for option in ("after_published", "hidden", "after_due_date"):
        data = results_json(result, ASSIGNMENT, option)
        visibility = {t["name"].rsplit("(", 1)[1]: t["visibility"] for t in data["tests"]}
        assert visibility == {"public cases)": "visible", "hidden cases)": option}
    with pytest.raises(ValueError, match="visibility must be one of"):
        results_json(result, ASSIGNMENT, "secret")


def test_the_output_gives_the_count_and_the_first_failure():
    data = results_json(make_result({"sgd_step": 3}), ASSIGNMENT)
    test = next(t for t in data["tests"] if t["name"] == "mlp: sgd_step (hidden cases)")
    assert test["output"].startswith("1 of 4 cases passed.\nFirst failure (2 more failing cases not shown):")
    assert "case 'random 03' (seed 7)" in test["output"]
    assert "graded, " in data["output"] and "(late)" in data["output"]


def test_a_grader_fault_says_whose_fault_it_is():
    result = make_result({})
    from dataclasses import replace
    broken = replace(result, status="grader_error", fault="grader", checks=(), total=0.0,
                     message="internal grader error (KeyError: 'x'); please report it.")
    data = results_json(broken, ASSIGNMENT)
    validate(data)
    assert data["tests"] == [] and data["score"] == 0
    assert "fault of the grader, not of your work" in data["output"] and "KeyError" in data["output"]
