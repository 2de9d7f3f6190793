"""Load an assignment definition (assignment.toml, cases.py, optional hints.py in its folder) into frozen records."""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ASSIGNMENTS_ROOT = Path(__file__).resolve().parent.parent / "assignments"

# A function's known wrong formulas (an assignment's hints.py): from a case's inputs by parameter name,
# the wrong values a student may return and what each means (text completing "The result ...").
KnownMistakes = Callable[[dict[str, Any]], list[tuple[Any, str]]]


class AssignmentError(ValueError):
    """The assignment definition is missing or malformed (an instructor's problem, not a student's)."""


@dataclass(frozen=True)
class FunctionSpec:
    """One contract function: where it belongs, what it is worth and how it is compared."""

    name: str
    part: str
    signature: str
    points: float
    returns: str
    rtol: float
    atol: float
    output_names: tuple[str, ...] = ()
    doc: str = ""  # the contract in prose (shapes, conventions), for the starter's docstrings
    mistakes: KnownMistakes | None = field(default=None, compare=False, repr=False)  # from hints.py (see hints)


@dataclass(frozen=True)
class Part:
    """A part of the assignment: a group of functions with a gradebook column of its own."""

    name: str
    title: str
    functions: tuple[FunctionSpec, ...]
    formula: str = ""  # markdown quoting the lecture's formulas, for the starter notebook


@dataclass(frozen=True)
class Assignment:
    """The whole definition; `fingerprint` changes when the TOML, cases or reference change."""

    id: str
    title: str
    folder: Path
    reference: str
    seed: int
    random_cases: int
    public_random_cases: int
    parts: tuple[Part, ...]
    fingerprint: str

    @property
    def functions(self) -> tuple[FunctionSpec, ...]:
        return tuple(f for p in self.parts for f in p.functions)

    def function(self, name: str) -> FunctionSpec:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def max_total(self) -> float:
        return sum(f.points for f in self.functions)


def find_folder(name_or_path: str) -> Path:
    """An assignment is named (`hw03`, looked up under assignments/) or given as a folder path."""
    candidate = Path(name_or_path)
    if (candidate / "assignment.toml").is_file():
        return candidate.resolve()
    named = ASSIGNMENTS_ROOT / name_or_path
    if (named / "assignment.toml").is_file():
        return named
    known = sorted(p.parent.name for p in ASSIGNMENTS_ROOT.glob("*/assignment.toml"))
    raise AssignmentError(
        f"unknown assignment {name_or_path!r}: no assignment.toml there; known: {', '.join(known) or 'none'}"
    )


def load_assignment(name_or_path: str = "hw03", *, need_cases: bool = True) -> Assignment:
    """Read and validate `assignment.toml`; raise AssignmentError naming the problem.

    `need_cases=False` reads the definition alone (the student bundle's self-check has no
    cases.py and no reference); the fingerprint then covers the folder's files only.
    """
    folder = find_folder(name_or_path)
    toml_path = folder / "assignment.toml"
    mistakes = load_mistakes(folder)
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AssignmentError(f"{toml_path}: {exc}") from exc
    try:
        tol = data.get("tolerance", {})
        rtol, atol = float(tol.get("rtol", 1e-6)), float(tol.get("atol", 1e-9))
        parts = tuple(
            Part(
                name=p["name"],
                title=p.get("title", p["name"]),
                functions=tuple(
                    FunctionSpec(
                        name=f["name"],
                        part=p["name"],
                        signature=f.get("signature", f["name"] + "(...)"),
                        points=float(f["points"]),
                        returns=f.get("returns", ""),
                        rtol=float(f.get("rtol", rtol)),
                        atol=float(f.get("atol", atol)),
                        output_names=tuple(f.get("output_names", ())),
                        doc=str(f.get("doc", "")).strip(),
                        mistakes=mistakes.get(f["name"]),
                    )
                    for f in p["function"]
                ),
                formula=str(p.get("formula", "")).strip(),
            )
            for p in data["part"]
        )
        assignment = Assignment(
            id=str(data["id"]),
            title=str(data.get("title", data["id"])),
            folder=folder,
            reference=str(data["reference"]),
            seed=int(data["seed"]),
            random_cases=int(data.get("random_cases", 20)),
            public_random_cases=int(data.get("public_random_cases", 5)),
            parts=parts,
            fingerprint=_fingerprint(folder, str(data["reference"]) if need_cases else None),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AssignmentError(f"{toml_path}: missing or invalid entry: {exc}") from exc
    names = [f.name for f in assignment.functions]
    if len(set(names)) != len(names):
        raise AssignmentError(f"{toml_path}: a function is listed twice")
    unknown = sorted(set(mistakes) - set(names))
    if unknown:
        raise AssignmentError(f"{folder / HINTS}: MISTAKES names {', '.join(unknown)}, which "
                              f"{'is' if len(unknown) == 1 else 'are'} not a function of {toml_path.name}")
    if need_cases and not (folder / "cases.py").is_file():
        raise AssignmentError(f"{folder}: cases.py (the case generators) is missing")
    return assignment


def load_generators(assignment: Assignment) -> ModuleType:
    """Import the assignment's cases.py (it may import the reference: it runs in the grader only).

    It is imported fresh, as a module of a package made of its folder, so it may import the
    folder's other files (`from . import lecture_cases`); `_fingerprint` covers them all."""
    path = assignment.folder / "cases.py"
    package = "_assignment_" + hashlib.sha256(str(assignment.folder.resolve()).encode()).hexdigest()[:12]
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]  # a changed folder is read again, as a fresh import would
    holder = importlib.util.module_from_spec(
        importlib.machinery.ModuleSpec(package, None, is_package=True))
    holder.__path__ = [str(assignment.folder)]
    sys.modules[package] = holder
    try:
        module = importlib.import_module(f"{package}.cases")
    except Exception as exc:  # noqa: BLE001 - the instructor's file: say what broke, where
        raise AssignmentError(f"{path} cannot be imported ({type(exc).__name__}: {exc})") from exc
    for needed in ("fixed_cases", "random_case"):
        if not callable(getattr(module, needed, None)):
            raise AssignmentError(f"{path} must define {needed}()")
    return module


HINTS = "hints.py"  # optional: MISTAKES, a dict of contract function name -> KnownMistakes


def load_mistakes(folder: Path) -> dict[str, KnownMistakes]:
    """The known wrong formulas of the assignment's hints.py ({} without one); AssignmentError naming
    the problem when it cannot be imported or its MISTAKES is not a dict of names to functions."""
    path = folder / HINTS
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"_assignment_hints_{folder.name}", path)
    if spec is None or spec.loader is None:
        raise AssignmentError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the instructor's file: say what broke, where
        raise AssignmentError(f"{path} cannot be imported ({type(exc).__name__}: {exc})") from exc
    mistakes = getattr(module, "MISTAKES", None)
    if not isinstance(mistakes, dict) or not all(isinstance(k, str) and callable(v) for k, v in mistakes.items()):
        raise AssignmentError(f"{path} must define MISTAKES, a dict of function name -> function(inputs) "
                              "-> [(wrong value, what it means)]")
    return dict(mistakes)


def load_reference(assignment: Assignment) -> ModuleType:
    """Import the trusted reference module named by the definition (grader process only)."""
    try:
        return importlib.import_module(assignment.reference)
    except ImportError as exc:
        raise AssignmentError(f"reference module {assignment.reference!r} cannot be imported: {exc}") from exc


def _fingerprint(folder: Path, reference: str | None) -> str:
    digest = hashlib.sha256()
    files = sorted(folder.glob("*.toml")) + sorted(folder.glob("*.py"))
    spec = importlib.util.find_spec(reference) if reference else None
    if spec is not None:
        roots = list(spec.submodule_search_locations or [])
        files += sorted(f for r in roots for f in Path(r).glob("*.py"))
        if not roots and spec.origin:
            files.append(Path(spec.origin))
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]
