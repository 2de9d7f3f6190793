"""Case generators of hw03: the lecture's worked example, edge cases, and seeded random cases.

The grader calls `fixed_cases(function)` (lecture + edge cases, the same for every student,
public) and `random_case(function, rng, name)` (one random case drawn from `rng`, a
`grader.draws.Draws`: numpy's Generator with faster exact draws, see `blocks.py`). The cases
live beside this file: `fixed.py` (lecture and edge cases), `randoms.py` (one input generator
per function) and `blocks.py` (the lecture's network and the shared draws). They run in the
grader's process only, and never decide what is expected. An input derived from drawn numbers
(the forward-pass values fed to `backward`, the z = X @ w + b that picks a ReLU batch) is
computed by `grader.exact`, not by numpy's BLAS or SIMD code, so every machine builds the very
same cases (`.ci/kernels` checks it under other BLAS kernels and SIMD levels).
"""
from __future__ import annotations

from grader.model import Case

from .blocks import Rng, lecture_params
from .fixed import _fixed
from .randoms import RANDOM_ARGS

__all__ = ["fixed_cases", "lecture_params", "random_case"]


def fixed_cases(function: str) -> list[Case]:
    """The lecture's example (where it has one) and the edge cases of `function`."""
    return _fixed(function)


def random_case(function: str, rng: Rng, name: str) -> Case:
    """One random case of `function`, drawn from `rng` (seeded per student and function)."""
    args, kwargs = RANDOM_ARGS[function](rng)
    return Case(function, name, "random", args, kwargs)
