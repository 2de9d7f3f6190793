"""Machine-independent arithmetic for case generators: the same float64 bits on every CPU, BLAS and SIMD level."""
from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

# A case's inputs must not depend on the machine that builds them: `grade` draws every student's hidden
# cases afresh, on whatever computer it runs. numpy's matrix products go through BLAS, whose kernel is
# picked per CPU (with or without FMA, in another summation order); numpy's exp, tanh and log are
# SIMD-dispatched per CPU (AVX-512, AVX2 or none); libm (`math.exp`) picks an FMA variant at run time on
# x86 (glibc). Each changes last bits. A case generator that derives an input from drawn numbers uses
# these functions instead. They use only IEEE-754 basic operations on Python floats (+, -, * and /, each
# rounded once: CPython evaluates them one by one, never fused), `math.fsum` (exact partial sums, one
# rounding at the end) and `math.ldexp` (exact scaling by 2**k), so they give the same bits on any
# IEEE-754 machine. tests/grader/test_exact.py checks them against exact and 50-digit arithmetic;
# .ci/kernels runs the case tests under other BLAS kernels and SIMD levels.

Array = NDArray[np.float64]

# exp: fdlibm's e_exp.c (Sun, 1993; FreeBSD msun), transcribed: x = k ln2 + r with |r| <= ln2 / 2, a
# degree-5 minimax polynomial for r, then 2**k. Error below 1 ulp (0.85 in 100,000 tested points).
_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits: k * _LN2_HI is exact for |k| < 2**21
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_INV_LN2 = 1.44269504088896338700e+00
_HALF_LN2 = 0.34657359027997264
_P1, _P2, _P3, _P4, _P5 = (1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05,
                           -1.65339022054652515390e-06, 4.13813679705723846039e-08)
_OVERFLOW = 7.09782712893383973096e+02  # above: e**x is beyond the largest float
_UNDERFLOW = -7.45133219101941108420e+02  # below: e**x is below half the smallest subnormal


def exp(x: float) -> float:
    """e**x, within 1 ulp, in the same bits on every machine (no libm, no numpy)."""
    if not _UNDERFLOW <= x <= _OVERFLOW:
        return x if x != x else (math.inf if x > 0 else 0.0)
    if -_HALF_LN2 <= x <= _HALF_LN2:
        t = x * x
        c = x - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
        return 1.0 - ((x * c) / (c - 2.0) - x)
    k = int(_INV_LN2 * x + (0.5 if x > 0 else -0.5))  # int() truncates toward 0: k is x / ln2 rounded
    hi = x - k * _LN2_HI
    lo = k * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    return math.ldexp(1.0 - ((lo - (r * c) / (2.0 - c)) - hi), k)  # times 2**k: exact, or one rounding below 2**-1022


def sigmoid(z: float) -> float:
    """1 / (1 + e**-z), as reference.activations.sigmoid writes it (only e**-|z| is computed), with `exp`."""
    if z >= 0.0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)  # z < 0, or NaN (exp(NaN) is NaN)


def dot(x: Sequence[float], y: Sequence[float], plus: float = 0.0) -> float:
    """sum(x_i * y_i) + plus: each product rounded once (IEEE), then summed exactly and rounded once (`math.fsum`),
    so the order of the terms does not matter."""
    if len(x) != len(y):
        raise ValueError(f"dot of vectors of lengths {len(x)} and {len(y)}")
    return math.fsum([*map(operator.mul, x, y), plus])


def affine(W: ArrayLike, a: ArrayLike, b: ArrayLike | float = 0.0) -> Array:
    """W @ a + b for an (m, n) W and an (n,) a, each entry by `dot`; b is a number or an (m,) vector."""
    W, a, b = np.asarray(W, dtype=float), np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if W.ndim != 2 or a.shape != (W.shape[1],) or b.shape not in ((), (W.shape[0],)):
        raise ValueError(f"affine needs an (m, n) matrix, an (n,) vector and a number or an (m,) vector, "
                         f"not {W.shape}, {a.shape} and {b.shape}")
    bias = b.tolist() if b.ndim else [float(b)] * W.shape[0]
    column = a.tolist()
    return np.array([dot(row, column, c) for row, c in zip(W.tolist(), bias)], dtype=float)


def forward(params: Sequence[tuple[ArrayLike, ArrayLike]], x: ArrayLike) -> tuple[list[Array], list[Array]]:
    """(zs, activations) of a sigmoid network, shaped as `reference.mlp.forward` returns them, from `affine`
    and `sigmoid`: zs[l] = W_l a_l + b_l, activations[0] = a copy of x, activations[l + 1] = sigmoid(zs[l])."""
    a = np.array(x, dtype=float)
    zs: list[Array] = []
    activations: list[Array] = [a]
    for W, b in params:
        z = affine(W, a, b)
        a = np.array([sigmoid(v) for v in z.tolist()], dtype=float)
        zs.append(z)
        activations.append(a)
    return zs, activations
