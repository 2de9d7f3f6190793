"""Hints for answers wrong in a recognisable way: reshaped, transposed, negated, scaled, a known wrong formula."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from grader.assignment import FunctionSpec
from grader.describe import parameter_names
from grader.expected import Expected
from grader.model import CallOutcome, Case

EXP_LIMIT = 709.78  # float64 exp(x) is inf above this


@dataclass(frozen=True)
class Leaf:
    """One numeric piece of a result (e.g. grads[1][0]) as float arrays: expected and got."""

    name: str
    expected: np.ndarray
    got: np.ndarray


@dataclass(frozen=True)
class Context:
    """What every recogniser may look at: the function (and its tolerance), the case, its inputs, the leaves."""

    spec: FunctionSpec
    case: Case
    inputs: list[tuple[str, np.ndarray]]
    leaves: list[Leaf]

    def close(self, got: np.ndarray, want: np.ndarray) -> bool:
        """`got` equals `want` within the function's own tolerance (never looser), NaN/inf exactly."""
        if got.shape != want.shape:
            return False
        fin = np.isfinite(want)  # (hint() runs with numpy's floating-point warnings off)
        if fin.all():  # the usual case, the same test in fewer steps: no NaN/inf to line up
            return bool(np.isfinite(got).all() and (np.abs(got - want) <= self.spec.atol + self.spec.rtol
                                                    * np.abs(want)).all())
        if not (np.array_equal(np.isfinite(got), fin) and np.array_equal(got[~fin], want[~fin], equal_nan=True)):
            return False
        return bool(np.all(np.abs(got[fin] - want[fin]) <= self.spec.atol + self.spec.rtol * np.abs(want[fin])))


def hint(spec: FunctionSpec, case: Case, outcome: CallOutcome, expected: Expected) -> str:
    """A hint for a failed case whose returned value matches a known mistake exactly; "" otherwise."""
    if outcome.status != "returned" or expected.raises:
        return ""
    try:
        with np.errstate(all="ignore"):
            return _hint(spec, case, outcome, expected)
    except Exception:  # noqa: BLE001 -- a hint is a courtesy: odd data gives no hint, never a failed grading
        return ""


def _hint(spec: FunctionSpec, case: Case, outcome: CallOutcome, expected: Expected) -> str:
    if outcome.value is None and expected.value is not None:
        return (f"`{spec.name}` returned None: a function without a `return` statement (or one that only "
                "prints its answer) returns None; end it with `return <value>`.")
    inputs = list(_inputs(case, spec))
    leaves = _pair(expected.value, outcome.value, *_output_names(spec))
    overflow = _overflow(outcome, leaves or [], inputs)
    if overflow or leaves is None:
        return overflow
    ctx = Context(spec, case, inputs, leaves)
    wrong = [leaf for leaf in leaves if not ctx.close(leaf.got, leaf.expected)]
    text = next((text for recognise in RECOGNISERS if wrong and (text := recognise(ctx, wrong))), "")
    return "The" + text[3:] if text.startswith("the ") else text


def _numeric(v: Any, nested: bool = False) -> np.ndarray | None:
    """A float array of `v` (array, number, list of numbers; nested lists too if `nested`), else None."""
    if isinstance(v, (str, bytes)) or v is None:
        return None
    if isinstance(v, (list, tuple)) and not nested and not all(isinstance(x, (int, float, np.number)) for x in v):
        return None
    try:
        return np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return None


def _output_names(spec: FunctionSpec) -> tuple[str, tuple[str, ...]]:
    return (spec.output_names[0], ()) if len(spec.output_names) == 1 else ("the result", spec.output_names)


def _pair(expected: Any, got: Any, name: str, names: tuple[str, ...] = ()) -> list[Leaf] | None:
    """Expected and got side by side, leaf by leaf; None when their nesting differs."""
    e = _numeric(expected)
    if e is not None:
        g = _numeric(got, nested=True)
        return None if g is None else [Leaf(name, e, g)]
    if not isinstance(expected, (list, tuple)) or not isinstance(got, (list, tuple)) or len(got) != len(expected):
        return None
    subs = [_pair(e_i, g_i, names[i] if i < len(names) else f"{name}[{i}]")
            for i, (e_i, g_i) in enumerate(zip(expected, got))]
    return None if None in subs else [leaf for sub in subs if sub is not None for leaf in sub]


def _inputs(case: Case, spec: FunctionSpec) -> Iterator[tuple[str, np.ndarray]]:
    """(name, float array) of every numeric input, nested ones named like `activations[2]`."""
    names = parameter_names(spec.signature)
    named = [(names[i] if i < len(names) else f"arg{i}", a) for i, a in enumerate(case.args)]

    def walk(name: str, v: Any) -> Iterator[tuple[str, np.ndarray]]:
        arr = None if isinstance(v, bool) else _numeric(v)
        if arr is not None:
            yield name, arr
        elif isinstance(v, (list, tuple)):
            for i, item in enumerate(v):
                yield from walk(f"{name}[{i}]", item)

    for name, value in named + list(case.kwargs.items()):
        yield from walk(name, value)


def _overflow(outcome: CallOutcome, leaves: list[Leaf], inputs: list[tuple[str, np.ndarray]]) -> str:
    """An exp that overflowed: numpy said so, or NaN/inf came back from inputs beyond exp's range."""
    said = next((w for w in outcome.warnings if "overflow" in w.lower()), "")
    nonfinite = any(not np.isfinite(leaf.got).all() and np.any(~np.isfinite(leaf.got) & np.isfinite(leaf.expected))
                    for leaf in leaves if leaf.got.shape == leaf.expected.shape)
    if not said and not nonfinite:
        return ""  # (the usual case: what follows would find nothing to say)
    big = max((float(np.max(np.abs(a))) for _, a in inputs if a.size and np.isfinite(a).all()), default=0.0)
    why = f"numpy warned `{said}`" if said else f"got NaN/inf where finite values are due, for inputs up to {big:g}"
    if not said and not (nonfinite and big > EXP_LIMIT):
        return ""
    if said and " exp" not in said:
        return f"{why}: a value grew beyond float64's range (about 1.8e308); rearrange the formula so none does."
    return (f"{why}: np.exp overflows above 709 (exp(1000) is inf, and inf/inf is NaN). Use a stable form "
            "that only ever exponentiates negative numbers, e.g. for the sigmoid 1/(1+exp(-z)) where z >= 0 "
            "and exp(z)/(1+exp(z)) where z < 0 (np.where over both, or np.exp(-np.abs(z))).")


def _reshaped(ctx: Context, wrong: list[Leaf]) -> str:
    """The right numbers in the wrong shape: (n,) for (n, 1), a row for a column, an array for a float."""
    if not all(w.got.shape != w.expected.shape and w.got.size == w.expected.size
               and ctx.close(w.got.ravel(), w.expected.ravel()) for w in wrong):
        return ""
    e, g = wrong[0].expected.shape, wrong[0].got.shape
    fix = ("return a float, e.g. float(x) or x.item()" if e == () else
           f"transpose it: {'an (n, 1) column' if e[1] == 1 else 'a (1, n) row'} is due" if len(e) == len(g) == 2
           and e == g[::-1] else "a 1-d array is due: drop the reshape, or .ravel() it" if len(e) == 1 else
           f"use x.reshape{e}")
    more = f" (and {len(wrong) - 1} more value(s) alike)" if len(wrong) > 1 else ""
    return f"{wrong[0].name} has the right values but shape {g} where {e} is due{more}: {fix}."


def _transposed(ctx: Context, wrong: list[Leaf]) -> str:
    """Every wrong piece is the expected one transposed (at least one of them a true matrix)."""
    if not all(w.expected.ndim == 2 and ctx.close(w.got, w.expected.T) for w in wrong):
        return ""
    matrix = next((w for w in wrong if min(w.expected.shape) > 1), None)
    if matrix is None:
        return ""  # a row for a column: _reshaped says it better
    e, g = matrix.expected.shape, matrix.got.shape
    return (f"{_names(wrong)} exactly the expected value transposed (expected shape {e}, got {g}): the "
            "operands of a product are swapped (np.outer(u, v) is np.outer(v, u).T, (A @ B).T is B.T @ A.T) "
            "or a .T is missing or extra.")


def _negated(ctx: Context, wrong: list[Leaf]) -> str:
    if not all(ctx.close(w.got, -w.expected) for w in wrong) or not _evidence(wrong)[0]:
        return ""
    return (f"{_names(wrong)} exactly the negative of the expected value: a sign is flipped "
            "(e.g. y - y_hat for y_hat - y, or + lr for - lr).")


def _derivative(ctx: Context, wrong: list[Leaf]) -> str:
    """A wrong piece is the expected one divided (or multiplied) by a sigmoid derivative of an input."""
    # d <= 1/4 for a sigmoid, so got/expected is >= 4 (missing) or in (0, 1/4] (extra): skip the rest quickly
    ratios = {id(w): w.got[big] / w.expected[big] for w in wrong if w.got.shape == w.expected.shape
              and (big := np.abs(w.expected) > 10 * ctx.spec.atol).any()}
    plausible = {True: [w for w in wrong if id(w) in ratios and np.all(ratios[id(w)] >= 3.8)],
                 False: [w for w in wrong if id(w) in ratios and np.all(np.abs(ratios[id(w)] - 0.125) < 0.24)]}
    if not plausible[True] and not plausible[False]:
        return ""
    inputs = [(n, a) for n, a in ctx.inputs if a.size and np.isfinite(a).all()]
    candidates = [(f"a(1 - a) with a = {n}", a * (1 - a)) for n, a in inputs if np.all((a > 0) & (a < 1))]
    sig = [(n, np.exp(-np.logaddexp(0.0, -a))) for n, a in inputs]  # a stable sigmoid of every input
    candidates += [(f"s(1 - s) with s = sigmoid({n})", s * (1 - s)) for n, s in sig]
    for label, d in candidates:
        if np.all(d == d.flat[0]) and Fraction(float(d.flat[0])).limit_denominator(12) == d.flat[0]:
            continue  # a plain constant such as 1/4 is a scale, not a derivative
        for missing in (True, False):
            hits = [w for w in plausible[missing] if any(ctx.close(w.got, w.expected / f if missing else w.expected * f)
                                            for f in _broadcasts(d, w.expected.shape))]
            if hits:
                how = "divided by" if missing else "multiplied by"
                what = ("missing" if missing else "applied where it is not due (e.g. at the output: BCE after "
                        "a sigmoid gives dL/dz = a - y)")
                rest = "" if len(hits) == len(wrong) else " The other wrong values may follow from it."
                return (f"{_names(hits)} exactly the expected value {how} {label}: the sigmoid derivative "
                        f"is {what}.{rest}")
    return ""


def _scaled(ctx: Context, wrong: list[Leaf]) -> str:
    """Every wrong piece is c times the expected one, for one constant c."""
    if not all(w.got.shape == w.expected.shape for w in wrong):
        return ""
    e = np.concatenate([w.expected.ravel() for w in wrong])
    g = np.concatenate([w.got.ravel() for w in wrong])
    if not np.isfinite(e).all() or not np.any(e):
        return ""
    k = int(np.argmax(np.abs(e)))
    c = float(g[k] / e[k])
    if not np.isfinite(c) or abs(c) < 1e-12 or abs(abs(c) - 1) < 1e-9 or not ctx.close(g, c * e):
        return ""
    evidence, several = _evidence(wrong)
    if not evidence:
        return ""  # e.g. 2 for 3: one round number is always some multiple of another
    start = f"{_names(wrong)} exactly {c:.6g}x the expected value"
    nice = Fraction(c).limit_denominator(10)
    exact = abs(c - nice) <= 1e-9 * abs(c)
    kept = {d for w in ctx.leaves for d in w.expected.shape}  # a mean reduces an axis the result lacks
    why = [f"{n} is {what}: " + ("a sum where a mean is due" if c > 1 else f"a mean where a sum is due, or a "
                                  f"division by {n} too many") for n, what in _counts(ctx.inputs)
           if n not in kept and (abs(c - n) <= 1e-9 * n or abs(c * n - 1) <= 1e-9)]
    if why and not (exact and nice.numerator * nice.denominator == 2):
        return f"{start}, and {why[0]}?"
    if exact:
        side = f"an extra factor {nice}" if abs(c) > 1 else f"a missing factor {1 / nice}"
        return f"{start}: {side}?" + (f" Or, as {why[0]}?" if why else "")
    if not several:
        return ""
    return (f"{_names(wrong)} the expected value times one constant, {c:.6g}, everywhere: a constant factor "
            "(a 2, a 1/N, a learning rate) is missing or extra.")


def _known_alternative(ctx: Context, wrong: list[Leaf]) -> str:
    """The result equals one of the function's known wrong formulas (the assignment's hints.py)."""
    make = ctx.spec.mistakes
    if make is None:
        return ""
    args = dict(zip(parameter_names(ctx.spec.signature), ctx.case.args)) | dict(ctx.case.kwargs)
    for value, text in make(args):
        alt = _pair(value, value, *_output_names(ctx.spec)) or []
        if len(alt) == len(ctx.leaves) and all(ctx.close(g.got, a.expected) for g, a in zip(ctx.leaves, alt)):
            return f"The result {text}"
    return ""


# In order; the first that matches gives the hint.
RECOGNISERS = (_reshaped, _transposed, _known_alternative, _negated, _derivative, _scaled)


def _names(leaves: list[Leaf]) -> str:
    """`grads[0][0] is` / `grads[0][0], grads[1][0] are`."""
    shown = ", ".join(w.name for w in leaves[:3]) + (", ..." if len(leaves) > 3 else "")
    return f"{shown} {'is' if len(leaves) == 1 else 'are'}"


def _evidence(wrong: list[Leaf]) -> tuple[bool, bool]:
    """(enough, several): a pattern over these values is no coincidence when they hold a non-round
    number (enough) or at least two different nonzero magnitudes (enough and several)."""
    values = np.abs(np.concatenate([w.expected.ravel() for w in wrong]))
    values = values[(values > 0) & np.isfinite(values)]
    several = len(np.unique(values.round(12))) >= 2
    round_ = all(abs(v - float(Fraction(float(v)).limit_denominator(100))) <= 1e-12 * v for v in values[:50])
    return several or not round_, several


def _broadcasts(d: np.ndarray, shape: tuple[int, ...]) -> Iterator[np.ndarray]:
    """`d` laid over an array of `shape`: as one number, elementwise, along rows or along columns."""
    flat = d.ravel()
    if flat.size == 1:
        yield flat.reshape(())
    elif d.shape == shape:
        yield d
    if len(shape) == 2 and flat.size > 1:  # along the rows (one factor per row) or along the columns
        yield from [flat.reshape(s) for s, n in (((-1, 1), shape[0]), ((1, -1), shape[1])) if n == flat.size]


def _counts(inputs: list[tuple[str, np.ndarray]]) -> Iterator[tuple[int, str]]:
    """Counts a sum/mean mix-up scales by: the lengths and sizes of the inputs."""
    for name, a in inputs:
        if a.ndim == 1 and a.size > 1:
            yield a.size, f"the number of elements of {name}"
        elif a.ndim >= 2:
            yield a.shape[0], f"N, the number of rows of {name}"
            yield a.size, f"the number of elements of {name}"
