"""Part `relu_mse`: one ReLU neuron, its gradient and the MSE cost minimised by gradient descent."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def relu_neuron(w: ArrayLike, b: float, X: ArrayLike) -> Array:
    """Activations max(0, X @ w + b) of the N samples in X (N, n)."""
    return np.maximum(np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b), 0.0)


def neuron_grad(w: ArrayLike, b: float, x: ArrayLike) -> tuple[Array, float]:
    """(d act / d w, d act / d b) for one sample: (x, 1) when w.x + b > 0, else (0, 0)."""
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if float(w @ x + b) > 0:
        return x.copy(), 1.0
    return np.zeros_like(x), 0.0


def mse_cost(w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike) -> float:
    """C = mean((y - relu_neuron(w, b, X))^2)."""
    return float(np.mean((np.asarray(y, dtype=float) - relu_neuron(w, b, X)) ** 2))


def mse_grad(w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike) -> tuple[Array, float]:
    """(dC/dw, dC/db) = (2/N) sum over the active samples (z_i > 0) of e_i (x_i, 1), e_i = z_i - y_i.

    The case split stays inside the sum: each sample is active or not on its own.
    """
    X = np.asarray(X, dtype=float)
    z = X @ np.asarray(w, dtype=float) + float(b)
    e = np.where(z > 0, z - np.asarray(y, dtype=float), 0.0)
    n = X.shape[0]
    return (2.0 / n) * (X.T @ e), float((2.0 / n) * e.sum())


def gradient_descent(
    w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike, lr: float = 0.01, steps: int = 100
) -> tuple[Array, float, list[float]]:
    """`steps` full-batch steps; costs[k] is the cost before step k."""
    w = np.array(w, dtype=float)
    b = float(b)
    # The loop body is mse_cost then mse_grad with the same numpy operations in the same order, so
    # the same floats bit for bit (tests/reference/test_fast_loops.py checks it), minus the repeats:
    # X and y are converted once, z = X @ w + b (which both compute alike) once per step, and
    # np.mean is its own sum / count without the Python overhead.
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    costs: list[float] = []
    for _ in range(steps):
        z = X @ w + float(b)
        squares = (y - np.maximum(z, 0.0)) ** 2
        costs.append(float(squares.sum() / squares.size))  # mse_cost
        n = X.shape[0]
        e = np.where(z > 0, z - y, 0.0)
        dw, db = (2.0 / n) * (X.T @ e), float((2.0 / n) * e.sum())  # mse_grad
        w = w - lr * dw
        b = b - lr * db
    return w, b, costs
