"""grader.report.summary on constructed results: pass rates per function and part, counts by status."""
from __future__ import annotations

import statistics
from dataclasses import replace

import pytest

from grader.assignment import load_assignment
from grader.model import Check, StudentResult
from grader.report.charts import histogram_bins
from grader.report.summary import Tally, row, summarise

HW03 = load_assignment("hw03")


def check(function: str, case: str, passed: bool, outcome: str = "returned", points: float = 1.0) -> Check:
    spec = HW03.function(function)
    return Check(part=spec.part, function=function, case=case, kind="edge", passed=passed,
                 points=points if passed else 0.0, max_points=points, outcome=outcome)


def result(student: str, checks: list[Check], status: str = "graded", late: bool = False) -> StudentResult:
    parts = {p.name: sum(c.points for c in checks if c.part == p.name) for p in HW03.parts}
    return StudentResult(student=student, status=status, message="", late=late, seed=1, submission=None,
                         parts=parts, total=sum(parts.values()), max_total=HW03.max_total, checks=tuple(checks))


@pytest.fixture
def results() -> list[StudentResult]:
    return [
        # ann: relu 3/3, relu_grad 1/2 (one timeout)
        result("ann", [check("relu", "a", True), check("relu", "b", True), check("relu", "c", True),
                       check("relu_grad", "a", True), check("relu_grad", "b", False, "timeout")]),
        # bob: relu 1/3, relu_grad 0/2 (raised); late
        result("bob", [check("relu", "a", True), check("relu", "b", False), check("relu", "c", False),
                       check("relu_grad", "a", False, "raised"), check("relu_grad", "b", False, "raised")], late=True),
        # cat: never ran (syntax error): left out of the rates, counted as a load error
        result("cat", [check("relu", "a", False, "not_run"), check("relu_grad", "a", False, "not_run")],
               status="syntax_error"),
        # dan: no file
        result("dan", [check("relu", "a", False, "not_run")], status="no_submission"),
    ]


def test_function_pass_rates_count_only_students_whose_code_ran(results):
    stats = {f.name: f for f in summarise(HW03, results).functions}
    relu, grad = stats["relu"], stats["relu_grad"]
    assert (relu.students, relu.cases, relu.passed, relu.full_marks) == (2, 6, 4, 1)
    assert relu.pass_rate == pytest.approx(4 / 6)
    assert (grad.cases, grad.passed, grad.full_marks, grad.timeouts) == (4, 1, 0, 1)
    assert grad.pass_rate == pytest.approx(1 / 4)
    assert relu.mean_points == pytest.approx((3 + 1) / 2)
    assert stats["sigmoid"].cases == 0 and stats["sigmoid"].pass_rate == 0.0


def test_part_pass_rate_pools_its_functions(results):
    activations = next(p for p in summarise(HW03, results).parts if p.name == "activations")
    assert (activations.cases, activations.passed, activations.full_marks) == (10, 5, 0)
    assert activations.points == 16 and activations.group == HW03.parts[1].title
    assert activations.mean_points == pytest.approx((4 + 1) / 2)


def test_class_counts(results):
    s = summarise(HW03, results)
    assert (s.students, s.ran, s.load_errors, s.not_submitted, s.timeouts, s.late) == (4, 2, 1, 1, 1, 1)
    assert dict(s.statuses) == {"graded": 2, "syntax_error": 1, "no_submission": 1}
    percents = [r.total / HW03.max_total * 100 for r in results]
    assert s.bins == tuple(histogram_bins(percents)) and sum(s.bins) == 4
    assert s.mean_percent == pytest.approx(sum(percents) / 4)
    assert s.median_percent == pytest.approx(sorted(percents)[1] / 2 + sorted(percents)[2] / 2)


def test_rows_and_a_tally_that_reads_each_result_once(results):
    reads = []

    def once():
        for r in results:
            reads.append(r.student)
            yield r

    tally = Tally(HW03)
    lines = [tally.add(r) for r in once()]
    assert reads == ["ann", "bob", "cat", "dan"]
    assert lines == [row(r) for r in results]
    assert (tally.students, tally.ran, tally.late, len(tally.percents)) == (4, 2, 1, 4)  # counts, no rows kept
    ann, bob, cat, _ = lines
    assert (ann.failed, ann.timeout, ann.ran, bob.late, bob.failed, cat.ran) == (1, True, True, True, 4, False)
    assert tally.summary() == summarise(HW03, results)


def test_empty_class():
    s = summarise(HW03, [])
    assert (s.students, s.ran, s.mean_percent) == (0, 0, 0.0)
    assert all(f.pass_rate == 0.0 for f in s.functions)


@pytest.mark.parametrize("size", [1, 2, 7, 10, 1001])
def test_mean_and_median_equal_the_statistics_module(size):
    totals = [float((i * 7919) % 101) / 3 for i in range(size)]
    results = [result(f"s{i}", []) for i in range(size)]
    results = [replace(r, total=t, parts={}) for r, t in zip(results, totals)]
    s = summarise(HW03, results)
    percents = [r.percent for r in results]
    assert s.median_percent == statistics.median(percents) and s.mean_percent == statistics.fmean(percents)


def test_merged_tallies_give_exactly_the_figures_of_one_tally():
    """Points that do not add up exactly in floats: the merged summary equals the one-pass summary to
    the last bit, where adding the groups' sums would not."""
    points = [0.1, 0.7, 1 / 3, 0.2, 1e-9, 0.3, 2 / 7, 0.6] * 4
    students = [result(f"s{i:02d}", [check("relu", "a", True, points=p), check("relu_grad", "a", i % 3 != 0,
                                                                                "timeout" if i % 5 == 0 else "returned",
                                                                                points=p * 3)],
                       status="graded" if i % 7 else "import_error", late=i % 4 == 0)
                for i, p in enumerate(points)]
    groups = [students[:5], students[5:6], students[6:]]
    sums = [sum(r.checks[0].points for r in g) for g in groups]
    assert sum(sums) != sum(r.checks[0].points for r in students)  # the data is one where the order shows

    one = summarise(HW03, students)
    merged = Tally(HW03)
    for r in groups[0]:
        merged.add(r)
    for group in groups[1:]:
        part = Tally(HW03, log_points=True)
        for r in group:
            part.add(r)
        merged.merge(part.part())
    assert merged.summary() == one
    assert merged.summary().functions[HW03.functions.index(HW03.function("relu"))].mean_points \
        == one.functions[HW03.functions.index(HW03.function("relu"))].mean_points
