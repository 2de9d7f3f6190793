"""Registry of test functions passed as arguments (numerical_jacobian's f), built from FuncSpec data.

Both processes build the same callable from the same description: the grader for the reference,
the student's process for the student's code. Nothing executable crosses the process boundary.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.model import FuncSpec

Vector = Callable[[np.ndarray], np.ndarray]


def _affine(A: Any, c: Any) -> Vector:
    A, c = np.asarray(A, float), np.asarray(c, float)
    return lambda x: A @ np.asarray(x, float) + c


def _tanh_affine(A: Any, c: Any) -> Vector:
    A, c = np.asarray(A, float), np.asarray(c, float)
    return lambda x: np.tanh(A @ np.asarray(x, float) + c)


def _sin_times(A: Any, c: Any) -> Vector:
    """sin(A x) * (1 + c * x[0]): couples every output with the first coordinate."""
    A, c = np.asarray(A, float), np.asarray(c, float)
    return lambda x: np.sin(A @ np.asarray(x, float)) * (1.0 + c * np.asarray(x, float)[0])


def _quadratic(Q: Any, c: Any) -> Vector:
    """A scalar function returned as a 1-vector (m = 1): 0.5 x.Q.x + c.x."""
    Q, c = np.asarray(Q, float), np.asarray(c, float)
    return lambda x: np.array([0.5 * np.asarray(x, float) @ Q @ np.asarray(x, float) + c @ np.asarray(x, float)])


def _exp_mix(A: Any) -> Vector:
    A = np.asarray(A, float)
    return lambda x: np.exp(0.5 * (A @ np.asarray(x, float)))


def _lecture_chain() -> Vector:
    """The lecture's vector chain-rule example y(x) = [ln(x^2), sin(3x)] of the first coordinate."""
    return lambda x: np.array([np.log(np.asarray(x, float)[0] ** 2), np.sin(3.0 * np.asarray(x, float)[0])])


REGISTRY: dict[str, Callable[..., Vector]] = {
    "affine": _affine,
    "tanh_affine": _tanh_affine,
    "sin_times": _sin_times,
    "quadratic": _quadratic,
    "exp_mix": _exp_mix,
    "lecture_chain": _lecture_chain,
}


def build(spec: FuncSpec) -> Vector:
    """The callable a FuncSpec describes; KeyError for a name the registry does not know."""
    return REGISTRY[spec.name](**spec.params)


def describe(spec: FuncSpec) -> str:
    """A short human description for messages, e.g. `tanh_affine(A: (3, 2), c: (3,))`."""
    params = ", ".join(f"{k}: {np.shape(v)}" for k, v in spec.params.items())
    return f"{spec.name}({params})"
