"""Compare a student's value with the expected one, with messages in the style of numpy.testing."""
from __future__ import annotations

import math
from math import isfinite
from typing import Any

import numpy as np

from grader import describe

SCALARS = (int, float, np.integer, np.floating)
SMALL = 32  # arrays up to this size are checked element by element in Python floats: faster than numpy there
F64 = np.dtype(np.float64)  # native float64: `==` also tells the byte order (then .tobytes() compares values)
EXACT_INT = 2 ** 53  # ints up to this size are exact in float64
HUGE_FIX = ("return floats (e.g. float(x) or an array of dtype float), and look for a computation that grows "
            "without bound: Python integers never overflow, floats stop at inf")


def compare(expected: Any, got: Any, *, rtol: float, atol: float, name: str = "result",
            names: tuple[str, ...] = ()) -> str | None:
    """None when `got` matches `expected`; otherwise what differs, where, and by how much.

    Shapes must match exactly ((n,) is not (n, 1)); a list with the right values is accepted
    where an array is due; NaN and inf never equal a finite value.
    """
    if matches(expected, got, rtol, atol):
        return None  # the common case, decided without building any text
    return _compare(expected, got, rtol, atol, name, names)


def matches(expected: Any, got: Any, rtol: float, atol: float) -> bool:
    """True only when `compare` surely finds no difference: finite floats, float arrays (or lists of
    floats where an array is due) of equal shape, and tuples/lists of these, within tolerance. False
    means "not sure": `compare` decides in full.

    The arithmetic is `_array`'s, in float64 (Python floats are IEEE doubles, as numpy's are), so a
    True here is exactly `compare`'s None; tests/grader/test_compare.py checks the two agree."""
    kind = type(expected)
    if kind is float or kind is np.float64:
        g, e = _float(got), float(expected)
        return g is not None and isfinite(e) and abs(g - e) <= atol + rtol * abs(e)
    if kind is np.ndarray:
        if expected.dtype != F64:
            return False
        if type(got) is np.ndarray:
            if got.shape != expected.shape or got.dtype != F64:
                return False  # `compare` decides (and explains)
            if 0.0 <= atol and 0.0 <= rtol < math.inf and expected.tobytes() == got.tobytes():
                return True  # the very same numbers: `_array` finds each equal (inf too, NaN to NaN)
            return _surely_close(expected, got, rtol, atol)
        have = _grid(got, expected.shape)
        return have is not None and _close(expected.ravel().tolist(), have, rtol, atol)
    if kind is tuple or kind is list:
        if (type(got) is not tuple and type(got) is not list) or len(got) != len(expected) or not expected:
            return False
        if all(isinstance(e, SCALARS) for e in expected):  # `_sequence` compares these as one float array
            want, have = _floats(expected), _floats(got)
            return want is not None and have is not None and _close(want, have, rtol, atol)
        for e, g in zip(expected, got):
            if not matches(e, g, rtol, atol):
                return False
        return True
    return False


def _close(want: list[float], have: list[float], rtol: float, atol: float) -> bool:
    """Each expected float is finite and its partner within tolerance: `_surely_close` on lists."""
    for e, g in zip(want, have):
        if not (isfinite(e) and abs(g - e) <= atol + rtol * abs(e)):
            return False
    return True


def _float(got: Any) -> float | None:
    """`got` as `_scalar` reads it (a float, numpy float64 or 0-d float64 array), else None."""
    kind = type(got)
    if kind is float or kind is np.float64:
        return float(got)
    if kind is np.ndarray and got.ndim == 0 and got.dtype.char == "d":
        return float(got[()])
    return None


def _grid(got: Any, shape: tuple[int, ...]) -> list[float] | None:
    """A list (1-d) or list of rows (2-d) of floats of exactly `shape` (no side 0: [] has shape
    (0,) whatever is due), flattened: what np.asarray(got, dtype=float).ravel() holds then; None for
    anything else."""
    if not shape or not all(shape) or (type(got) is not list and type(got) is not tuple) or len(got) != shape[0]:
        return None
    if len(shape) == 1:
        return _floats(got)
    if len(shape) != 2:
        return None
    flat: list[float] = []
    for row in got:
        if type(row) is not list and type(row) is not tuple or len(row) != shape[1]:
            return None
        values = _floats(row)
        if values is None:
            return None
        flat += values
    return flat


def _floats(items: tuple | list) -> list[float] | None:
    """The items as floats when each is a float or an int that float64 holds exactly (what
    np.asarray(items, dtype=float) gives then); None for anything else."""
    out = []
    for x in items:
        kind = type(x)
        if kind is float:
            out.append(x)
        elif kind is int and -EXACT_INT <= x <= EXACT_INT:
            out.append(float(x))
        else:
            return None
    return out


def _compare(expected: Any, got: Any, rtol: float, atol: float, name: str = "result",
             names: tuple[str, ...] = ()) -> str | None:
    """`compare` in full: the verdict for any values, and the message when they differ."""
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
    try:
        differs = bool(expected != got)
    except Exception:  # noqa: BLE001 - e.g. an array compared with a bool has no single truth value
        differs = True
    return f"{name}: expected {expected!r}, got {describe.value(got)}" if differs else None


def _huge(got: int) -> str:
    digits = int(got.bit_length() * math.log10(2)) + 1
    return f"an integer of about {digits} digits, too large for a float (the largest is about 1.8e308)"


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
        problem = _compare(e, g, rtol, atol, label)
        if problem:
            return problem
    return None


def _scalar(expected: Any, got: Any, rtol: float, atol: float, name: str) -> str | None:
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if not isinstance(got, SCALARS):
        return f"{name}: expected a number (float), got {_kind(got) if not isinstance(got, SCALARS) else ''} " \
               f"{describe.value(got, 120)}".replace("  ", " ")
    try:
        e, g = float(expected), float(got)
    except OverflowError:  # a Python int past the largest float (student ints are unbounded)
        return f"{name}: got {_huge(got)}; expected a number (float): {HUGE_FIX}"
    if math.isfinite(e) and abs(g - e) <= atol + rtol * abs(e):
        return None  # the same float64 arithmetic as _array; anything else gets _array's verdict and message
    return _array(np.asarray(e), np.asarray(g), rtol, atol, name)


def _array(expected: np.ndarray, got: Any, rtol: float, atol: float, name: str) -> str | None:
    if isinstance(got, (list, tuple)) or isinstance(got, SCALARS):
        try:
            got = np.asarray(got, dtype=float)
        except OverflowError:  # a Python int past the largest float (student ints are unbounded)
            what = _huge(got) if isinstance(got, int) else "a list holding an integer too large for a float"
            return f"{name}: expected {_kind(expected)}, got {what}: {HUGE_FIX}"
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
