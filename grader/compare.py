"""Compare a student's value with the expected one, with messages in the style of numpy.testing."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader import describe

SCALARS = (int, float, np.integer, np.floating)
SMALL = 32  # arrays up to this size are checked element by element in Python floats: faster than numpy there


def compare(expected: Any, got: Any, *, rtol: float, atol: float, name: str = "result",
            names: tuple[str, ...] = ()) -> str | None:
    """None when `got` matches `expected`; otherwise what differs, where, and by how much.

    Shapes must match exactly ((n,) is not (n, 1)); a list with the right values is accepted
    where an array is due; NaN and inf never equal a finite value.
    """
    if got is None and expected is not None:
        return f"{name}: got None (is a `return` missing?); expected {_kind(expected)}"
    if hasattr(got, "type_name") and hasattr(got, "text"):  # codec.Unsupported marker
        return f"{name}: got an object of type {got.type_name} ({got.text}); expected {_kind(expected)}"
    if isinstance(expected, np.ndarray):
        return _array(expected, got, rtol, atol, name)
    if isinstance(expected, (tuple, list)):
        return _sequence(expected, got, rtol, atol, name, names)
    if isinstance(expected, SCALARS) and not isinstance(expected, bool):
        return _scalar(expected, got, rtol, atol, name)
    if expected != got:
        return f"{name}: expected {expected!r}, got {describe.value(got)}"
    return None


def _kind(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"an array of shape {v.shape}"
    if isinstance(v, tuple):
        return f"a tuple of {len(v)} items"
    if isinstance(v, list):
        return f"a list of {len(v)} items"
    if isinstance(v, SCALARS):
        return "a number (float)"
    return type(v).__name__


def _sequence(expected: tuple | list, got: Any, rtol: float, atol: float, name: str,
              names: tuple[str, ...]) -> str | None:
    scalars = all(isinstance(e, SCALARS) for e in expected)
    if scalars and isinstance(got, np.ndarray) and got.ndim == 1:
        got = list(got)  # a 1-d array of numbers where a list of numbers is due
    if not isinstance(got, (tuple, list)):
        return f"{name}: expected {_kind(expected)}, got {describe.value(got, 120)}"
    if len(got) != len(expected):
        return (f"{name}: expected {_kind(expected)}, got {len(got)} items\n"
                f" expected: {describe.value(expected)}\n got:      {describe.value(got)}")
    if scalars and expected:
        return _array(np.asarray(expected, dtype=float), got, rtol, atol, name)
    for i, (e, g) in enumerate(zip(expected, got)):
        label = names[i] if i < len(names) else f"{name}[{i}]"
        problem = compare(e, g, rtol=rtol, atol=atol, name=label)
        if problem:
            return problem
    return None


def _scalar(expected: Any, got: Any, rtol: float, atol: float, name: str) -> str | None:
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if not isinstance(got, SCALARS):
        return f"{name}: expected a number (float), got {_kind(got) if not isinstance(got, SCALARS) else ''} " \
               f"{describe.value(got, 120)}".replace("  ", " ")
    e, g = float(expected), float(got)
    if math.isfinite(e) and abs(g - e) <= atol + rtol * abs(e):
        return None  # the same float64 arithmetic as _array; anything else gets _array's verdict and message
    return _array(np.asarray(e), np.asarray(g), rtol, atol, name)


def _array(expected: np.ndarray, got: Any, rtol: float, atol: float, name: str) -> str | None:
    if isinstance(got, (list, tuple)) or isinstance(got, SCALARS):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return f"{name}: expected {_kind(expected)}, got a list that is not a rectangular array of numbers"
    if not isinstance(got, np.ndarray):
        return f"{name}: expected {_kind(expected)}, got {type(got).__name__}"
    if got.shape != expected.shape:
        return (f"{name}: shape mismatch: expected {expected.shape}, got {got.shape}\n"
                f" expected: {describe.value(expected)}\n got:      {describe.value(got)}")
    e = expected.astype(float)
    g = got.astype(float)
    if _surely_close(e, g, rtol, atol):
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(e)
        close = np.zeros(e.shape, dtype=bool)
        close[finite] = np.abs(g[finite] - e[finite]) <= atol + rtol * np.abs(e[finite])
        close[~finite] = (g[~finite] == e[~finite]) | (np.isnan(g[~finite]) & np.isnan(e[~finite]))
    if close.all():
        return None
    bad = ~close
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        diff = np.abs(g - e)
        rel = diff / np.abs(e)
    first = tuple(int(i) for i in np.argwhere(bad)[0]) if e.ndim else ()
    lines = [
        f"{name}: not equal to tolerance rtol={rtol:g}, atol={atol:g}",
        f" Mismatched elements: {int(bad.sum())} / {e.size} ({100.0 * bad.sum() / e.size:.3g}%)",
        f" Max absolute difference among violations: {_num(np.nanmax(diff[bad]) if np.isfinite(diff[bad]).any() else np.nan)}",
        f" Max relative difference among violations: {_num(np.nanmax(rel[bad]) if np.isfinite(rel[bad]).any() else np.inf)}",
    ]
    if np.isnan(g[bad]).any() or np.isinf(g[bad]).any():
        lines.append(" got NaN or inf where a finite value was expected" if finite[bad].any() else
                     " NaN/inf differ")
    if e.ndim:
        lines.append(f" First mismatch at index {first}: expected {_num(e[first])}, got {_num(g[first])}")
    lines += [f" expected: {describe.value(expected)}", f" got:      {describe.value(got)}"]
    return "\n".join(lines)


def _surely_close(e: np.ndarray, g: np.ndarray, rtol: float, atol: float) -> bool:
    """True only when every element of `e` is finite and `g` is within tolerance of it: the passing
    case, checked cheaply. False means "not sure": the full check below decides and explains."""
    if e.size <= SMALL:
        for ev, gv in zip(e.ravel().tolist(), g.ravel().tolist()):
            if not (math.isfinite(ev) and abs(gv - ev) <= atol + rtol * abs(ev)):
                return False
        return True
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.isfinite(e).all() and (np.abs(g - e) <= atol + rtol * np.abs(e)).all())


def _num(x: Any) -> str:
    return f"{float(x):.6g}"
