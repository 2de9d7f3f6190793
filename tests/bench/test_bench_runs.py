"""The benchmark's own helpers: the minimum-case-count variant of hw03, a missing nbgrader, target lines."""
from __future__ import annotations

from pathlib import Path

from bench import nbgrader_run
from bench.__main__ import minimum_cases
from grader.assignment import load_assignment, load_generators
from grader.cases import build_cases, shared_cases


def test_minimum_variant_has_20_random_cases_a_function_and_is_otherwise_hw03(tmp_path: Path):
    shipped = load_assignment("hw03")
    variant = load_assignment(str(minimum_cases(tmp_path)))
    assert (shipped.random_cases, shipped.public_random_cases) == (20, 5)
    assert (variant.random_cases, variant.public_random_cases) == (15, 5)
    assert [f.name for f in variant.functions] == [f.name for f in shipped.functions]
    generators = load_generators(variant)
    shared = shared_cases(variant, generators)
    cases = build_cases(variant, generators, 1234, shared=shared)
    for spec in variant.functions:
        random = [c for c in cases if c.function == spec.name and c.kind == "random"]
        assert len(random) == 20, spec.name  # 5 public + 15 hidden
        assert sum(not c.public for c in random) == 15


def test_an_nbgrader_command_that_does_not_exist_is_skipped_with_the_reason(tmp_path: Path):
    result = nbgrader_run.run(str(tmp_path / "no-such-nbgrader"), tmp_path / "course", [])
    assert result.skipped and "not an nbgrader command" in result.skipped
    assert not (tmp_path / "course").exists()  # nothing was prepared


def test_a_target_line_says_met_or_missed_and_what_limits_a_missed_one():
    from bench.figures import Target

    missed = Target("wall", "<= 10 s", "14.7 s", False, "CPU per submission")
    assert missed.line() == "  [MISSED] wall: 14.7 s (target <= 10 s)\n           limited by: CPU per submission"
    assert Target("overhead", "<= 25 ms", "7 ms", True, "fork").line() == "  [MET   ] overhead: 7 ms (target <= 25 ms)"
    assert Target("per call", "", "0.1 ms", None).line() == "  [n/a   ] per call: 0.1 ms (a figure, no target)"
