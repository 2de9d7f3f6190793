"""hw03's cases are the same bits under another OpenBLAS kernel and without numpy's SIMD dispatch (fresh processes)."""
from __future__ import annotations

import inspect
import os
import platform
import subprocess
import sys
from pathlib import Path

import reference
from grader.assignment import load_assignment, load_generators
from grader.cases import build_cases, student_seed

from case_fingerprint import digest

try:
    from numpy._core._multiarray_umath import __cpu_dispatch__  # numpy 2
except ImportError:  # numpy 1
    from numpy.core._multiarray_umath import __cpu_dispatch__

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_PARTS = ("activations", "jacobian", "mlp", "perceptron", "relu_mse")
SCRIPT = """
import sys
sys.path.insert(0, "tests/assignments")
from case_fingerprint import digest
from grader.assignment import load_assignment, load_generators
from grader.cases import build_cases, shared_cases, student_seed
assignment = load_assignment("hw03")
generators = load_generators(assignment)
shared = shared_cases(assignment, generators)
cases = [c for group in shared.values() for c in group]
for student in ("alice", "bob", "student07"):
    cases += [c for c in build_cases(assignment, generators, student_seed(assignment.seed, student), shared=shared)
              if not c.public]
print(digest(cases))
"""


def _dispatched() -> str:
    """Every CPU feature numpy picks code for at run time: disabling them all leaves its baseline code."""
    return " ".join(__cpu_dispatch__)


def _variants() -> dict[str, dict[str, str]]:
    other_kernel = {"x86_64": "Prescott", "AMD64": "Prescott", "aarch64": "ARMV8", "arm64": "ARMV8"}
    variants = {"as installed": {}, "numpy SIMD dispatch off": {"NPY_DISABLE_CPU_FEATURES": _dispatched()}}
    if platform.machine() in other_kernel:
        variants[f"OpenBLAS kernel {other_kernel[platform.machine()]}"] = {
            "OPENBLAS_CORETYPE": other_kernel[platform.machine()]}
    return variants


def _digest(env: dict[str, str]) -> str:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": path, **env})
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.strip()


def test_cases_are_the_same_bits_under_another_blas_kernel_and_without_simd_dispatch():
    digests = {name: _digest(env) for name, env in _variants().items()}
    assert len(digests) >= 2 and all(len(d) == 64 for d in digests.values())
    assert len(set(digests.values())) == 1, digests


def test_no_case_is_computed_through_the_reference(monkeypatch):
    """The reference's values are machine-dependent (BLAS, SIMD exp): with every function of it broken, the
    generators build the very same cases."""
    def broken(*args: object, **kwargs: object) -> None:
        raise AssertionError("a case generator called the reference")

    assignment = load_assignment("hw03")
    seed = student_seed(assignment.seed, "alice")
    before = digest(build_cases(assignment, load_generators(assignment), seed))
    for module in (reference, *(getattr(reference, name) for name in REFERENCE_PARTS)):
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__.startswith("reference"):
                monkeypatch.setattr(module, name, broken)
    assert digest(build_cases(assignment, load_generators(assignment), seed)) == before  # imported afresh
