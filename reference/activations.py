"""Part `activations`: sigmoid, tanh, ReLU, leaky ReLU and their derivatives (elementwise)."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """1 / (1 + e^-z), evaluated without overflow: only e^-|z| is ever computed."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    return np.where(z >= 0, 1.0 / d, e / d)


def sigmoid_grad(z: ArrayLike) -> NDArray[np.float64]:
    """s(z)(1 - s(z)), written as e^-|z| / (1 + e^-|z|)^2 (same value, no overflow)."""
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


def tanh(z: ArrayLike) -> NDArray[np.float64]:
    """Hyperbolic tangent (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z: ArrayLike) -> NDArray[np.float64]:
    """1 - tanh(z)^2."""
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def relu(z: ArrayLike) -> NDArray[np.float64]:
    """max(0, z)."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_grad(z: ArrayLike) -> NDArray[np.float64]:
    """0 where z <= 0, 1 where z > 0 (the derivative at 0 is taken as 0)."""
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)


def leaky_relu(z: ArrayLike, alpha: float = 0.01) -> NDArray[np.float64]:
    """max(alpha z, z) for 0 < alpha < 1."""
    z = np.asarray(z, dtype=float)
    return np.maximum(alpha * z, z)


def leaky_relu_grad(z: ArrayLike, alpha: float = 0.01) -> NDArray[np.float64]:
    """alpha where z <= 0, 1 where z > 0."""
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, float(alpha))
