"""Part `perceptron`: unit step, prediction and the perceptron learning rule."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def unit_step(z: ArrayLike, theta: float = 0.0) -> NDArray[np.float64]:
    """Heaviside step g(z): 1.0 where z >= theta, else 0.0, shaped like z."""
    return np.where(np.asarray(z) >= theta, 1.0, 0.0)


def perceptron_predict(w: ArrayLike, X: ArrayLike, theta: float = 0.0) -> NDArray[np.float64]:
    """Predict 0/1 for each row of X (N, n); w (n+1,) holds the bias weight w[0] (x0 = 1)."""
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    return unit_step(w[0] + X @ w[1:], theta)


def perceptron_train(
    X: ArrayLike, y: ArrayLike, lr: float = 1.0, epochs: int = 100, theta: float = 0.0
) -> tuple[NDArray[np.float64], list[int]]:
    """Rosenblatt's rule from w = 0, rows in order; stop after the first error-free epoch."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1] + 1)
    rows = [np.concatenate(([1.0], xi)) for xi in X]  # [1, x] of each row, built once, not every epoch
    errors: list[int] = []
    for _ in range(epochs):
        wrong = 0
        for xa, yi in zip(rows, y):
            y_hat = 1.0 if w @ xa >= theta else 0.0  # float(unit_step(w @ xa, theta)), without the array round trip
            if y_hat != yi:
                wrong += 1
            w = w + lr * (yi - y_hat) * xa
        errors.append(wrong)
        if wrong == 0:
            break
    return w, errors
