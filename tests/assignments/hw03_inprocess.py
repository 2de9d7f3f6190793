"""Grade plain Python functions in-process against hw03's cases (no sandbox): tests of case strength."""
import copy
import warnings

import numpy as np

from grader.cases import build_cases, student_seed
from grader.expected import expected_for, materialise
from grader.model import CallOutcome
from grader.score import verdict


def call_inprocess(fn, case) -> CallOutcome:
    """What the sandbox would report, minus the process boundary."""
    args = materialise(case.args)
    kwargs = {k: materialise(v) for k, v in case.kwargs.items()}
    before = copy.deepcopy((args, kwargs))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:
            names = tuple(t.__name__ for t in type(exc).__mro__)
            return CallOutcome("raised", error=f"{type(exc).__name__}: {exc}", error_types=names)
    mutated = () if _same(before, (args, kwargs)) else ("an argument",)
    return CallOutcome("returned", value=value, mutated=mutated,
                       warnings=tuple(f"{w.category.__name__}: {w.message}" for w in caught))


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return True


def failures(hw03, function: str, impl, students=("alice", "bob")) -> list[str]:
    """Names of the cases of `function` that `impl` fails, over the cases of a few students."""
    assignment, generators, reference = hw03
    spec = assignment.function(function)
    failed = []
    for student in students:
        for case in build_cases(assignment, generators, student_seed(assignment.seed, student)):
            if case.function != function:
                continue
            ok, message = verdict(spec, case, call_inprocess(impl, case), expected_for(reference, case))
            if not ok:
                failed.append(f"{case.name}: {message.splitlines()[0] if message else ''}")
    return failed
