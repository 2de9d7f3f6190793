"""Part `jacobian`: Jacobians of the lecture's vector operations, in numerator layout (m, n)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def jacobian_identity(n: int) -> Array:
    """d x / d x = I_n."""
    return np.eye(int(n))


def jacobian_elementwise(op: str, w: ArrayLike, x: ArrayLike, wrt: str) -> Array:
    """Jacobian of y = w op x (op in + - * /) with respect to "w" or "x": always diagonal."""
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if wrt not in ("w", "x"):
        raise ValueError(f"wrt must be 'w' or 'x', not {wrt!r}")
    diagonals = {
        ("+", "w"): lambda: np.ones_like(w),
        ("+", "x"): lambda: np.ones_like(x),
        ("-", "w"): lambda: np.ones_like(w),
        ("-", "x"): lambda: -np.ones_like(x),
        ("*", "w"): lambda: x,
        ("*", "x"): lambda: w,
        ("/", "w"): lambda: 1.0 / x,
        ("/", "x"): lambda: -w / x**2,
    }
    if (op, wrt) not in diagonals:
        raise ValueError(f"op must be one of '+', '-', '*', '/', not {op!r}")
    return np.diag(diagonals[(op, wrt)]())


def jacobian_scalar_add(x: ArrayLike, z: float, wrt: str) -> Array:
    """y = x + z 1: d/dx is I_n, d/dz is an (n, 1) column of ones."""
    n = np.asarray(x).shape[0]
    if wrt == "x":
        return np.eye(n)
    if wrt == "z":
        return np.ones((n, 1))
    raise ValueError(f"wrt must be 'x' or 'z', not {wrt!r}")


def jacobian_sum(x: ArrayLike) -> Array:
    """d sum(x) / d x: a (1, n) row of ones."""
    return np.ones((1, np.asarray(x).shape[0]))


def chain_rule_example(x: float) -> Array:
    """d/dx [ln(x^2), sin(3x)] = [2/x, 3 cos(3x)]."""
    x = float(x)
    return np.array([2.0 / x, 3.0 * np.cos(3.0 * x)])


def chain_jacobians(J_f: ArrayLike, J_g: ArrayLike) -> Array:
    """Vector chain rule d f(g(x)) / dx = J_f @ J_g; ValueError when the shapes do not chain."""
    J_f = np.asarray(J_f, dtype=float)
    J_g = np.asarray(J_g, dtype=float)
    if J_f.ndim != 2 or J_g.ndim != 2 or J_f.shape[1] != J_g.shape[0]:
        raise ValueError(f"cannot chain Jacobians of shapes {J_f.shape} and {J_g.shape}")
    return J_f @ J_g


def numerical_jacobian(f: Callable[[Array], ArrayLike], x: ArrayLike, eps: float = 1e-6) -> Array:
    """(m, n) central differences (f(x + eps e_j) - f(x - eps e_j)) / (2 eps), column by column."""
    x = np.asarray(x, dtype=float)
    columns = []
    for j in range(x.shape[0]):
        step = np.zeros_like(x)
        step[j] = eps
        hi = np.atleast_1d(np.asarray(f(x + step), dtype=float))
        lo = np.atleast_1d(np.asarray(f(x - step), dtype=float))
        columns.append((hi - lo) / (2.0 * eps))
    return np.stack(columns, axis=1)
