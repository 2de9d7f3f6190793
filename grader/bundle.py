"""The student bundle's layout: the self-check's private copy of the grader, its script, README and zip."""
from __future__ import annotations

import ast
import re
import shutil
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from grader.assignment import Assignment
from grader.starters import part_points
from grader.versions import Environment

GRADER_ROOT = Path(__file__).resolve().parent
ENTRY_MODULES = ("grader.selfcheck", "grader.sandbox.zygote")  # the self-check, and the fork server it starts
THIRD_PARTY = frozenset({"numpy", "nbformat"})  # all a student needs installed
FORBIDDEN = frozenset({"reference", "assignments"})
PRIVATE = "_selfcheck"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed entry times: the same inputs give the same zip


class BundleError(RuntimeError):
    """The bundle would be wrong (it would need the reference, or an uninstallable package): a grader bug."""


class NotABundle(BundleError):
    """The output folder holds something else; the bundle is not written over it (the user's to fix)."""


def _module_file(name: str) -> Path | None:
    """The source file of grader module `name` (package __init__ or module), None if it is not one."""
    parts = name.split(".")
    if parts[0] != "grader":
        return None
    base = GRADER_ROOT.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    """Every module name imported anywhere in the file (also inside functions and TYPE_CHECKING blocks)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if _module_file(f"{base}.{alias.name}"))
    return found


def student_modules(entries: Iterable[str] = ENTRY_MODULES) -> dict[str, Path]:
    """The grader modules the self-check can import, found by following imports from `entries`.

    Raises BundleError when one of them imports the reference, the assignments package, or a
    third-party package other than numpy and nbformat.
    """
    todo, seen = list(entries), {}
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # a module needs its packages' __init__ too
            prefix = ".".join(parts[:i])
            path = _module_file(prefix)
            if path is None or prefix in seen:
                continue
            seen[prefix] = path
            for imported in _imports(path, prefix):
                top = imported.split(".")[0]
                if top in FORBIDDEN:
                    raise BundleError(f"{path} imports {imported}: the student bundle must not need it")
                if top == "grader":
                    todo.append(imported)
                elif top and top not in THIRD_PARTY and top not in sys.stdlib_module_names and top != "__future__":
                    raise BundleError(f"{path} imports {imported}, which students do not have installed")
    return dict(sorted(seen.items()))


def scrub_definition(toml_text: str) -> str:
    """The assignment.toml students get: the assignment seed (the root of every hidden case) set to 0."""
    text, count = re.subn(r"(?m)^seed\s*=\s*\d+.*$", "seed = 0  # the assignment seed is not shipped", toml_text)
    if count != 1 or tomllib.loads(text).get("seed") != 0:
        raise BundleError("cannot remove the seed from assignment.toml (expected one top-level `seed = N` line)")
    return text


def selfcheck_script(assignment: Assignment) -> str:
    """The bundle's `selfcheck.py`: puts the private grader copy first on sys.path and runs it."""
    return f'''#!/usr/bin/env python3
"""Self-check for {assignment.id} on the public cases: `python selfcheck.py {assignment.id}.ipynb` (or .py).

Needs Python 3.11+ with numpy and nbformat. See README.md.
"""
import os
import sys

if sys.version_info < (3, 11):
    sys.exit("selfcheck: Python 3.11 or newer is needed (this is " + sys.version.split()[0] + ")")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "{PRIVATE}"))

from grader.selfcheck import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(["--assignment", os.path.join(HERE, "{PRIVATE}", "{assignment.id}"), *sys.argv[1:]],
                          prog="selfcheck.py"))
'''


def _tolerances(a: Assignment) -> str:
    """'Relative tolerance 1e-06, absolute 1e-09; for numerical_jacobian absolute 1e-08.' from the specs."""
    pairs = [(f.rtol, f.atol) for f in a.functions]
    rtol, atol = max(set(pairs), key=pairs.count)
    text = f"Relative tolerance {rtol:g}, absolute {atol:g}"
    others = [f"for `{f.name}` relative {f.rtol:g}, absolute {f.atol:g}" for f in a.functions
              if (f.rtol, f.atol) != (rtol, atol)]
    return text + ("; " + "; ".join(others) if others else "") + "."


def _environment_section(environment: Environment | None) -> str:
    if environment is None:
        return ""
    python, numpy = environment.minor("python"), environment.minor("numpy")
    return f"""
## The grader's Python and numpy

Your work is graded with **Python {python}** and **numpy {numpy}** (numpy and the standard library only).
Code that runs on your machine can fail there: syntax new since Python {python} (such as the
f-strings of Python 3.12 that reuse their quotes) is a syntax error, and numpy changes behaviour
between versions. The self-check warns when your Python or numpy minor version differs, and flags
syntax the grader's Python cannot read. To match exactly: `pip install 'numpy=={numpy}.*'` under
Python {python}.
"""


def student_readme(assignment: Assignment, public_cases: int, environment: Environment | None = None) -> str:
    """README.md for students: how to run the self-check, what it checks, the grading environment, the contract."""
    a = assignment
    rows = "\n".join(f"| {f.part} | `{f.signature}` | {f.points:g} | {f.returns.replace('|', chr(92) + '|')} |"
                     for f in a.functions)
    parts = ", ".join(f"{p.name} ({part_points(p):g})" for p in a.parts)
    return f"""# {a.id}: {a.title}

| file | what it is |
| --- | --- |
| `starter.ipynb`, `starter.py` | the same starter as a notebook and as a Python file: pick one, rename it `{a.id}.ipynb` or `{a.id}.py`, fill in every function |
| `selfcheck.py` | the self-check: runs your file the way the grader does, on the public cases |
| `{PRIVATE}/` | the grader code and the public cases the self-check uses (do not edit) |

## Run the self-check

Python 3.11 or newer, with numpy and nbformat, on Linux (the grader's sandbox is Linux-only: on
Windows use WSL; on macOS a Linux container or the course's Linux machines):

```bash
pip install numpy nbformat
python selfcheck.py {a.id}.ipynb        # or: python selfcheck.py {a.id}.py
python selfcheck.py {a.id}.ipynb -v     # every failure in full, and what your code printed
```

It prints one row per function (public cases passed, points) and the first failing case of
each function: its inputs, expected against got, and the size of the difference. Exit status:
0 when every public case passes, 1 when one fails or the file cannot be loaded, 2 for a usage
error, 3 when the self-check itself fails (not your code). It takes about a second.
{_environment_section(environment)}
## What it checks

- **The same loading as the grader.** A `.py` file runs as a module named `submission`, so an
  `if __name__ == "__main__":` block does not run. A notebook's code cells run in order, without
  a kernel; a cell that raises does not stop the cells after it. IPython magics (`%matplotlib`,
  `!pip`) are neutralised.
- **The same sandbox.** Your code runs in a separate process with a limit of 10 s per call (and
  for loading) and 2048 MB of memory. It cannot import the grader.
- **The public cases**, {public_cases} in all, the same for every student: the lecture's worked example,
  edge cases (z = 0 for the ReLU derivatives, |z| = 1000 for the sigmoid, ties at theta,
  Jacobians whose shapes do not chain, ...) and {a.public_random_cases} fixed random cases per function.
- **The same comparison.** {_tolerances(a)} Shapes must match exactly: `(n,)` is not `(n, 1)`.
  A function must not modify its inputs. Where the contract says to raise ValueError, raise it.
  Compute in float64 (numpy's default): float32 cannot meet these tolerances.
- **The same environment.** The grader has numpy and the Python standard library; the self-check
  warns of any other import (matplotlib, scipy, ...), which may be missing there. A notebook
  cell still running after 10 s of loading (a training demo) is left out, at most two.

**Hidden cases.** Your grade also counts {a.random_cases} hidden random cases per function, drawn from a
seed of your own, so no two students get the same ones. They are like the public random cases,
with other numbers, and they are not in this bundle. Passing every public case is necessary,
not sufficient: solve the problem in general, do not fit the public cases. The public cases
count only as far as the hidden cases of the same function pass: a function that passes every
public case and half its hidden cases earns half its points, and answers copied from the public
cases earn nothing.

## The contract

Parts and points: {parts}; {a.max_total:g} in all. The starter's docstrings give every shape
and convention in full; the notebook quotes the lecture's formulas.

| part | function | points | returns |
| --- | --- | --- | --- |
{rows}
"""


def write_tree(folder: Path, files: Mapping[str, bytes]) -> None:
    """Replace `folder` with exactly `files` (relative POSIX paths); refuses a folder that is not a bundle."""
    if folder.exists():
        if not (folder / "selfcheck.py").is_file():
            raise NotABundle(f"{folder} exists and is not a student bundle; remove it or choose another --out")
        shutil.rmtree(folder)
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if rel == "selfcheck.py":
            target.chmod(0o755)


def write_zip(zip_path: Path, top: str, files: Mapping[str, bytes]) -> None:
    """A zip whose entries all sit under `top/`, sorted, with fixed times (reproducible)."""
    tmp = zip_path.with_name(zip_path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=ZIP_TIME)
            info.external_attr = (0o755 if rel == "selfcheck.py" else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[rel])
    tmp.replace(zip_path)
