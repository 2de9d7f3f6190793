"""Part `mlp`: a fully connected sigmoid network with binary cross-entropy, trained by SGD."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.activations import sigmoid

Array = NDArray[np.float64]
Params = list[tuple[Array, Array]]


def bce_loss(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Mean over elements of -[y log y_hat + (1 - y) log(1 - y_hat)], natural log."""
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return float(np.mean(-(y * np.log(y_hat) + (1.0 - y) * np.log1p(-y_hat))))


def bce_grad(y: ArrayLike, y_hat: ArrayLike) -> Array:
    """dL/dy_hat = -y / y_hat + (1 - y) / (1 - y_hat), elementwise (not divided by the count)."""
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return -y / y_hat + (1.0 - y) / (1.0 - y_hat)


def forward(params: Sequence[tuple[ArrayLike, ArrayLike]], x: ArrayLike) -> tuple[list[Array], list[Array]]:
    """zs[l] = W_l a_l + b_l and a_{l+1} = sigmoid(zs[l]); activations[0] is (a copy of) x."""
    a = np.array(x, dtype=float)
    zs: list[Array] = []
    activations: list[Array] = [a]
    for W, b in params:
        z = np.asarray(W, dtype=float) @ a + np.asarray(b, dtype=float)
        a = sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backward(
    params: Sequence[tuple[ArrayLike, ArrayLike]],
    zs: Sequence[ArrayLike],
    activations: Sequence[ArrayLike],
    y: ArrayLike,
) -> Params:
    """Gradients (dW, db) of bce_loss(y, activations[-1]) for one sample, shaped like params.

    Uses dL/dz_L = y_hat - y (BCE after a sigmoid) and, going down,
    dL/dz_{l-1} = (W_l^T dL/dz_l) * a_l (1 - a_l).
    """
    acts = [np.asarray(a, dtype=float) for a in activations]
    delta = acts[-1] - np.asarray(y, dtype=float)
    grads: Params = []
    for layer in range(len(params) - 1, -1, -1):
        W = np.asarray(params[layer][0], dtype=float)
        a_in = acts[layer]
        grads.append((np.outer(delta, a_in), delta.copy()))
        if layer > 0:
            delta = (W.T @ delta) * a_in * (1.0 - a_in)
    grads.reverse()
    return grads


def sgd_step(
    params: Sequence[tuple[ArrayLike, ArrayLike]],
    grads: Sequence[tuple[ArrayLike, ArrayLike]],
    lr: float,
) -> Params:
    """New parameters (W - lr dW, b - lr db); the inputs are left untouched."""
    return [
        (np.asarray(W, dtype=float) - lr * np.asarray(dW, dtype=float),
         np.asarray(b, dtype=float) - lr * np.asarray(db, dtype=float))
        for (W, b), (dW, db) in zip(params, grads)
    ]


def train(
    params: Sequence[tuple[ArrayLike, ArrayLike]],
    X: ArrayLike,
    y: ArrayLike,
    lr: float = 0.1,
    epochs: int = 1,
) -> tuple[Params, list[float]]:
    """Per-sample SGD over the rows of X in order; losses[e] = mean pre-update loss of epoch e."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    current: Params = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
    losses: list[float] = []
    for _ in range(epochs):
        epoch_losses = [_sgd_on_sample(current, xi, yi, lr) for xi, yi in zip(X, y)]
        losses.append(float(np.mean(epoch_losses)))
    return current, losses


def _sgd_on_sample(current: Params, x: Array, y: Array, lr: float) -> float:
    """One step of `train`: replaces `current`'s layers by their update, returns the pre-update loss.

    This is forward, bce_loss, backward and sgd_step in one, with the very same numpy operations
    in the same order, so the same floats bit for bit (tests/reference/test_fast_loops.py checks it
    against those four). It only drops what costs time on tiny arrays: re-converting arrays that
    are float already, copying db, and the Python overhead of np.outer and np.mean (their multiply,
    and sum / count, are done directly).
    """
    acts = [np.array(x, dtype=float)]
    for W, b in current:
        acts.append(sigmoid(W @ acts[-1] + b))
    y_hat = acts[-1]
    elementwise = -(y * np.log(y_hat) + (1.0 - y) * np.log1p(-y_hat))
    loss = float(elementwise.sum() / elementwise.size)
    delta = y_hat - y
    for layer in range(len(current) - 1, -1, -1):
        W, b = current[layer]
        a_in = acts[layer]
        dW = delta.ravel()[:, np.newaxis] * a_in.ravel()[np.newaxis, :]  # np.outer(delta, a_in)
        current[layer] = (W - lr * dW, b - lr * delta)
        if layer > 0:
            delta = (W.T @ delta) * a_in * (1.0 - a_in)
    return loss
