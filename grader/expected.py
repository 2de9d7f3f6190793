"""Expected values: the reference called on a case, in the grader's own process only."""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from grader import testfuncs
from grader.model import CallOutcome, Case, FuncSpec


@dataclass(frozen=True)
class Expected:
    """What the reference returned, or the exception types it raised (e.g. ValueError)."""

    value: Any = None
    raises: tuple[str, ...] = ()
    error: str = ""


IMMUTABLE = (bool, int, float, complex, str, bytes, type(None), np.generic)
PLAIN = frozenset({float, int, str, bool, type(None)})  # the common immutable leaves, told by their exact type
BLANK = Expected()  # for a case whose call never answered (frozen: one serves every case)


def materialise(value: Any) -> Any:
    """Fresh copies of the arguments, with FuncSpec descriptions turned into callables.

    The common leaves are copied cheaply: a plain ndarray by `.copy()` (its dtype holds no
    Python objects), immutable scalars not at all; anything else by `copy.deepcopy`.
    """
    kind = type(value)
    if kind is np.ndarray and not value.dtype.hasobject:
        return value.copy(order="K")  # what deepcopy does: same values, same memory layout
    if kind in PLAIN:
        return value
    if kind is tuple:  # (plain items are kept right here: no call for each)
        return tuple([v if type(v) in PLAIN else materialise(v) for v in value])
    if kind is list:
        return [v if type(v) in PLAIN else materialise(v) for v in value]
    if isinstance(value, IMMUTABLE):
        return value
    if isinstance(value, FuncSpec):
        return testfuncs.build(value)
    if isinstance(value, list):
        return [materialise(v) for v in value]
    if isinstance(value, tuple):
        return tuple(materialise(v) for v in value)
    return copy.deepcopy(value)


def expected_for(reference: ModuleType, case: Case) -> Expected:
    """Run the reference on a copy of the case's inputs; an exception is an expected outcome."""
    fn = getattr(reference, case.function)
    args = materialise(case.args)
    kwargs = {k: materialise(v) for k, v in case.kwargs.items()} if case.kwargs else {}
    try:
        return Expected(value=fn(*args, **kwargs))
    except Exception as exc:  # the reference raising is part of the contract (e.g. ValueError)
        names = tuple(t.__name__ for t in type(exc).__mro__ if t not in (object, BaseException))
        return Expected(raises=names, error=f"{type(exc).__name__}: {exc}")


NEEDS_EXPECTED = ("returned", "raised")  # the only outcomes whose verdict (or hint) looks at the reference


def expected_values(reference: ModuleType, cases: Sequence[Case], outcomes: Sequence[CallOutcome],
                    shared: Mapping[tuple[str, str], Expected]) -> list[Expected]:
    """The expected value of each case: a shared case's from `shared` (computed once per run), a
    hidden case's from the reference. A case whose call never answered (missing, timeout, crashed,
    skipped, not run) fails whatever the reference says, so it gets a blank Expected() instead."""
    expected = []
    for case, outcome in zip(cases, outcomes, strict=True):
        known = shared.get((case.function, case.name)) if case.public else None
        if known is None:
            known = expected_for(reference, case) if outcome.status in NEEDS_EXPECTED else BLANK
        expected.append(known)
    return expected
