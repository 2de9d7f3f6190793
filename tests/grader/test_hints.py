"""grader.hints: each recogniser fires on a wrong answer built with its mistake, and stays silent on a
correct answer and on wrong answers of another kind; end to end, fixture submissions get their hint."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import reference
from grader.assignment import load_assignment, load_generators
from grader.cases import build_cases
from grader.expected import expected_for
from grader.hints import Context as HintContext
from grader.hints import hint
from grader.model import CallOutcome, Case
from grader.pipeline import GradeOptions, grade_class
from grader.score import verdict

ASSIGNMENT = load_assignment("hw03")
GENERATORS = load_generators(ASSIGNMENT)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"


def fixed(function: str, name: str) -> Case:
    return next(c for c in GENERATORS.fixed_cases(function) if c.name == name)


def expected_value(case: Case):
    return expected_for(reference, case).value


def hint_for(case: Case, got, warnings: tuple[str, ...] = (), status: str = "returned") -> str:
    """The hint for `got`, after checking that the grader does fail it (hints only exist for failures)."""
    spec = ASSIGNMENT.function(case.function)
    outcome = CallOutcome(status, value=got, warnings=warnings)
    expected = expected_for(reference, case)
    if status == "returned":
        assert not verdict(spec, case, outcome, expected)[0], "the constructed answer should fail"
    return hint(spec, case, outcome, expected)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(params, acts, y, hidden_derivative=True, output_derivative=False):
    """An independent backward pass written for these tests, with the two classic slips as switches."""
    acts = [np.asarray(a, dtype=float) for a in acts]
    delta = acts[-1] - y
    if output_derivative:
        delta = delta * acts[-1] * (1 - acts[-1])
    grads = []
    for layer in reversed(range(len(params))):
        a_in = acts[layer]
        grads.insert(0, (delta[:, None] * a_in[None, :], delta.copy()))
        delta = params[layer][0].T @ delta
        if hidden_derivative:
            delta = delta * a_in * (1 - a_in)
    return grads


# --- each recogniser on its own mistake ------------------------------------------------------------


def test_transposed_gradients():
    case = fixed("backward", "lecture gradients (steps 1-8)")
    got = [(dW.T, db) for dW, db in expected_value(case)]
    text = hint_for(case, got)
    assert "transposed" in text and "(3, 2)" in text, text


def test_missing_hidden_sigmoid_derivative():
    case = fixed("backward", "lecture gradients (steps 1-8)")
    params, _, acts, y = case.args
    got = backprop(params, acts, y, hidden_derivative=False)
    text = hint_for(case, got)
    assert "divided by a(1 - a) with a = activations[2]" in text and "missing" in text, text
    assert text.startswith("grads[1][0], grads[1][1] are"), text


def test_extra_output_sigmoid_derivative():
    case = fixed("backward", "label 0")
    params, _, acts, y = case.args
    got = backprop(params, acts, y, output_derivative=True)
    text = hint_for(case, got)
    assert "multiplied by a(1 - a) with a = activations[3]" in text, text


def test_negated():
    case = fixed("bce_grad", "labels 0 and 1, elementwise")
    text = hint_for(case, -expected_value(case))
    assert "negative of the expected" in text, text


@pytest.mark.parametrize("factor, words", [(2.0, "2x the expected value: an extra factor 2?"),
                                           (0.5, "0.5x the expected value: a missing factor 2?"),
                                           (1 / 3, "a missing factor 3?")])
def test_scaled_by_a_round_factor(factor, words):
    case = fixed("mse_grad", "split per sample, inside the sum")
    dw, db = expected_value(case)
    text = hint_for(case, (factor * dw, factor * db))
    assert words in text, text


def test_scaled_by_any_constant_needs_several_values():
    case = fixed("tanh", "zero and symmetric values")
    text = hint_for(case, 0.731 * expected_value(case))
    assert "one constant, 0.731" in text, text
    lone = fixed("mse_cost", "active and inactive samples")
    assert hint_for(lone, 0.731 * expected_value(lone)) == ""  # one number is a multiple of any other


def test_sum_instead_of_mean():
    case = fixed("bce_loss", "array of labels, mean over elements")
    y, p = case.args
    total = float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    text = hint_for(case, total)
    assert "4x the expected value, and 4 is the number of elements of y: a sum where a mean is due?" in text, text


def test_mean_of_a_mean_is_a_division_too_many():
    case = fixed("mse_grad", "split per sample, inside the sum")
    dw, db = expected_value(case)
    text = hint_for(case, (dw / 4, db / 4))  # X has N = 4 rows
    assert "4 is N, the number of rows of X" in text and "division by 4 too many" in text, text


@pytest.mark.parametrize("got, shape", [(np.ones((1, 3)), "(1, 3)"), (np.ones(3), "(3,)")])
def test_column_expected(got, shape):
    case = fixed("jacobian_scalar_add", "d/dz is an (n, 1) column")
    text = hint_for(case, got)
    assert f"shape {shape} where (3, 1) is due" in text, text
    assert "transposed" not in text


def test_array_where_a_float_is_due():
    case = fixed("bce_loss", "array of labels, mean over elements")
    text = hint_for(case, np.array([expected_value(case)]))
    assert "shape (1,) where () is due" in text and "float(x)" in text, text


def lecture_mse(w, b, X, y, active_if):
    """The lecture's slide: one case split for the whole batch, then (2/N) sum over ALL samples."""
    n = len(X)
    if not active_if:
        return np.zeros(X.shape[1]), 0.0
    dw, db = np.zeros(X.shape[1]), 0.0
    for i in range(n):
        e = X[i] @ w + b - y[i]
        dw, db = dw + 2 / n * e * X[i], db + 2 / n * e
    return dw, db


def test_lecture_mse_all_samples_counted():
    case = fixed("mse_grad", "split per sample, inside the sum")
    text = hint_for(case, lecture_mse(*case.args, active_if=True))
    assert "sum over ALL 4 samples" in text and "ERRATA" in text and "(2 of 4 do here)" in text, text


def test_lecture_mse_zero_reading():
    case = fixed("mse_grad", "split per sample, inside the sum")
    text = hint_for(case, lecture_mse(*case.args, active_if=False))
    assert "is zero" in text and "outside the sum" in text, text


def test_overflow_warning_with_right_values():
    case = fixed("sigmoid", "|z| up to 1000 without overflow")
    text = hint_for(case, expected_value(case), warnings=("RuntimeWarning: overflow encountered in exp",))
    assert "overflow encountered in exp" in text and "stable" in text, text


def test_nan_from_inputs_beyond_exp_range():
    case = fixed("sigmoid_grad", "|z| up to 1000 without overflow")
    got = expected_value(case).copy()
    got[0] = np.nan  # what inf / inf gives at z = -1000 when the warning was silenced
    text = hint_for(case, got)
    assert "NaN/inf" in text and "exp" in text, text


def test_returned_none():
    case = fixed("relu", "zeros and signs")
    assert "returned None" in hint_for(case, None)


# --- silence: correct answers, other mistakes, odd values --------------------------------------------


def test_nan_is_not_blamed_on_exp_for_small_inputs():
    case = fixed("sigmoid", "lecture z of every layer")
    got = expected_value(case).copy()
    got[1] = np.nan
    assert hint_for(case, got) == ""
    assert hint_for(case, got, warnings=("RuntimeWarning: invalid value encountered in divide",)) == ""


def test_a_round_number_for_another_is_no_pattern():
    case = fixed("neuron_grad", "active")  # expected (x, 1.0): 0.5 for d_b is 'half', but no evidence
    assert hint_for(case, (np.array([1.0, 1.0]), 0.5)) == ""


def public_cases() -> list[Case]:
    return list(build_cases(ASSIGNMENT, GENERATORS, 0, public_only=True))


@pytest.mark.parametrize("case", public_cases(), ids=lambda c: f"{c.function}/{c.name}")
def test_silent_on_correct_and_on_noise(case):
    """Every public case: no hint for the right answer, none for the answer with unrelated random errors."""
    spec = ASSIGNMENT.function(case.function)
    expected = expected_for(reference, case)
    if expected.raises:
        assert hint(spec, case, CallOutcome("returned", value=1.0), expected) == ""
        return
    assert hint(spec, case, CallOutcome("returned", value=expected.value), expected) == ""
    rng = np.random.default_rng(abs(hash(case.name)) % 2**32)

    def noisy(v):
        if isinstance(v, (list, tuple)):
            return type(v)(noisy(x) for x in v)
        if isinstance(v, (bool, str)):
            return v
        arr = np.asarray(v, dtype=float)
        out = arr * rng.uniform(1.1, 1.9, arr.shape) + rng.uniform(0.1, 0.9, arr.shape)
        return out if isinstance(v, np.ndarray) else (float(out) if np.ndim(out) == 0 else list(out))

    assert hint(spec, case, CallOutcome("returned", value=noisy(expected.value)), expected) == ""


@pytest.mark.parametrize("got", ["text", {"a": 1}, [[1.0, 2.0], [3.0]], [object()], (np.ones(2),)])
def test_odd_values_give_no_hint_and_no_error(got):
    case = fixed("backward", "label 0")
    spec = ASSIGNMENT.function("backward")
    assert hint(spec, case, CallOutcome("returned", value=got), expected_for(reference, case)) == ""


def test_only_returned_values_get_hints():
    case = fixed("relu", "zeros and signs")
    spec = ASSIGNMENT.function("relu")
    expected = expected_for(reference, case)
    for status in ("raised", "timeout", "crashed", "missing", "not_run"):
        assert hint(spec, case, CallOutcome(status, value=-expected.value, error="x"), expected) == ""
    raising = fixed("chain_jacobians", "shapes do not chain: ValueError")
    assert hint(ASSIGNMENT.function("chain_jacobians"), raising, CallOutcome("returned", value=None),
                expected_for(reference, raising)) == ""


# --- end to end: fixture submissions graded by the pipeline ------------------------------------------

END_TO_END = {  # fixture -> (function, words every failed case of it must have in its hint)
    "fails_backward_transposed": ("backward", "transpose"),
    "fails_mse_grad_split_outside": ("mse_grad", "pull the case split outside the sum"),
    "fails_sigmoid_overflow": ("sigmoid", "overflow encountered in exp"),
    "fails_jacobian_scalar_add_row": ("jacobian_scalar_add", "where (3, 1) is due"),
    "fails_bce_loss_sum": ("bce_loss", "a sum where a mean is due"),
    "fails_bce_grad_sign": ("bce_grad", "negative of the expected"),
    "fails_backward_no_sigmoid_derivative": ("backward", "the sigmoid derivative is missing"),
    "fails_mse_grad_missing_2": ("mse_grad", "a missing factor 2"),
}
SILENT = ("fails_relu_neuron_no_bias", "fails_chain_jacobians_order", "fails_forward_no_activation_last_layer")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    for name in (*END_TO_END, *SILENT):
        shutil.copy(FIXTURES / f"{name}.py", root / f"{name}.py")
    run = grade_class(GradeOptions(submissions=root, out=tmp_path_factory.mktemp("out"), timeout=2.0, jobs=2))
    return {r.student: r for r in run.results}


@pytest.mark.parametrize("fixture", sorted(END_TO_END))
def test_fixture_gets_its_hint(graded, fixture):
    function, words = END_TO_END[fixture]
    assert graded[fixture].status == "graded", graded[fixture].message
    failed = [c for c in graded[fixture].checks if c.function == function and not c.passed]
    assert failed
    if fixture == "fails_jacobian_scalar_add_row":  # random cases have other lengths than 3
        failed = [c for c in failed if c.kind == "edge"]
    missing = [(c.case, c.hint) for c in failed if words not in c.hint]
    assert not missing, missing
    assert not any(c.hint for c in graded[fixture].checks if c.passed)


@pytest.mark.parametrize("fixture", SILENT)
def test_fixture_with_another_mistake_gets_no_hint(graded, fixture):
    """Their bugs are none of the recognised patterns: a hint here would be a guess."""
    assert graded[fixture].status == "graded", graded[fixture].message
    assert [c.hint for c in graded[fixture].checks if c.hint] == []


TINY_TOML = '''id = "tiny"
reference = "tiny_reference_for_hints"
seed = 7
random_cases = 2
public_random_cases = 1

[[part]]
name = "p"
  [[part.function]]
  name = "double"
  signature = "double(x)"
  points = 1
  returns = "2 x"
'''
TINY_CASES = '''import numpy as np
from grader.model import Case


def fixed_cases(function):
    return [Case(function, "lecture", "lecture", (np.array([1.0, 2.5, -4.0]),))]


def random_case(function, rng, name):
    return Case(function, name, "random", (rng.normal(size=3),))
'''
TINY_HINT = "adds 2 where it should multiply by 2 (a tiny assignment's own hint)."
TINY_HINTS = f'''import numpy as np


def plus_two(args):
    return [(np.asarray(args["x"], dtype=float) + 2, {TINY_HINT!r})]


MISTAKES = {{"double": plus_two}}
'''


def test_a_hint_defined_in_an_assignment_folder_is_applied(tmp_path, monkeypatch):
    """A new assignment brings its own known wrong formula in hints.py; grader/ is not touched."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "tiny_reference_for_hints.py").write_text("def double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ann.py").write_text("def double(x):\n    return x + 2\n")
    hints_by_folder = {}
    for name, with_hints in (("tiny", True), ("plain", False)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "assignment.toml").write_text(TINY_TOML)
        (folder / "cases.py").write_text(TINY_CASES)
        if with_hints:
            (folder / "hints.py").write_text(TINY_HINTS)
        run = grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / f"out-{name}",
                                       assignment=str(folder), executor="local", jobs=1, timeout=5.0))
        (result,) = run.results
        assert result.status == "graded" and result.checks and not any(c.passed for c in result.checks)
        hints_by_folder[name] = {c.hint for c in result.checks}
    assert hints_by_folder["tiny"] == {f"The result {TINY_HINT}"}  # every case, lecture and random
    assert not any(TINY_HINT in h for h in hints_by_folder["plain"])  # it came from the folder's hints.py


def test_hw03_known_mistakes_come_from_its_folder():
    from assignments.hw03 import hints as hw03_hints

    with_mistakes = {f.name for f in ASSIGNMENT.functions if f.mistakes is not None}
    assert with_mistakes == set(hw03_hints.MISTAKES) == {"mse_grad"}
    assert (ASSIGNMENT.folder / "hints.py").is_file()


def _close_by_the_rule(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    """Context.close's rule written out element by element: same shape, NaN/inf exactly where they
    are due (NaN to NaN, inf to the same inf), every other number within tolerance."""
    if got.shape != want.shape:
        return False
    for g, w in zip(got.ravel().tolist(), want.ravel().tolist()):
        if np.isfinite(w):
            if not (np.isfinite(g) and abs(g - w) <= atol + rtol * abs(w)):
                return False
        elif not (g == w or (np.isnan(g) and np.isnan(w))):
            return False
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([(), (1,), (3,), (2, 3), (40,)]))
def test_close_is_its_rule_with_and_without_nan_and_inf(data, shape):
    """close() takes a shorter way when every due value is finite; both ways give the rule's answer."""
    spec = ASSIGNMENT.function("sigmoid")
    ctx = HintContext(spec, GENERATORS.fixed_cases("sigmoid")[0], [], [])
    numbers = st.one_of(st.floats(-1e3, 1e3), st.sampled_from([0.0, -0.0, np.nan, np.inf, -np.inf, 1e308]))
    want = data.draw(hnp.arrays(np.float64, shape, elements=numbers))
    got = want.copy()
    for i in data.draw(st.lists(st.integers(0, max(want.size - 1, 0)), max_size=3)) if want.size else []:
        tol = spec.atol + spec.rtol * abs(want.flat[i]) if np.isfinite(want.flat[i]) else 1.0
        got.flat[i] = data.draw(st.sampled_from([want.flat[i] + tol, want.flat[i] + 2 * tol, np.nan, np.inf, 0.0]))
    with np.errstate(all="ignore"):
        assert ctx.close(got, want) == _close_by_the_rule(got, want, spec.rtol, spec.atol)
