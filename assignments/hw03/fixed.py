"""hw03's fixed cases: the lecture's worked example and the edge cases of each function (public, the same for all)."""
from __future__ import annotations

import numpy as np

from grader import exact
from grader.model import Case, FuncSpec

from .blocks import LECTURE_LR, LECTURE_X, LECTURE_Y, _case, lecture_params


def _fixed(fn: str) -> list[Case]:
    P, x, y = lecture_params(), LECTURE_X, LECTURE_Y
    zs, acts = exact.forward(P, x)  # machine-independent bits (grader/exact.py)
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
            _case(fn, "J_g is 1-d: ValueError", E, np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0, 0.5]),
                  note="a Jacobian is 2-d: (2, 3) and (3,) do not chain (numpy's @ would give a (2,) vector)"),
            _case(fn, "J_f is 1-d: ValueError", E, np.array([2.0, 0.5]), np.array([[1.0, 0.0, 3.0], [-1.0, 2.0, 0.0]]),
                  note="a Jacobian is 2-d: (2,) and (2, 3) do not chain (numpy's @ would give a (3,) vector)"),
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
