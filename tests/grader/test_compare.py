"""grader.compare: tolerances, shapes, lists, NaN/inf, nested structures and messages."""
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.compare import _compare, compare, matches

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


# `compare` first asks `matches` (a quick "surely equal" for the passing case) and only then runs the
# full comparison, `_compare`. Whatever the values, the answer must be the full comparison's: a True
# from `matches` where `_compare` finds a difference would pass a wrong answer.
SPECIAL = st.sampled_from([0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 5e-324, 1e308, -1e308, 1.0, -2.5])
NUMBERS = st.one_of(st.floats(-1e6, 1e6), SPECIAL, st.floats(), st.integers(-10, 10), st.integers(2 ** 52, 2 ** 64),
                    st.booleans(), st.floats(-1e3, 1e3).map(np.float64))
TOLS = st.sampled_from([(1e-6, 1e-9), (0.0, 0.0), (1e-3, 0.0), (0.0, 1e-3), (1e-6, -1.0), (np.inf, 0.0),
                        (np.nan, 1e-9), (1e-6, np.inf)])
DTYPES = st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.dtype(">f8")])


@st.composite
def nudged(draw, e: float, rtol: float, atol: float) -> float:
    """A float at the tolerance's edge around `e`, or up to 2 ulps inside or outside it."""
    side = draw(st.sampled_from([1.0, -1.0]))
    with np.errstate(all="ignore"):
        edge = float(np.float64(e) + side * (atol + rtol * abs(np.float64(e))))
    steps = draw(st.integers(-2, 2))  # > 0: outwards, past the edge
    for _ in range(abs(steps)):
        edge = float(np.nextafter(edge, side * np.inf if steps > 0 else -side * np.inf))
    return edge


@st.composite
def pairs(draw, tols: tuple[float, float] | None = None, depth: int = 0) -> tuple:
    """(expected, got, rtol, atol): the shapes students return, right, nearly right (at the
    tolerance's edge) and wrong."""
    rtol, atol = tols = tols or draw(TOLS)

    def near(x: Any) -> Any:  # a number at the edge of the tolerance around x, or x
        return draw(nudged(float(x), rtol, atol)) if type(x) in (float, int) and abs(x) < 1e300 else x

    kind = draw(st.sampled_from(["float", "array", "array", "list", "nested"] if depth < 2 else ["float", "array"]))
    if kind == "float":
        e = draw(NUMBERS)
        g = draw(st.one_of(st.just(e), st.just(near(e)), NUMBERS, st.just(np.array(e)), st.just(np.array([e])),
                           st.just(None), st.just("0.5")))
        return e, g, rtol, atol
    if kind == "array":
        dtype = draw(DTYPES)
        e = draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=6) |
                            st.sampled_from([(40,), (5, 9)]), elements=hnp.from_dtype(np.dtype(dtype))))
        with np.errstate(all="ignore"):
            g = e.astype(draw(DTYPES))
        if g.size and draw(st.booleans()) and g.dtype.kind == "f":
            g = g.copy()
            i = draw(st.integers(0, g.size - 1))
            with np.errstate(all="ignore"):
                g.flat[i] = near(float(e.flat[i])) if np.isfinite(e.flat[i]) else draw(SPECIAL)
        shown = draw(st.sampled_from(["array", "list", "tuple", "reshaped", "float"]))
        g = {"array": g, "list": g.tolist(), "tuple": tuple(g.tolist()) if g.ndim else g.tolist(),
             "reshaped": g.reshape(-1) if g.ndim != 1 else g.reshape(-1, 1),
             "float": float(g.flat[0]) if g.size and g.dtype.kind == "f" else g}[shown]
        return e, g, rtol, atol
    if kind == "list":  # a list of numbers, as perceptron_train's errors or a loss history
        e = draw(st.lists(NUMBERS, max_size=6))
        g = list(e)
        if e and draw(st.booleans()):  # one number changed: to the tolerance's edge, or to anything
            i = draw(st.integers(0, len(e) - 1))
            g[i] = draw(st.one_of(st.just(near(e[i])), NUMBERS))
        g = draw(st.one_of(st.just(g), st.just(tuple(g)), st.lists(NUMBERS, max_size=6),
                           st.just(np.array(e, dtype=object) if e else np.array([])), st.just(g[:-1])))
        return e, g, rtol, atol
    items = draw(st.lists(pairs(tols, depth + 1), min_size=0, max_size=3))
    wrap = draw(st.sampled_from([tuple, list]))
    return wrap(e for e, _, _, _ in items), draw(st.sampled_from([tuple, list]))(g for _, g, _, _ in items), rtol, atol


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pairs())
def test_the_quick_path_never_changes_the_answer(pair):
    expected, got, rtol, atol = pair
    with np.errstate(all="ignore"):
        try:
            full = _compare(expected, got, rtol, atol)
        except (OverflowError, ValueError) as exc:  # data the full comparison itself cannot take
            with pytest.raises(type(exc)):
                compare(expected, got, rtol=rtol, atol=atol)
            return
        if matches(expected, got, rtol, atol):
            assert full is None, (expected, got)
        assert compare(expected, got, rtol=rtol, atol=atol) == full


@pytest.mark.parametrize("expected, got", [
    (0.25, 0.25 + 1e-9), (np.float64(0.25), np.array(0.25)),
    (np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3)),  # the same bytes
    (np.arange(6.0), np.arange(6.0) * (1 + 1e-8)), (np.arange(60.0), np.arange(60.0) * (1 + 1e-8)),  # both sides of SMALL
    (np.arange(6.0), np.frombuffer(np.arange(6.0).tobytes(), dtype="<f8")),  # as the codec decodes arrays
    (np.array([np.nan, np.inf]), np.array([np.nan, np.inf])),  # the same bytes: NaN to NaN, inf to inf
    (np.arange(4.0).reshape(2, 2), [[0.0, 1], (2.0, 3.0)]), (np.array([1.0, 2.0]), (1, 2.0)),
    ([3, 1, 0], [3, 1, 0]), ([0.5, 0.25], (0.5, 0.25)),
    ((np.ones(3), [3, 1, 0]), [np.ones(3), (3, 1, 0)]), ([(np.ones((2, 1)), np.ones(2))], [(np.ones((2, 1)), np.ones(2))]),
])
def test_common_right_answers_take_the_quick_path(expected, got):
    assert matches(expected, got, **TOL)
    assert _compare(expected, got, TOL["rtol"], TOL["atol"]) is None


@pytest.mark.parametrize("expected, got", [
    (np.array([np.nan, 1.0]), np.array([np.nan, 1.0 + 1e-9])), (np.array([np.inf, 1.0]), np.array([np.inf, 1.0 + 1e-9])),
    ([1.0], [np.float64(1.0)]),
    (np.ones(2), np.ones(2, dtype=np.float32)), (np.ones(2, dtype=int), np.ones(2, dtype=int)), ([], []),
    ([2 ** 60], [2 ** 60 + 1]), (0.5, 1), (np.ones(2), np.ones(2).astype(">f8")),
])
def test_what_the_quick_path_does_not_know_is_left_to_the_full_comparison(expected, got):
    assert not matches(expected, got, **TOL)
    assert compare(expected, got, **TOL) == _compare(expected, got, TOL["rtol"], TOL["atol"])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), TOLS, st.sampled_from([(), (1,), (4,), (2, 3), (40,), (5, 9)]))
def test_at_the_tolerance_edge_every_form_of_the_numbers_gets_the_full_answer(data, tols, shape):
    rtol, atol = tols
    floats = st.one_of(st.floats(-1e6, 1e6), st.floats(), SPECIAL)
    e = data.draw(hnp.arrays(np.float64, shape, elements=floats))
    g = e.copy()
    for i in range(min(e.size, 6)):  # the first few numbers: kept, moved to the edge, or made NaN, inf...
        x = float(e.flat[i])
        how = data.draw(st.sampled_from(["keep", "edge", "edge", "special"]))
        if how == "edge" and abs(x) < 1e300:
            g.flat[i] = data.draw(nudged(x, rtol, atol))
        elif how == "special":
            g.flat[i] = data.draw(SPECIAL)
    forms = [(e, g), (e, g.tolist()), (e, np.frombuffer(g.tobytes(), dtype="<f8").reshape(shape))]
    if e.ndim == 0:
        forms += [(float(e), float(g)), (np.float64(e), g), (float(e), g)]
    if e.ndim == 1:
        forms += [(e.tolist(), g.tolist()), (tuple(e.tolist()), g), ((e, e.tolist()), [g, tuple(g.tolist())])]
    with np.errstate(all="ignore"):
        for expected, got in forms:
            full = _compare(expected, got, rtol, atol)
            assert not matches(expected, got, rtol, atol) or full is None, (expected, got)
            assert compare(expected, got, rtol=rtol, atol=atol) == full


EDGES = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e-9, 1e308, -1e308, 1.0, 1.0 + 1e-6, -2.5]


@pytest.mark.parametrize("rtol, atol", [(1e-6, 1e-9), (0.0, 0.0), (1e-3, -1.0), (np.inf, 0.0), (1e-6, np.inf)])
def test_every_pair_of_awkward_numbers_in_every_form_gets_the_full_answer(rtol, atol):
    with np.errstate(all="ignore"):
        for e in EDGES:
            for g in EDGES:
                for expected, got in [(e, g), (np.float64(e), np.array(g)), ([e], [g]), ((1.0, e), [1.0, g]),
                                      (np.array([e, 1.0]), [g, 1.0]), (np.array([[e]]), [[g]]),
                                      (np.array([e, 1.0]), np.array([g, 1.0])), ([np.array([e])], [np.array([g])])]:
                    full = _compare(expected, got, rtol, atol)
                    assert not matches(expected, got, rtol, atol) or full is None, (expected, got, rtol, atol)
                    assert compare(expected, got, rtol=rtol, atol=atol) == full
