"""grader.compare: tolerances, shapes, lists, NaN/inf, nested structures and messages."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.compare import compare

TOL = {"rtol": 1e-6, "atol": 1e-9}


def test_equal_within_tolerance_passes():
    assert compare(np.array([1.0, 2.0]), np.array([1.0 + 5e-7, 2.0]), **TOL) is None


def test_just_outside_tolerance_fails_with_numpy_style_figures():
    msg = compare(np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.1, 4.0]), **TOL)
    assert msg is not None
    assert "rtol=1e-06, atol=1e-09" in msg
    assert "Mismatched elements: 1 / 3" in msg
    assert "Max absolute difference among violations: 0.1" in msg
    assert "Max relative difference among violations: 0.05" in msg
    assert "index (1,)" in msg


def test_list_with_right_values_is_accepted_for_array():
    assert compare(np.array([[1.0, 0.0], [0.0, 1.0]]), [[1, 0], [0, 1]], **TOL) is None


def test_n_vs_n_by_1_is_a_shape_failure():
    msg = compare(np.ones((3, 1)), np.ones(3), **TOL)
    assert msg and "shape mismatch: expected (3, 1), got (3,)" in msg
    assert compare(np.ones((1, 3)), np.ones((3, 1)), **TOL)


def test_nan_and_inf_never_equal_finite():
    assert compare(np.array([1.0]), np.array([np.nan]), **TOL)
    assert compare(np.array([1.0]), np.array([np.inf]), **TOL)
    assert compare(np.array([np.inf]), np.array([1e308]), **TOL)
    assert compare(np.array([np.inf, -np.inf]), np.array([np.inf, -np.inf]), **TOL) is None


def test_scalar_expected_accepts_python_and_0d_but_not_size_1_array():
    assert compare(0.25, 0.25, **TOL) is None
    assert compare(0.25, np.float64(0.25), **TOL) is None
    assert compare(0.25, np.array(0.25), **TOL) is None
    assert "expected a number" in compare(0.25, np.array([0.25]), **TOL)
    assert compare(0.25, 0.26, **TOL)


def test_none_says_return_missing():
    assert "return" in compare(np.ones(2), None, **TOL)


def test_tuple_and_list_are_interchangeable_and_names_are_used():
    expected = (np.array([0.0, 1.0]), [3, 1, 0])
    assert compare(expected, [np.array([0.0, 1.0]), (3, 1, 0)], **TOL) is None
    msg = compare(expected, (np.array([0.0, 1.0]), [3, 1, 0, 0]), names=("w", "errors"), **TOL)
    assert msg.startswith("errors: expected a list of 3 items, got 4 items")


def test_nested_params_point_at_the_wrong_leaf():
    expected = [(np.ones((2, 1)), np.ones(2)), (np.ones((1, 2)), np.ones(1))]
    got = [(np.ones((2, 1)), np.ones(2)), (np.ones((1, 2)), np.zeros(1))]
    assert compare(expected, got, name="grads", **TOL).startswith("grads[1][1]:")


def test_list_of_floats_accepts_1d_array():
    assert compare([0.5, 0.25], np.array([0.5, 0.25]), **TOL) is None
    assert compare([0.5, 0.25], np.array([0.5, 0.3]), **TOL)


def test_unsupported_marker_is_reported_by_type():
    class Marker:
        type_name = "Tensor"
        text = "tensor([1.])"
    assert "Tensor" in compare(np.ones(1), Marker(), **TOL)


@pytest.mark.parametrize("got", ["abc", {"a": 1}, [[1, 2], [3]]])
def test_wrong_types_fail_cleanly(got):
    assert compare(np.ones(2), got, **TOL)


# The verdict against an independent oracle: np.isclose with equal_nan has exactly our rule (|g - e|
# <= atol + rtol |e|, NaN only equals NaN, inf only the same inf). Sizes on both sides of
# compare.SMALL exercise both quick checks; values straddle the tolerance boundary.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([(), (1,), (5,), (3, 4), (40,), (7, 9)]),
       st.sampled_from([0.0, 1e-12, 5e-10, 1e-9, 1e-7, 1e-6, 2e-6, 1e-3]),
       st.sampled_from([None, np.nan, np.inf, -np.inf, 1e308]))
def test_verdict_matches_isclose(seed, shape, step, special):
    rng = np.random.default_rng(seed)
    expected = rng.normal(0, 10.0 ** rng.integers(-3, 4), shape)
    got = expected + step * rng.choice([-1.0, 0.0, 1.0], shape) * np.maximum(np.abs(expected), 1.0)
    where = int(rng.integers(expected.size))
    if special is not None:  # in got only, in expected only, or in both at the same place
        for array in [(got,), (expected,), (got, expected)][int(rng.integers(3))]:
            array.flat[where] = special
    with np.errstate(all="ignore"):
        oracle = bool(np.isclose(got, expected, **TOL, equal_nan=True).all())
    assert (compare(expected, got, **TOL) is None) == oracle
    if shape == ():
        assert (compare(float(expected), float(got), **TOL) is None) == oracle
