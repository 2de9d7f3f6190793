"""Build one student's cases: fixed (lecture + edge), public random and per-student random ones."""
from __future__ import annotations

import hashlib
import zlib
from dataclasses import replace
from types import ModuleType

from grader.assignment import Assignment
from grader.draws import Draws, draws
from grader.model import Case

PUBLIC_STREAM = "public"


def student_seed(assignment_seed: int, student: str) -> int:
    """The seed of a student's hidden cases: stable across runs, different between students."""
    digest = hashlib.sha256(f"{assignment_seed}:{student}".encode("utf-8", "surrogateescape")).digest()  # a non-UTF-8 file name
    return int.from_bytes(digest[:4], "big")


def _seed(seed: int, stream: str, function: str) -> list[int]:
    """An independent stream per (seed, stream, function): adding a function changes no other's cases."""
    return [seed, zlib.crc32(stream.encode()), zlib.crc32(function.encode())]


def _rng(seed: int, stream: str, function: str) -> Draws:
    """The stream of `np.random.default_rng(_seed(seed, stream, function))`, with faster exact draws."""
    return draws(_seed(seed, stream, function))


def shared_cases(assignment: Assignment, generators: ModuleType) -> dict[str, tuple[Case, ...]]:
    """Per function, the cases every student gets: fixed (lecture + edge), then public random ones."""
    shared: dict[str, tuple[Case, ...]] = {}
    for spec in assignment.functions:
        rng = _rng(assignment.seed, PUBLIC_STREAM, spec.name)
        public = [replace(generators.random_case(spec.name, rng, f"public random {i + 1:02d}"), public=True)
                  for i in range(assignment.public_random_cases)]
        shared[spec.name] = (*generators.fixed_cases(spec.name), *public)
    return shared


def build_cases(
    assignment: Assignment, generators: ModuleType, seed: int, *, public_only: bool = False,
    shared: dict[str, tuple[Case, ...]] | None = None,
) -> tuple[Case, ...]:
    """All cases of every function, in definition order: fixed, public random, then hidden random.

    `shared` (from `shared_cases`, built once per run) saves rebuilding what every student gets.
    """
    shared = shared_cases(assignment, generators) if shared is None else shared
    names = [f"random {i + 1:02d}" for i in range(assignment.random_cases)]  # the same for every function
    random_case = generators.random_case
    rng = draws([seed])  # restarted on each function's own stream: one object, not one per function
    cases: list[Case] = []
    for spec in assignment.functions:
        cases.extend(shared[spec.name])
        if public_only:
            continue
        function = spec.name
        rng.restart(_seed(seed, "student", function))
        cases.extend([random_case(function, rng, name) for name in names])
    return tuple(cases)

