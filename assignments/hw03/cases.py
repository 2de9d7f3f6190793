"""Case generators of hw03: the lecture's worked example, edge cases, and seeded random cases.

The grader calls `fixed_cases(function)` (lecture + edge cases, the same for every student,
public) and `random_case(function, rng, name)` (one random case drawn from `rng`, a
`grader.draws.Draws`: numpy's Generator with faster exact draws, see "random building blocks").
This module runs in the grader's process only; it may use the reference to build consistent
inputs (e.g. forward-pass values fed to `backward`), never to decide what is expected.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable

import numpy as np

from grader.draws import Draws
from grader.model import Case, FuncSpec
from reference.mlp import forward as _ref_forward

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
SHAPE_CDF = tuple((np.cumsum([0.6, 0.3, 0.1]) / np.cumsum([0.6, 0.3, 0.1])[-1]).tolist())
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
        z = (X @ w + b).tolist()
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


# --- fixed cases: the lecture's example and the edge cases -----------------------------------------


def _fixed(fn: str) -> list[Case]:
    P, x, y = lecture_params(), LECTURE_X, LECTURE_Y
    zs, acts = _ref_forward(P, x)
    L, E = "lecture", "edge"
    xor_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    big = np.array([-1000.0, -710.0, -50.0, 0.0, 50.0, 710.0, 1000.0])
    table: dict[str, list[Case]] = {
        "unit_step": [
            _case(fn, "z == theta gives 1", E, np.array([-1.0, 0.0, -0.0, 1e-300, -1e-300, 2.0])),
            _case(fn, "theta = 0.5, ties", E, np.array([[[0.5, 0.49]], [[0.51, -3.0]]]), theta=0.5),
            _case(fn, "0-d array z", E, np.array(-2.0), theta=-2.0),
            _case(fn, "a plain number, z == theta", E, 0.5, theta=0.5, note="z may be a Python number"),
            _case(fn, "a plain number below theta", E, -1.25, theta=0.5, note="z may be a Python number"),
        ],
        "perceptron_predict": [
            _case(fn, "bias only", E, np.array([0.0, 0.0, 0.0]), np.array([[1.0, -1.0], [0.0, 0.0]])),
            _case(fn, "z == theta on rows", E, np.array([-1.0, 1.0, 1.0]),
                  np.array([[0.0, 1.0], [1.0, 1.0], [-1.0, 0.0]]), theta=1.0),
        ],
        "perceptron_train": [
            _case(fn, "AND gate", E, xor_X, np.array([0.0, 0.0, 0.0, 1.0])),
            _case(fn, "OR gate, theta 1, lr 0.5", E, xor_X, np.array([0.0, 1.0, 1.0, 1.0]), lr=0.5, theta=1.0),
            _case(fn, "XOR never converges", E, xor_X, np.array([0.0, 1.0, 1.0, 0.0]), epochs=12,
                  note="XOR is not linearly separable: every epoch has errors"),
            _case(fn, "contradictory labels: all 100 epochs (the default)", E, np.array([[1.0], [1.0]]),
                  np.array([0.0, 1.0]), note="the same x labelled 0 and 1 is never learnt: epochs=100 by default"),
            _case(fn, "one sample", E, np.array([[2.5, -1.0]]), np.array([0.0])),
        ],
        "sigmoid": [
            _case(fn, "lecture z of every layer", L, np.concatenate([np.ravel(z) for z in zs])),
            _case(fn, "|z| up to 1000 without overflow", E, big, forbid_warnings=True,
                  note="a naive 1/(1+exp(-z)) overflows at z = -1000"),
            _case(fn, "a plain negative number", E, -1.5),
            _case(fn, "a plain positive number", E, 2.0),
        ],
        "sigmoid_grad": [
            _case(fn, "lecture output neuron (0.1750)", L, zs[-1].copy()),
            _case(fn, "|z| up to 1000 without overflow", E, big, forbid_warnings=True),
            _case(fn, "a plain number", E, 0.75),
        ],
        "tanh": [_case(fn, "zero and symmetric values", E, np.array([[[0.0, 0.5, -0.5]], [[3.0, -3.0, 20.0]]])),
                 _case(fn, "a plain number", E, -0.4)],
        "tanh_grad": [_case(fn, "zero and symmetric values", E, np.array([0.0, 0.5, -0.5, 3.0, -3.0, 20.0])),
                      _case(fn, "a plain number", E, 1.2)],
        "relu": [_case(fn, "zeros and signs", E, np.array([[[-2.0, 0.0]], [[-0.0, 3.5]]])),
                 _case(fn, "a plain positive number", E, 2.5), _case(fn, "a plain negative number", E, -1.5)],
        "relu_grad": [_case(fn, "z == 0 gives 0", E, np.array([-1.0, 0.0, -0.0, 1e-12, 2.0])),
                      _case(fn, "a plain positive number", E, 0.75), _case(fn, "the number 0 gives 0", E, 0.0)],
        "leaky_relu": [
            _case(fn, "default alpha 0.01", E, np.array([-100.0, -1.0, 0.0, 2.0])),
            _case(fn, "alpha 0.2", E, np.array([[[-5.0, 0.0]], [[5.0, -0.1]]]), alpha=0.2),
            _case(fn, "a plain negative number", E, -2.0, alpha=0.1),
            _case(fn, "a plain positive number", E, 3.0),
        ],
        "leaky_relu_grad": [
            _case(fn, "z == 0 gives alpha", E, np.array([-1.0, 0.0, -0.0, 1e-12, 3.0])),
            _case(fn, "alpha 0.3", E, np.array([[[-2.0, 0.0]], [[2.0, 0.0]]]), alpha=0.3),
            _case(fn, "a plain negative number", E, -0.5),
            _case(fn, "the number 0 gives alpha", E, 0.0, alpha=0.2),
        ],
        "bce_loss": [
            _case(fn, "lecture loss (0.2563)", L, y, acts[-1].copy()),
            _case(fn, "array of labels, mean over elements", E, np.array([1.0, 0.0, 1.0, 0.0]),
                  np.array([0.9, 0.2, 0.4, 0.7])),
            _case(fn, "y = 0", E, 0.0, np.array([0.3])),
            _case(fn, "(2, 2) arrays: mean over all elements", E, np.array([[1.0, 0.0], [0.25, 1.0]]),
                  np.array([[0.8, 0.3], [0.5, 0.6]]), note="the mean over every element, not over rows"),
        ],
        "bce_grad": [
            _case(fn, "lecture dL/dy_hat (-1.2921)", L, y, acts[-1].copy()),
            _case(fn, "labels 0 and 1, elementwise", E, np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.4])),
            _case(fn, "(2, 3) arrays, elementwise", E, np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]]),
                  np.array([[0.9, 0.2, 0.4], [0.7, 0.1, 0.55]])),
        ],
        "forward": [_case(fn, "lecture 1-2-3-1 network", L, P, x.copy())],
        "backward": [
            _case(fn, "lecture gradients (steps 1-8)", L, P, [z.copy() for z in zs], [a.copy() for a in acts], y,
                  weight=2.0),
            _case(fn, "label 0", E, P, [z.copy() for z in zs], [a.copy() for a in acts], 0.0),
            _case(fn, "fractional label 0.25", E, P, [z.copy() for z in zs], [a.copy() for a in acts], 0.25),
        ],
        "sgd_step": [_case(fn, "lecture update, lr 0.1", L, P, _lecture_grads(), LECTURE_LR)],
        "train": [
            _case(fn, "lecture: one sample, one epoch (loss 0.2563)", L, P, x.reshape(1, 1).copy(), np.array([1.0]),
                  lr=LECTURE_LR, epochs=1),
            _case(fn, "lecture: three epochs", E, P, x.reshape(1, 1).copy(), np.array([1.0]), lr=0.5, epochs=3),
        ],
        "jacobian_identity": [_case(fn, "n = 1", E, 1), _case(fn, "n = 4", E, 4)],
        "jacobian_elementwise": [
            *(_case(fn, f"y = w {op} x, d/d{wrt}", E, op, np.array([1.0, -2.0, 3.0]), np.array([0.5, 4.0, -2.0]),
                    wrt) for op in "+-*/" for wrt in "wx"),
            _case(fn, "unknown op '**': ValueError", E, "**", np.array([1.0, 2.0]), np.array([3.0, -1.0]), "w",
                  note="op must be one of '+', '-', '*', '/': raise ValueError for any other"),
            _case(fn, "unknown wrt 'y': ValueError", E, "-", np.array([1.0, 2.0]), np.array([3.0, -1.0]), "y",
                  note="wrt must be 'w' or 'x': raise ValueError for any other"),
        ],
        "jacobian_scalar_add": [
            _case(fn, "d/dx is (n, n)", E, np.array([1.0, 2.0, 3.0]), 2.0, "x"),
            _case(fn, "d/dz is an (n, 1) column", E, np.array([1.0, 2.0, 3.0]), 2.0, "z"),
            _case(fn, "unknown wrt 'w': ValueError", E, np.array([1.0, 2.0]), 2.0, "w",
                  note="wrt must be 'x' or 'z': raise ValueError for any other"),
        ],
        "jacobian_sum": [_case(fn, "(1, n) row", E, np.array([3.0, -1.0, 2.0, 0.0]))],
        "chain_rule_example": [_case(fn, "x = 1", L, 1.0), _case(fn, "negative x", E, -0.7)],
        "chain_jacobians": [
            _case(fn, "(2, 3) @ (3, 4)", E, np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4) / 7),
            _case(fn, "(1, n) @ (n, 1)", E, np.ones((1, 3)), np.array([[1.0], [2.0], [3.0]])),
            _case(fn, "(3, 1) @ (1, 4): one inner row", E, np.array([[1.0], [-2.0], [0.5]]),
                  np.array([[2.0, 0.0, -1.0, 3.0]])),
            _case(fn, "shapes do not chain: ValueError", E, np.ones((2, 3)), np.ones((2, 3)),
                  note="(2, 3) @ (2, 3) is undefined: raise ValueError"),
        ],
        "numerical_jacobian": [
            _case(fn, "lecture chain example at x = 1.5", L, FuncSpec("lecture_chain", {}), np.array([1.5])),
            _case(fn, "non-square (3, 2), eps 1e-3", E,
                  FuncSpec("tanh_affine", {"A": np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, 0.0]]),
                                           "c": np.array([0.1, -0.2, 0.0])}),
                  np.array([0.3, -0.4]), eps=1e-3),
            _case(fn, "scalar output m = 1", E,
                  FuncSpec("quadratic", {"Q": np.array([[2.0, 1.0], [1.0, 3.0]]), "c": np.array([1.0, -1.0])}),
                  np.array([0.5, 2.0]), eps=1e-4),
        ],
        "relu_neuron": [
            _case(fn, "active and inactive samples", E, np.array([1.0, -1.0]), 0.5,
                  np.array([[1.0, 0.0], [0.0, 1.0], [-0.5, 0.0], [2.0, 2.5]])),
        ],
        "neuron_grad": [
            _case(fn, "active", E, np.array([1.0, 2.0]), 0.5, np.array([1.0, 1.0])),
            _case(fn, "inactive", E, np.array([1.0, 2.0]), -5.0, np.array([1.0, 1.0])),
            _case(fn, "z == 0 exactly is inactive", E, np.array([1.0, 2.0]), -3.0, np.array([1.0, 1.0])),
            _case(fn, "active, fractional w, b and x", E, np.array([2.5, -0.5]), 0.75, np.array([-0.5, -1.5]),
                  note="w . x + b = 0.25 > 0: the derivative is (x, 1)"),
        ],
        "mse_cost": [
            _case(fn, "active and inactive samples", E, np.array([1.0, -1.0]), 0.5,
                  np.array([[1.0, 0.0], [0.0, 1.0], [-0.5, 0.0]]), np.array([1.0, 2.0, -1.0])),
        ],
        "mse_grad": [
            _case(fn, "split per sample, inside the sum", E, np.array([1.0, -1.0]), 0.5,
                  np.array([[1.0, 0.0], [0.0, 1.0], [-0.5, 0.0], [2.0, 1.0]]), np.array([1.0, 2.0, -1.0, 0.5]),
                  weight=2.0, note="only samples with z_i > 0 contribute: the case split stays inside the sum "
                  "(the lecture's last slides pull it outside, which is a slip)"),
            _case(fn, "all samples inactive", E, np.array([1.0]), -10.0, np.array([[1.0], [2.0]]),
                  np.array([1.0, 1.0])),
            _case(fn, "z == 0 exactly is inactive", E, np.array([1.0, 1.0]), -2.0,
                  np.array([[1.0, 1.0], [3.0, 1.0]]), np.array([0.0, 1.0])),
        ],
        "gradient_descent": [
            _case(fn, "active and inactive samples, 25 steps", E, np.array([0.5, -0.5]), 0.1,
                  np.array([[1.0, 0.0], [0.0, 1.0], [-0.5, 0.0], [2.0, 1.0]]), np.array([1.0, 2.0, -1.0, 0.5]),
                  lr=0.05, steps=25),
            _case(fn, "z == 0 exactly at the start is inactive", E, np.array([1.0, -1.0]), 0.0,
                  np.array([[1.0, 1.0], [2.0, 1.0], [0.0, 2.0], [3.0, -1.0]]), np.array([1.0, 0.0, 2.0, 1.0]),
                  lr=0.0625, steps=4, note="exact arithmetic (powers of two): the first sample has z = 0 at step 0 "
                  "and must not contribute"),
            _case(fn, "the defaults lr 0.01, steps 100", E, np.array([0.5, -0.5]), 0.1,
                  np.array([[1.0, 0.0], [0.0, 1.0], [-0.5, 0.0], [2.0, 1.0]]), np.array([1.0, 2.0, -1.0, 0.5])),
        ],
    }
    return table[fn]


def _lecture_grads() -> list[tuple[np.ndarray, np.ndarray]]:
    """Gradients of the lecture's network at its example, rounded as the lecture prints them."""
    return [
        (np.array([[-0.00528], [-0.00674]]), np.array([-0.00264, -0.00337])),
        (np.array([[-0.0123, -0.0128], [-0.0063, -0.0065], [-0.0186, -0.0194]]),
         np.array([-0.0214, -0.0109, -0.0323])),
        (np.array([[-0.1394, -0.1349, -0.1374]]), np.array([-0.2261])),
    ]


def fixed_cases(function: str) -> list[Case]:
    """The lecture's example (where it has one) and the edge cases of `function`."""
    return _fixed(function)


# --- random cases: one generator per contract function, each returning (args, kwargs) ----------------

Args = tuple[tuple[object, ...], dict[str, object]]


def _unit_step(rng: Rng) -> Args:
    theta = rng.pick([0.0, 1.0, -0.5, 2.0])
    z = np.asarray(np.round(_z(rng), 1))  # np.round of a 0-d array gives a scalar: keep an array
    if z.size:
        z.flat[rng.integer(0, z.size)] = theta
    return (z,), ({"theta": theta} if theta or rng.random() < 0.5 else {})


def _perceptron_predict(rng: Rng) -> Args:
    n, N = rng.integer(1, 5), rng.integer(1, 10)
    step = rng.pick([1.0, 0.5, 0.25])  # halves and quarters catch values truncated to int; ties stay exact
    w, X = rng.integers_small(-6, 7, n + 1) * step, rng.integers_small(-6, 7, (N, n)) * step
    return (w, X), {"theta": rng.pick([0.0, 1.0, -1.0, 2.0])}


def _perceptron_train(rng: Rng) -> Args:
    lr, theta = rng.pick([0.25, 0.5, 1.0, 2.0]), rng.pick([0.0, 0.0, 1.0, -1.0])
    X, y = _separable(rng)
    if rng.random() < 0.3:  # labels that are (probably) not separable, with a small epoch cap
        y = rng.integers_small(0, 2, len(y)).astype(float)
        return (X, y), {"lr": lr, "epochs": rng.integer(2, 9), "theta": theta}
    return (X, y), {"lr": lr, "epochs": 100, "theta": theta}


def _sigmoid(rng: Rng) -> Args:
    return (_z(rng, scale=rng.pick([1.0, 5.0, 30.0])),), {}


def _tanh(rng: Rng) -> Args:
    return (_z(rng, scale=2.0),), {}


def _relu(rng: Rng) -> Args:
    return (_z(rng, zeros=True),), {}


def _leaky_relu(rng: Rng) -> Args:
    kw = {"alpha": float(np.round(rng.uniform(0.01, 0.5), 3))} if rng.random() < 0.6 else {}
    return (_z(rng, zeros=True),), kw


def _bce(rng: Rng) -> Args:
    shape = [(1,), (rng.integer(2, 7),)][rng.integer(0, 2)]
    y_hat = rng.uniform(0.02, 0.98, size=shape)
    y = rng.integers_small(0, 2, shape).astype(float) if rng.random() < 0.7 else np.round(rng.uniform(0, 1, shape), 2)
    if shape == (1,) and rng.random() < 0.5:
        return (float(y[0]), y_hat), {}  # a float label with a one-output prediction, as in the lecture
    return (y, y_hat), {}


def _forward(rng: Rng) -> Args:
    P = _params(rng)
    return (P, rng.normal(0, 1, P[0][0].shape[1])), {}


def _backward(rng: Rng) -> Args:
    P = _params(rng)
    zs, acts = _ref_forward(P, rng.normal(0, 1, P[0][0].shape[1]))
    return (P, zs, acts, _label(rng)), {}


def _sgd_step(rng: Rng) -> Args:
    P = _params(rng)
    grads = [(rng.normal(0, 1, W.shape), rng.normal(0, 1, b.shape)) for W, b in P]
    return (P, grads, rng.pick([0.01, 0.1, 0.5, 1.0])), {}


def _train(rng: Rng) -> Args:
    P = _params(rng)
    N = rng.integer(2, 7)
    X, y = rng.normal(0, 1, (N, P[0][0].shape[1])), rng.integers_small(0, 2, N).astype(float)
    if rng.random() < 0.3:  # fractional targets, as bce_loss allows
        y = np.round(rng.uniform(0.05, 0.95, N), 2)
    kwargs = {"lr": rng.pick([0.05, 0.1, 0.5]), "epochs": rng.integer(1, 4)}
    return (P, X, y), (kwargs if rng.random() < 0.75 else {})  # else the defaults lr=0.1, epochs=1


def _jacobian_identity(rng: Rng) -> Args:
    return (rng.integer(1, 9),), {}


def _jacobian_elementwise(rng: Rng) -> Args:
    n = rng.integer(1, 7)
    x = rng.uniform(0.5, 3.0, n) * SIGNS[rng.integers_small(0, 2, n)]
    return (rng.pick("+-*/"), rng.normal(0, 2, n), x, rng.pick("wx")), {}


def _jacobian_scalar_add(rng: Rng) -> Args:
    return (rng.normal(0, 1, rng.integer(1, 7)), float(rng.normal()), rng.pick("xz")), {}


def _jacobian_sum(rng: Rng) -> Args:
    return (rng.normal(0, 1, rng.integer(1, 9)),), {}


def _chain_rule_example(rng: Rng) -> Args:
    return (float(rng.uniform(0.2, 4.0)) * rng.pick([-1.0, 1.0]),), {}


def _chain_jacobians(rng: Rng) -> Args:
    m, k, n = rng.integer(1, 6), rng.integer(1, 6), rng.integer(1, 6)
    if rng.random() < 0.15:  # shapes that do not chain
        return (rng.normal(0, 1, (m, k)), rng.normal(0, 1, (k + 1, n))), {}
    return (rng.normal(0, 1, (m, k)), rng.normal(0, 1, (k, n))), {}


def _numerical_jacobian(rng: Rng) -> Args:
    spec, n = _jac_fn(rng)
    eps = rng.pick([1e-2, 1e-3, 1e-4, 1e-5])
    return (spec, rng.normal(0, 1, n)), {"eps": eps}


def _relu_neuron(rng: Rng) -> Args:
    w, b, X, _ = _relu_batch(rng)
    return (w, b, X), {}


def _neuron_grad(rng: Rng) -> Args:
    w, b, X, _ = _relu_batch(rng, integer=rng.random() < 0.4)
    return (w, b, X[rng.integer(0, len(X))]), {}


def _mse(rng: Rng) -> Args:
    w, b, X, y = _relu_batch(rng, integer=rng.random() < 0.3)
    return (w, b, X, y), {}


def _gradient_descent(rng: Rng) -> Args:
    w, b, X, y = _relu_batch(rng)
    return (w, b, X, y), {"lr": rng.pick([0.01, 0.02, 0.05]), "steps": rng.integer(3, 30)}


RANDOM_ARGS: dict[str, Callable[[Rng], Args]] = {
    "unit_step": _unit_step, "perceptron_predict": _perceptron_predict, "perceptron_train": _perceptron_train,
    "sigmoid": _sigmoid, "sigmoid_grad": _sigmoid, "tanh": _tanh, "tanh_grad": _tanh,
    "relu": _relu, "relu_grad": _relu, "leaky_relu": _leaky_relu, "leaky_relu_grad": _leaky_relu,
    "bce_loss": _bce, "bce_grad": _bce, "forward": _forward, "backward": _backward, "sgd_step": _sgd_step,
    "train": _train, "jacobian_identity": _jacobian_identity, "jacobian_elementwise": _jacobian_elementwise,
    "jacobian_scalar_add": _jacobian_scalar_add, "jacobian_sum": _jacobian_sum,
    "chain_rule_example": _chain_rule_example, "chain_jacobians": _chain_jacobians,
    "numerical_jacobian": _numerical_jacobian, "relu_neuron": _relu_neuron, "neuron_grad": _neuron_grad,
    "mse_cost": _mse, "mse_grad": _mse, "gradient_descent": _gradient_descent,
}


def random_case(function: str, rng: Rng, name: str) -> Case:
    """One random case of `function`, drawn from `rng` (seeded per student and function)."""
    args, kwargs = RANDOM_ARGS[function](rng)
    return Case(function, name, "random", args, kwargs)
