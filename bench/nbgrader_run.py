"""nbgrader autograde on the class's notebooks: a course folder, one test cell, then `nbgrader autograde`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import codec
from grader.expected import expected_for
from grader.pipeline import GradeOptions, make_context

# The test cell nbgrader runs after the student's cells: the shared cases (fixed + public random;
# an nbgrader test cell is the same for everyone) with the reference's values, compared in the kernel.
TEST_CELL = '''import base64 as _b64, json as _json
import numpy as _np
def _dec(n):
    if isinstance(n, list):
        return [_dec(x) for x in n]
    if not isinstance(n, dict):
        return n
    t = n["$"]
    if t == "tuple":
        return tuple(_dec(x) for x in n["items"])
    if t == "dict":
        return {k: _dec(v) for k, v in n["items"].items()}
    if t == "nd":
        return _np.frombuffer(_b64.b64decode(n["data"]), dtype=n["dtype"]).reshape(n["shape"]).copy()
    raise ValueError(t)
def _close(e, g):
    if isinstance(e, (list, tuple)):
        return isinstance(g, (list, tuple)) and len(e) == len(g) and all(_close(a, b) for a, b in zip(e, g))
    if e is None or isinstance(e, str):
        return e == g
    e, g = _np.asarray(e, dtype=float), _np.asarray(g, dtype=float)
    return e.shape == g.shape and bool(_np.allclose(g, e, rtol=1e-6, atol=1e-8, equal_nan=True))
_failed = []
for _case in _json.loads(_CASES):
    _args, _kwargs = _dec(_case["args"])
    try:
        _got = globals()[_case["function"]](*_args, **_kwargs)
        _ok = _case["raises"] is None and _close(_dec(_case["expected"]), _got)
    except Exception as _exc:
        _ok = _case["raises"] is not None and type(_exc).__name__ == _case["raises"]
    if not _ok:
        _failed.append(_case["name"])
print(len(_failed), "cases failed")
assert not _failed, _failed[:5]
'''


@dataclass(frozen=True)
class NbgraderRun:
    """One `nbgrader autograde` of the class's notebooks, or why it was skipped."""

    notebooks: int
    wall: float
    skipped: str = ""  # why it did not run, when it did not


def test_cell_source() -> str:
    """The test cell, with every shared case of hw03 and its expected value embedded as data."""
    ctx = make_context(GradeOptions(submissions=Path(".")))
    cases = []
    for group in ctx.cases.values():
        for case in group:
            if any(type(a).__name__ == "FuncSpec" for a in case.args):
                continue  # test functions are built by the grader; the kernel has no registry of them
            expected = expected_for(ctx.reference, case)
            cases.append({"function": case.function, "name": case.name,
                          "args": json.loads(codec.encode((case.args, case.kwargs), strict=True)),
                          "expected": json.loads(codec.encode(expected.value)) if not expected.raises else None,
                          "raises": expected.raises[0] if expected.raises else None})
    return f"_CASES = {json.dumps(json.dumps(cases))}\n" + TEST_CELL


def _cell(source: str, grade_id: str, *, solution: bool, points: int = 0) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    meta = {"grade": not solution, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if not solution:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def make_course(root: Path, notebooks: list[Path]) -> Path:
    """A course folder: source/hw03/hw03.ipynb and submitted/<student>/hw03/hw03.ipynb for each notebook."""
    if root.exists():
        shutil.rmtree(root)
    (root / "source" / "hw03").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\nc.CourseDirectory.course_id = 'bench'\n"
        "c.ExecutePreprocessor.timeout = 60\n" % str(root))
    test = _cell(test_cell_source(), "tests", solution=False, points=100)
    source = nbformat.v4.new_notebook(cells=[_cell("# your code here", "answer", solution=True), test])
    source.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(source, root / "source" / "hw03" / "hw03.ipynb")
    for path in notebooks:
        student = nbformat.read(path, as_version=4)
        code = "\n\n".join(c.source for c in student.cells if c.cell_type == "code")
        submitted = nbformat.v4.new_notebook(cells=[_cell(code, "answer", solution=True), test],
                                             metadata=source.metadata)
        folder = root / "submitted" / path.stem / "hw03"
        folder.mkdir(parents=True)
        nbformat.write(submitted, folder / "hw03.ipynb")
    return root


def run(nbgrader: str | None, root: Path, notebooks: list[Path]) -> NbgraderRun:
    """`nbgrader generate_assignment` then a timed `nbgrader autograde hw03` (all students)."""
    if not nbgrader:
        return NbgraderRun(len(notebooks), 0.0, "nbgrader is not installed here (give --nbgrader PATH to its "
                                                "`nbgrader` command, e.g. from a venv: pip install nbgrader numpy)")
    found = shutil.which(nbgrader)
    if found is None:
        return NbgraderRun(len(notebooks), 0.0, f"{nbgrader!r} is not an nbgrader command here (no such executable; "
                                                "give --nbgrader PATH to the `nbgrader` of a venv with nbgrader)")
    nbgrader = found
    make_course(root, notebooks)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter"), "JUPYTER_DATA_DIR": str(root / ".data"),
           "PATH": f"{Path(nbgrader).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # its venv's alembic, jupyter
    prepare = subprocess.run([nbgrader, "generate_assignment", "hw03", "--force"], cwd=root, env=env,
                             capture_output=True, text=True)
    if prepare.returncode:
        return NbgraderRun(len(notebooks), 0.0, f"nbgrader generate_assignment failed: {prepare.stderr[-400:]}")
    start = time.monotonic()
    graded = subprocess.run([nbgrader, "autograde", "hw03", "--force"], cwd=root, env=env,
                            capture_output=True, text=True)
    wall = time.monotonic() - start
    done = len(list((root / "autograded").glob("*/hw03/hw03.ipynb")))
    if graded.returncode or done != len(notebooks):
        return NbgraderRun(len(notebooks), wall, f"nbgrader autograde failed ({done}/{len(notebooks)} notebooks "
                                                 f"graded): {graded.stderr[-400:]}")
    return NbgraderRun(len(notebooks), wall)
