"""grader.score: points shared by weight, and a message for every way a case can fail."""
import numpy as np
import pytest

from grader.assignment import load_assignment
from grader.expected import Expected
from grader.model import CallOutcome, Case
from grader.score import part_totals, score, verdict


@pytest.fixture(scope="module")
def hw03():
    return load_assignment("hw03")


def _case(fn="relu", **kw):
    return Case(function=fn, name=kw.pop("name", "c"), kind=kw.pop("kind", "edge"), args=(np.array([1.0]),), **kw)


def test_points_are_shared_by_weight(hw03):
    cases = [_case(name="a", weight=1.0), _case(name="b", weight=3.0)]
    outcomes = [CallOutcome("returned", value=np.array([1.0])), CallOutcome("returned", value=np.array([0.0]))]
    checks = score(hw03, cases, outcomes, [Expected(np.array([1.0]))] * 2, seed=7)
    points = hw03.function("relu").points
    assert checks[0].passed and checks[0].points == pytest.approx(points / 4)
    assert not checks[1].passed and checks[1].points == 0 and checks[1].max_points == pytest.approx(3 * points / 4)
    assert part_totals(hw03, checks)["activations"] == pytest.approx(points / 4)
    assert checks[1].fault == "student" and "relu(z=array([1.]))" in checks[1].message


def test_random_case_message_carries_the_seed(hw03):
    case = _case(kind="random", name="random 03")
    (check,) = score(hw03, [case], [CallOutcome("returned", value=np.array([2.0]))], [Expected(np.array([1.0]))], 99)
    assert "case 'random 03' (seed 99)" in check.message


@pytest.mark.parametrize("outcome, expected, needle", [
    (CallOutcome("raised", error="NotImplementedError: "), Expected(np.ones(1)), "not implemented yet"),
    (CallOutcome("raised", error="ZeroDivisionError: division by zero", traceback="line 3"), Expected(np.ones(1)),
     "raised ZeroDivisionError"),
    (CallOutcome("missing"), Expected(np.ones(1)), "not defined"),
    (CallOutcome("timeout", error="timed out after 10 s"), Expected(np.ones(1)), "timed out"),
    (CallOutcome("returned", value=np.ones(1), mutated=("z",)), Expected(np.ones(1)), "modified its input z"),
    (CallOutcome("returned", value=np.ones(1)), Expected(raises=("ValueError",), error="ValueError: x"),
     "should raise ValueError"),
])
def test_failures_explain_themselves(hw03, outcome, expected, needle):
    passed, message = verdict(hw03.function("relu"), _case(), outcome, expected)
    assert not passed and needle in message


def test_expected_exception_passes_by_name_or_base_class(hw03):
    spec, case = hw03.function("chain_jacobians"), _case("chain_jacobians")
    exp = Expected(raises=("ValueError", "Exception"), error="ValueError: no")
    assert verdict(spec, case, CallOutcome("raised", error="ValueError: shapes"), exp)[0]
    assert verdict(spec, case, CallOutcome("raised", error="LinAlgError: x", error_types=("LinAlgError", "ValueError")),
                   exp)[0]
    assert not verdict(spec, case, CallOutcome("raised", error="AssertionError: x"), exp)[0]
    not_implemented = CallOutcome("raised", error="NotImplementedError: ",
                                  error_types=("NotImplementedError", "RuntimeError", "Exception"))
    assert not verdict(spec, case, not_implemented, exp)[0]


def test_runtime_warning_fails_a_stability_case_only(hw03):
    spec = hw03.function("sigmoid")
    warned = CallOutcome("returned", value=np.array([0.0, 1.0]), warnings=("RuntimeWarning: overflow encountered in exp",))
    exp = Expected(np.array([0.0, 1.0]))
    assert not verdict(spec, _case("sigmoid", forbid_warnings=True), warned, exp)[0]
    assert verdict(spec, _case("sigmoid"), warned, exp)[0]


def test_shared_call_texts_are_used_for_those_very_cases_only(hw03):
    shared = _case(name="public 01", public=True)
    twin = Case(function="relu", name="public 01", kind="edge", args=(np.array([5.0]),), public=True)
    calls = {("relu", "public 01"): (shared, "relu(z=<rendered once>)")}
    wrong = [CallOutcome("returned", value=np.array([9.0]))]
    (mine,) = score(hw03, [shared], wrong, [Expected(np.array([1.0]))], 1, calls)
    (other,) = score(hw03, [twin], wrong, [Expected(np.array([1.0]))], 1, calls)
    assert "call: relu(z=<rendered once>)" in mine.message
    assert "call: relu(z=array([5.]))" in other.message


def test_shared_calls_render_each_shared_case_as_describe_does(hw03):
    from grader import describe
    from grader.assignment import load_generators
    from grader.cases import shared_cases
    from grader.score import shared_calls
    cases = shared_cases(hw03, load_generators(hw03))
    calls = shared_calls(hw03, cases)
    assert len(calls) == sum(len(group) for group in cases.values())
    for group in cases.values():
        for case in group:
            assert calls[(case.function, case.name)] == (case, describe.call(case,
                                                                             hw03.function(case.function).signature))


def test_score_agrees_with_verdict_on_every_kind_of_outcome(hw03):
    """score() decides a plainly right answer without asking verdict(), and shares one record per
    passed case among students: every check must still be the one verdict() and Check() give."""
    from grader.model import Check
    right, warned = np.array([0.5, 1.0]), ("RuntimeWarning: overflow encountered in exp",)
    rows = [  # (case, outcome, expected)
        (_case("sigmoid", name="a"), CallOutcome("returned", value=right.copy()), Expected(right)),
        (_case("sigmoid", name="b"), CallOutcome("returned", value=right * (1 + 1e-7)), Expected(right)),
        (_case("sigmoid", name="c"), CallOutcome("returned", value=right * (1 + 1e-5)), Expected(right)),
        (_case("sigmoid", name="d", forbid_warnings=True), CallOutcome("returned", value=right, warnings=warned),
         Expected(right)),
        (_case("sigmoid", name="e", forbid_warnings=True), CallOutcome("returned", value=right), Expected(right)),
        (_case("sigmoid", name="f"), CallOutcome("returned", value=right, mutated=("z",)), Expected(right)),
        (_case("sigmoid", name="g"), CallOutcome("returned", value=right), Expected(raises=("ValueError",), error="x")),
        (_case("sigmoid", name="h", public=True), CallOutcome("raised", error="ValueError: no"),
         Expected(raises=("ValueError",), error="ValueError: no")),
        (_case("sigmoid", name="i", kind="random"), CallOutcome("returned", value=[0.5, 1.0]), Expected(right)),
        (_case("sigmoid", name="j"), CallOutcome("missing"), Expected()),
        (_case("sigmoid", name="k"), CallOutcome("returned", value=np.array([np.nan, 1.0])),
         Expected(np.array([np.nan, 1.0]))),
    ]
    cases, outcomes, expecteds = zip(*rows)
    spec = hw03.function("sigmoid")
    verdicts = [verdict(spec, *row)[0] for row in rows]
    hidden = [ok for ok, (case, _, _) in zip(verdicts, rows) if not case.public]
    rate = sum(hidden) / len(hidden)  # every case weighs 1 here
    for _ in range(2):  # the second time, passed checks come from the shared records
        checks = score(hw03, cases, outcomes, expecteds, seed=5)
        for check, (case, outcome, expected) in zip(checks, rows):
            passed, problem = verdict(spec, case, outcome, expected)
            assert check.passed == passed, case.name
            if passed:
                share = spec.points * case.weight / sum(c.weight for c in cases)
                earned = share * rate if case.public else share
                assert check == Check(part=spec.part, function="sigmoid", case=case.name, kind=case.kind, passed=True,
                                      points=earned, max_points=share, message="", fault="none", public=case.public,
                                      hint="", outcome=outcome.status)
            else:
                assert check.points == 0.0 and check.fault == "student" and check.message.endswith(problem)
    assert [c.passed for c in checks] == [True, True, False, False, True, False, False, True, True, False, True]


def _public_and_hidden(hw03, public_right: bool, hidden_right: int, hidden: int = 4):
    """sigmoid with 4 public cases (all right or all wrong) and `hidden` hidden ones, `hidden_right` of them right."""
    right, wrong = np.array([0.5]), np.array([0.25])
    rows = [(_case("sigmoid", name=f"p{k}", public=True), CallOutcome("returned", value=right if public_right else wrong),
             Expected(right)) for k in range(4)]
    rows += [(_case("sigmoid", name=f"h{k}", kind="random"), CallOutcome("returned", value=right if k < hidden_right
                                                                           else wrong), Expected(right))
             for k in range(hidden)]
    cases, outcomes, expecteds = zip(*rows)
    return sum(c.points for c in score(hw03, cases, outcomes, expecteds, seed=1)), hw03.function("sigmoid").points


@pytest.mark.parametrize("public_right, hidden_right, fraction", [
    (True, 4, 1.0),  # correct: full points
    (True, 0, 0.0),  # public answers replayed from a table, every hidden case wrong: nothing
    (True, 2, 0.5),  # half the hidden cases: half the hidden points, and half the public ones
    (False, 4, 0.5),  # every public case wrong (an edge case), every hidden right: their share (4 of 8) is lost
    (False, 0, 0.0),
])
def test_public_cases_count_as_far_as_the_hidden_cases_pass(hw03, public_right, hidden_right, fraction):
    earned, points = _public_and_hidden(hw03, public_right, hidden_right)
    assert earned == pytest.approx(points * fraction)


def test_without_hidden_cases_public_cases_count_in_full(hw03):
    """The self-check runs the public cases only: each counts its full share there."""
    earned, points = _public_and_hidden(hw03, True, 0, hidden=0)
    assert earned == pytest.approx(points)
