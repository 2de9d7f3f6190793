"""grader.exact: exp, sigmoid, dot, affine and forward against exact rational and 50-digit decimal arithmetic."""
from __future__ import annotations

import ast
import decimal
import math
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from grader import exact
from reference.mlp import forward as reference_forward

DIGITS = decimal.Context(prec=50, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def _ulps(got: float, exact_value: decimal.Decimal) -> float:
    """|got - exact_value| in units of the last place of the float nearest to exact_value."""
    nearest = float(exact_value)
    unit = math.ulp(nearest) if nearest else 5e-324
    return float(abs(decimal.Decimal(got) - exact_value) / decimal.Decimal(unit))


def _points() -> list[float]:
    r = random.Random(12)
    edges = [0.0, -0.0, 1e-300, -1e-300, 2**-30, -(2**-30), 0.34657359027997264, -0.34657359027997264, 0.3466,
             -0.3466, 1.0397, -1.0397, 1.04, -1.04, 50.0, -50.0, 700.0, 709.7, 709.78, -708.3, -708.5, -720.0,
             -744.4, -745.0]
    return edges + [r.uniform(-745.0, 709.7) for _ in range(3000)] + [r.gauss(0.0, 3.0) for _ in range(3000)]


def test_exp_is_within_one_ulp_of_e_to_the_x_over_the_whole_range():
    worst = max(_ulps(exact.exp(x), DIGITS.exp(decimal.Decimal(x))) for x in _points())
    assert worst < 1.0


def test_exp_of_zero_is_one_and_the_edges_are_ieee_ones():
    assert exact.exp(0.0) == 1.0 and exact.exp(-0.0) == 1.0
    assert exact.exp(710.0) == math.inf and exact.exp(math.inf) == math.inf
    assert exact.exp(-746.0) == 0.0 and exact.exp(-math.inf) == 0.0
    assert math.isnan(exact.exp(math.nan))
    assert 0.0 < exact.exp(-744.0) < 2.3e-308  # a subnormal, not flushed to 0


def test_sigmoid_is_within_three_ulps_of_its_exact_value():
    """exp's error (below 1 ulp), then 1 + e and the division (half an ulp each) at most."""
    r = random.Random(3)
    for z in [0.0, 1e-20, -1e-20, 40.0, -40.0, 700.0, -700.0] + [r.gauss(0.0, 4.0) for _ in range(3000)]:
        d = decimal.Decimal(z)
        want = DIGITS.divide(1, DIGITS.add(1, DIGITS.exp(-d)))
        assert _ulps(exact.sigmoid(z), want) < 3.0, z


def test_sigmoid_saturates_without_overflow_or_warnings():
    with np.errstate(all="raise"):
        assert exact.sigmoid(1000.0) == 1.0 and exact.sigmoid(-1000.0) == 0.0
        assert exact.sigmoid(math.inf) == 1.0 and exact.sigmoid(-math.inf) == 0.0
    assert exact.sigmoid(0.0) == 0.5 and math.isnan(exact.sigmoid(math.nan))


def _rounded_sum_of_products(x: list[float], y: list[float], plus: float) -> float:
    """The definition, in rationals: each IEEE product (Python's a * b), summed exactly, rounded once."""
    return float(sum((Fraction(a * b) for a, b in zip(x, y)), Fraction(plus)))


def test_dot_is_the_rounded_exact_sum_of_the_products_in_any_order():
    r = random.Random(5)
    for n in range(1, 9):
        for _ in range(200):
            x = [r.gauss(0, 1) * 10 ** r.randint(-8, 8) for _ in range(n)]
            y = [r.gauss(0, 1) for _ in range(n)]
            plus = r.gauss(0, 1)
            want = _rounded_sum_of_products(x, y, plus)
            assert exact.dot(x, y, plus) == want
            order = r.sample(range(n), n)
            assert exact.dot([x[i] for i in order], [y[i] for i in order], plus) == want


def test_dot_does_not_lose_what_naive_summation_loses():
    x, y = [1e16, 1.0, -1e16], [1.0, 1.0, 1.0]
    assert (1e16 + 1.0) - 1e16 == 0.0  # left to right, the 1 is lost
    assert exact.dot(x, y) == 1.0
    assert exact.dot([0.1, 0.2], [3.0, 3.0], -0.9) == _rounded_sum_of_products([0.1, 0.2], [3.0, 3.0], -0.9)


def test_dot_refuses_vectors_of_different_lengths():
    with pytest.raises(ValueError, match="lengths 2 and 3"):
        exact.dot([1.0, 2.0], [1.0, 2.0, 3.0])


def test_affine_is_dot_per_row_with_a_number_or_a_vector_for_b():
    W = np.array([[1.0, 2.0, 3.0], [0.25, -0.5, 0.75]])
    a = np.array([0.5, -1.5, 2.0])
    got = exact.affine(W, a, np.array([1.0, -1.0]))
    assert got.dtype == np.float64 and got.shape == (2,)
    assert got.tolist() == [_rounded_sum_of_products(row, a.tolist(), c) for row, c in zip(W.tolist(), [1.0, -1.0])]
    assert exact.affine(W, a, 0.25).tolist() == [_rounded_sum_of_products(row, a.tolist(), 0.25) for row in W.tolist()]
    assert exact.affine(W, a).tolist() == [3.5, 2.375]  # exact in binary


@pytest.mark.parametrize("W, a, b", [
    (np.ones(3), np.ones(3), 0.0), (np.ones((2, 3)), np.ones(2), 0.0),
    (np.ones((2, 3)), np.ones((3, 1)), 0.0), (np.ones((2, 3)), np.ones(3), np.ones(3)),
])
def test_affine_refuses_shapes_that_do_not_fit(W, a, b):
    with pytest.raises(ValueError, match="affine needs"):
        exact.affine(W, a, b)


def _network(rng: np.random.Generator, widths: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(rng.normal(0, 1, (o, i)), rng.normal(0, 0.5, o)) for i, o in zip(widths, widths[1:])]


@pytest.mark.parametrize("widths", [[1, 1], [2, 3, 1], [5, 6, 6, 6, 1], [3, 4, 2, 1]])
def test_forward_is_shaped_like_the_references_and_equal_to_the_last_bits(widths):
    rng = np.random.default_rng(sum(widths))
    params, x = _network(rng, widths), rng.normal(0, 1, widths[0])
    zs, acts = exact.forward(params, x)
    ref_zs, ref_acts = reference_forward(params, x)
    assert len(zs) == len(ref_zs) and len(acts) == len(ref_acts)
    for mine, ref in zip(zs + acts, ref_zs + ref_acts):
        assert type(mine) is np.ndarray and mine.dtype == ref.dtype and mine.shape == ref.shape
        assert mine.strides == ref.strides and mine.flags.writeable and mine.flags.c_contiguous
        np.testing.assert_allclose(mine, ref, rtol=1e-14, atol=1e-15)
    assert acts[0] is not x and acts[0].tolist() == x.tolist()


def test_forward_computes_each_layer_from_the_exact_functions():
    params = [(np.array([[0.2, 0.1], [0.3, 0.2]]), np.array([0.3, 0.1])), (np.array([[0.4, 0.2]]), np.array([0.5]))]
    x = np.array([0.7, -1.1])
    zs, acts = exact.forward(params, x)
    z1 = [_rounded_sum_of_products([0.2, 0.1], [0.7, -1.1], 0.3),
          _rounded_sum_of_products([0.3, 0.2], [0.7, -1.1], 0.1)]
    a1 = [exact.sigmoid(v) for v in z1]
    z2 = [_rounded_sum_of_products([0.4, 0.2], a1, 0.5)]
    assert [z.tolist() for z in zs] == [z1, z2]
    assert [a.tolist() for a in acts] == [[0.7, -1.1], a1, [exact.sigmoid(z2[0])]]


def test_the_arithmetic_reaches_no_blas_simd_loop_or_libm_function():
    """Only + - * / on Python floats, math.fsum and math.ldexp compute here; numpy only holds the arrays."""
    tree = ast.parse(Path(exact.__file__).read_text(encoding="utf-8"))
    used = {(node.value.id, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("np", "math")}
    assert {attr for module, attr in used if module == "math"} <= {"fsum", "ldexp", "inf"}
    assert {attr for module, attr in used if module == "np"} <= {"asarray", "array", "float64", "ndarray"}
    assert not any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) for node in ast.walk(tree))
    assert {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names} <= {"annotations", "math", "operator", "Sequence", "numpy", "ArrayLike", "NDArray"}
