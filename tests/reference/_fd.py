"""Central finite differences written for the tests (independent of reference.numerical_jacobian)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np


def fd_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x for a scalar f of an array x of any shape: (f(x + eps e) - f(x - eps e)) / (2 eps)."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        hi, lo = x.copy(), x.copy()
        hi[idx] += eps
        lo[idx] -= eps
        g[idx] = (float(f(hi)) - float(f(lo))) / (2.0 * eps)
    return g


def fd_jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """(m, n) Jacobian of f: R^n -> R^m (numerator layout), one column per input coordinate."""
    x = np.array(x, dtype=float)
    m = np.atleast_1d(np.asarray(f(x), dtype=float)).shape[0]
    J = np.zeros((m, x.shape[0]))
    for j in range(x.shape[0]):
        hi, lo = x.copy(), x.copy()
        hi[j] += eps
        lo[j] -= eps
        J[:, j] = (np.atleast_1d(np.asarray(f(hi), dtype=float))
                   - np.atleast_1d(np.asarray(f(lo), dtype=float))) / (2.0 * eps)
    return J


def fd_derivative(f: Callable[[np.ndarray], np.ndarray], z: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Element-wise derivative of an element-wise f at every entry of z."""
    z = np.asarray(z, dtype=float)
    return (np.asarray(f(z + eps)) - np.asarray(f(z - eps))) / (2.0 * eps)
