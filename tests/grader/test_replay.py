"""grade replay: regrades one student with the class run's seed, prints the chosen failures, exits 0/1/2."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import cli, replay
from grader.cases import student_seed
from grader.pipeline import GradeOptions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"


def test_failures_of_one_function_are_printed_with_their_hint(capsys):
    assert cli.main(["replay", str(EXAMPLES), "evans", "--function", "bce_loss", "--timeout", "5"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("evans: graded, ") and f"seed {student_seed(48603, 'evans')}" in out
    assert "FAIL bce_loss / " in out and "hint: " in out and "a sum where a mean is due" in out
    assert "FAIL relu" not in out


def test_a_passing_function_exits_0(capsys):
    assert replay.main([str(EXAMPLES), "evans", "--function", "relu", "--timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert " selected cases passed" in out and "FAIL" not in out


def test_the_seed_decides_the_hidden_cases():
    ours = replay.regrade(GradeOptions(submissions=EXAMPLES, timeout=5.0, jobs=1), "evans")
    other = replay.regrade(GradeOptions(submissions=EXAMPLES, timeout=5.0, jobs=1, seed=1), "evans")
    assert (ours.seed, other.seed) == (student_seed(48603, "evans"), student_seed(1, "evans"))

    def hidden(result):
        return [(c.case, c.message) for c in replay.select(result, "bce_loss", None) if not c.public]

    assert hidden(ours) != hidden(other)
    again = replay.regrade(GradeOptions(submissions=EXAMPLES, timeout=5.0, jobs=1), "evans")
    assert hidden(again) == hidden(ours)


@pytest.mark.parametrize("argv, words", [
    (["nobody"], "no student 'nobody'"),
    (["evans", "--function", "nope"], "'nope' is not a function"),
    (["evans", "--function", "relu", "--case", "random 99"], "no case named 'random 99'"),
    (["evans", "--assignment", "hw99"], "unknown assignment"),
])
def test_usage_errors_exit_2(capsys, argv, words):
    assert replay.main([str(EXAMPLES), *argv, "--timeout", "5"]) == 2
    assert words in capsys.readouterr().err
