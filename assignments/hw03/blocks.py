"""hw03's shared building blocks: the lecture's network, the Case maker, and the random draws both case kinds use."""
from __future__ import annotations

import bisect
import itertools

import numpy as np

from grader import exact
from grader.draws import Draws
from grader.model import Case, FuncSpec

Rng = Draws

# --- the lecture's 1-2-3-1 network (x = 2.0, y = 1, learning rate 0.1) -----------------------


def lecture_params() -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights of the lecture's network; W[j, i] is the weight from input i into neuron j."""
    return [
        (np.array([[0.1], [0.1]]), np.array([0.1, 0.2])),
        (np.array([[0.2, 0.1], [0.3, 0.2], [0.1, 0.3]]), np.array([0.3, 0.1, 0.2])),
        (np.array([[0.4, 0.2, 0.6]]), np.array([0.5])),
    ]


LECTURE_X = np.array([2.0])
LECTURE_Y = 1.0
LECTURE_LR = 0.1


def _case(fn: str, name: str, kind: str, *args: object, weight: float = 1.0, note: str = "",
          forbid_warnings: bool = False, **kwargs: object) -> Case:
    return Case(function=fn, name=name, kind=kind, args=tuple(args), kwargs=dict(kwargs),  # type: ignore[arg-type]
                weight=weight, public=kind != "random", forbid_warnings=forbid_warnings, note=note)


# --- random building blocks --------------------------------------------------------------------
# `rng` is a `grader.draws.Draws`: numpy's Generator plus `rng.integer(low, high)` (an int in
# [low, high)), `rng.integers_small`, `rng.pick(options)` and `rng.sample(n, k)`, which give exactly
# what `int(rng.integers(low, high))`, `rng.integers(low, high, size)`, `rng.choice(options)` and
# `rng.choice(n, k, replace=False)` give, at a fraction of numpy's per-call cost (hidden cases are
# drawn per student). The order of draws fixes every student's cases: reordering them, or drawing
# one more or one fewer, changes the hidden cases of everyone (tests/assignments/
# test_hw03_case_fingerprints.py then fails; rewrite its fixture only for a new assignment version).

# `rng.choice(3, p=p)` compares one `rng.random()` with the cumulative p normalised as numpy does
# (tests/assignments/test_hw03_cases.py checks `_pick_weighted` against rng.choice itself).
_SHAPE_SUMS = tuple(itertools.accumulate([0.6, 0.3, 0.1]))  # what np.cumsum gives: left to right, in float64
SHAPE_CDF = tuple(s / _SHAPE_SUMS[-1] for s in _SHAPE_SUMS)
SIGNS = np.array([-1.0, 1.0])


def _pick_weighted(rng: Rng, cdf: tuple[float, ...]) -> int:
    """`int(rng.choice(len(cdf), p=p))` where `cdf` is p's cumulative sum divided by its last value."""
    return bisect.bisect_right(cdf, rng.random())


def _shape(rng: Rng) -> tuple[int, ...]:
    """A 1-d (60%), 2-d (30%) or 0-d (10%) shape; all three candidates are drawn before the pick."""
    length, rows, cols = rng.integer(1, 9), rng.integer(1, 5), rng.integer(1, 5)
    return [(length,), (rows, cols), ()][_pick_weighted(rng, SHAPE_CDF)]


def _z(rng: Rng, scale: float = 3.0, zeros: bool = False) -> np.ndarray:
    z = rng.normal(0.0, scale, size=_shape(rng))
    if zeros and z.size > 1:
        z.flat[rng.sample(z.size, max(1, z.size // 3))] = 0.0
    return np.asarray(z)


def _params(rng: Rng, n_in: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """A random sigmoid network: 1-4 layers, widths 1-6, one output."""
    n_in = n_in or rng.integer(1, 6)
    widths = [n_in] + [rng.integer(1, 7) for _ in range(rng.integer(0, 4))] + [1]
    return [(rng.normal(0, 1.0, (o, i)), rng.normal(0, 0.5, o)) for i, o in zip(widths, widths[1:])]


def _label(rng: Rng) -> object:
    kind = rng.integer(0, 3)
    if kind == 0:
        return float(rng.integer(0, 2))
    if kind == 1:
        return np.array([float(rng.integer(0, 2))])
    return float(np.round(rng.uniform(0.05, 0.95), 3))


def _separable(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    """Integer or half-integer data labelled by an integer hyperplane (ties go to class 1, like unit_step).

    Halves catch features truncated to int; with learning rates that are powers of two every sum is exact."""
    n, rows = rng.integer(1, 4), rng.integer(4, 13)
    X = rng.integers_small(-8, 9, (rows, n)) * rng.pick([1.0, 0.5])
    w = rng.integers_small(-3, 4, n + 1).astype(float)
    # Exact on any machine: halves times integers, |sum| <= 75, so no product or partial sum is rounded
    # whatever BLAS kernel computes X @ w (any order, FMA or not). Only the labels depend on it.
    y = (w[0] + X @ w[1:] >= 0).astype(float)
    return X, y


def _relu_batch(rng: Rng, integer: bool = False) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """w, b, X, y with both active and inactive samples (z > 0 and z <= 0)."""
    n, N = rng.integer(1, 5), rng.integer(3, 10)
    while True:
        if integer:
            w = rng.integers_small(-3, 4, n).astype(float)
            b = float(rng.integer(-2, 3))
            X = rng.integers_small(-3, 4, (N, n)).astype(float)
        else:
            w, b, X = rng.normal(0, 1, n), float(rng.normal(0, 0.5)), rng.normal(0, 1.5, (N, n))
        weights = w.tolist()  # z = X @ w + b, but not through BLAS, whose kernel could round a z near 0 either way
        z = [exact.dot(row, weights, b) for row in X.tolist()]
        if max(z) > 0 >= min(z):
            return w, b, X, rng.normal(0, 2, N)


def _jac_fn(rng: Rng) -> tuple[FuncSpec, int]:
    n, m = rng.integer(1, 5), rng.integer(1, 5)
    name = rng.pick(["affine", "tanh_affine", "sin_times", "quadratic", "exp_mix"])
    A, c = rng.normal(0, 1, (m, n)), rng.normal(0, 1, m)
    params = {"affine": {"A": A, "c": c}, "tanh_affine": {"A": A, "c": c}, "sin_times": {"A": A, "c": c},
              "quadratic": {"Q": rng.normal(0, 1, (n, n)), "c": rng.normal(0, 1, n)},
              "exp_mix": {"A": A}}[name]
    return FuncSpec(name, params), n
