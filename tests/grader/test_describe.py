"""grader.describe: the fast text of small float arrays is exactly numpy's, and calls are abridged."""
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import describe
from grader.model import Case

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def numpys(v: np.ndarray) -> str:
    """What numpy itself prints with the options every message uses."""
    return np.array2string(v, precision=6, threshold=24, edgeitems=3, separator=", ", max_line_width=100,
                           floatmode="maxprec")


# numbers as the cases and students produce them, plus the awkward ones: exact ties at the 7th
# digit (k/128), signed zeros, round numbers, and magnitudes that switch numpy to exponent form
AWKWARD = st.sampled_from([0.0, -0.0, 2.0, 0.5, 0.0078125, 0.0234375, 1.0000005, 0.5000005, 1e-4, 9.999e-5,
                           1e8, 99999999.99999999, 1e-300, 1.7976931348623157e308, 5e-324, 1e-320])
FLOATS = st.one_of(st.floats(-1e3, 1e3), st.floats(allow_nan=False, allow_infinity=False), AWKWARD,
                   st.integers(-2000, 2000).map(lambda k: k / 128), st.floats(width=32))
ARRAYS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=12), elements=FLOATS)


@SETTINGS
@given(ARRAYS)
def test_small_float_arrays_print_exactly_as_numpy(v):
    fast = describe._small_floats(v)
    assert fast is None or fast == numpys(v)


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=24),
                  elements=st.floats(-1e6, 1e6) | st.floats(-1e-3, 1e-3)))
def test_long_rows_wrap_as_numpy_wraps_them(v):
    fast = describe._small_floats(v)
    assert fast is None or fast == numpys(v)


@pytest.mark.parametrize("v", [
    np.random.default_rng(0).normal(0, 3, 5), np.random.default_rng(1).normal(0, 1, (4, 6)),
    np.random.default_rng(2).normal(0, 1e4, 24), np.array([1e-5, 2.5, -3e7]), np.array(-2.0),
    np.array([[0.5, 0.49], [0.51, -3.0]]), np.array([-1.0, 0.0, -0.0, 1e-300, -1e-300, 2.0]),
])
def test_common_arrays_take_the_fast_path_and_match_numpy(v):
    assert describe._small_floats(v) == numpys(v)
    text = re.sub(r"\s*\n\s*", " ", numpys(v))
    text = text if v.ndim == 0 else f"array({text})" + (f"  # shape {v.shape}" if v.ndim == 2 else "")
    assert describe.value(v) == (text if len(text) <= 300 else text[:295] + " ...]")


@pytest.mark.parametrize("v", [
    np.array([1.0, np.nan]), np.array([np.inf, 2.0]), np.arange(30.0), np.ones((2, 2, 2)), np.arange(4),
    np.array([5e-324, 1.0]), np.array([], dtype=float), np.ones(3, dtype=np.float32),
])
def test_other_arrays_are_left_to_numpy(v):
    assert describe._small_floats(v) is None
    assert describe.value(v).startswith("array(" if v.ndim else "")


def test_non_default_print_options_are_respected():
    v = np.array([1e-8, 1.0, 2.5])
    with np.printoptions(suppress=True):
        assert describe._small_floats(v) is None
        assert "0.      ,  1.      " in describe.value(v) or describe.value(v) == f"array({numpys(v)})"
    assert describe._small_floats(v) == numpys(v)


def test_call_names_the_parameters_and_abridges_big_inputs():
    case = Case(function="relu_grad", name="c", kind="edge", args=(np.arange(100.0),), kwargs={"alpha": 0.2})
    text = describe.call(case, "relu_grad(z, alpha=0.01)")
    assert text.startswith("relu_grad(z=array([ 0.,  1.,  2., ..., 97., 98., 99.])")
    assert text.endswith("alpha=0.2)")
