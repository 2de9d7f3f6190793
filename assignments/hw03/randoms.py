"""hw03's random case inputs: one generator per contract function, each drawing (args, kwargs) from a seeded rng."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader import exact

from .blocks import SIGNS, Rng, _jac_fn, _label, _params, _relu_batch, _separable, _z

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
    zs, acts = exact.forward(P, rng.normal(0, 1, P[0][0].shape[1]))  # not BLAS / SIMD exp: the same bits anywhere
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
