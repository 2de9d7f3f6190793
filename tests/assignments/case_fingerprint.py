"""Exact fingerprints of hw03's cases (public and hidden): regrades on any machine must draw the same ones.

Only case inputs are hashed (never an expected value, whose last bits depend on the machine's BLAS and SIMD
code), in a form that is the same on every machine; the inputs themselves are machine-independent
(grader/exact.py), which `.ci/kernels` checks by running the test under other BLAS kernels and SIMD levels.

`python tests/assignments/case_fingerprint.py --write` rewrites `hw03_case_fingerprints.json`; only do that
when the cases are *meant* to change (a new assignment version), since old results then no longer match.
"""
from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.assignment import load_assignment, load_generators
from grader.cases import build_cases, shared_cases, student_seed
from grader.model import Case, FuncSpec

FIXTURE = Path(__file__).with_name("hw03_case_fingerprints.json")
SEEDS = (48603, 0, 2**31 + 7)  # hw03's own seed, and two others (`grade --seed`)
STUDENTS = tuple(f"student{i:02d}" for i in range(28)) + ("alice", "o'brien-ü")


def _little_endian(value: np.ndarray | np.generic) -> str:
    """The bytes of a numeric array or scalar in little-endian order, as hex: the same on any machine."""
    array = np.ascontiguousarray(value)
    return array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes().hex()


def canonical(value: Any) -> str:
    """A text that differs whenever the value, its type, dtype, shape, strides or any float bit differs,
    and is the same on every machine: bytes in little-endian order, no numpy repr (it changed in numpy 2)."""
    kind = type(value).__name__
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject or not value.dtype.isnative:
            raise TypeError(f"no canonical form for an array of dtype {value.dtype.str}")
        dtype = value.dtype.str.lstrip("<>|=")  # a native byte order: its character names the machine's
        return f"ndarray<{dtype},{value.shape},{value.strides},{value.flags.writeable}>{_little_endian(value)}"
    if isinstance(value, float):
        return f"{kind}:{struct.pack('<d', value).hex()}"
    if isinstance(value, np.floating):
        return f"{kind}:{_little_endian(value)}"
    if isinstance(value, (np.integer, np.bool_)):
        return f"np.{kind}:{value.item()!r}"  # np.bool_ is named "bool" too
    if isinstance(value, (bool, int, str)) or value is None:
        return f"{kind}:{value!r}"
    if isinstance(value, (list, tuple)):
        return f"{kind}[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return f"{kind}{{" + ",".join(f"{canonical(k)}={canonical(v)}" for k, v in value.items()) + "}"
    if isinstance(value, FuncSpec):
        return f"FuncSpec({canonical(value.name)},{canonical(value.params)})"
    raise TypeError(f"no canonical form for {kind}: extend canonical() before relying on the fingerprint")


def case_text(case: Case) -> str:
    return "|".join([type(case).__name__, case.function, case.name, case.kind, canonical(case.args),
                     canonical(case.kwargs), canonical(case.weight), canonical(case.public),
                     canonical(case.forbid_warnings), canonical(case.note)])


def digest(cases: tuple[Case, ...] | list[Case]) -> str:
    h = hashlib.sha256()
    for case in cases:
        h.update(case_text(case).encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


def fingerprints() -> dict[str, str]:
    """`public <seed>` and `hidden <seed> <student>`: the sha256 of those cases' canonical texts, in order."""
    base = load_assignment("hw03")
    generators = load_generators(base)
    out: dict[str, str] = {}
    for seed in SEEDS:
        assignment = replace(base, seed=seed)
        shared = shared_cases(assignment, generators)
        out[f"public {seed}"] = digest([c for group in shared.values() for c in group])
        for student in STUDENTS:
            cases = build_cases(assignment, generators, student_seed(seed, student), shared=shared)
            out[f"hidden {seed} {student}"] = digest(cases)
    return out


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/assignments/case_fingerprint.py --write  (rewrites the fixture)")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    how = f"written by `python tests/assignments/case_fingerprint.py --write` at commit {commit}"
    text = json.dumps({"_how": how, **fingerprints()}, indent=1, ensure_ascii=False)
    FIXTURE.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
