"""Correct hw03 solutions in many real student styles get full marks on every function, for several
seeds: the grader is not stricter than the contract (classes, functional numpy, script style with
shadowed names, in-place work on copies with prints, a notebook full of magics and plots)."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.pipeline import GradeOptions, grade_class

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
# passes_all.py with checks at its top level importing numpy.testing, .fft, .polynomial, .linalg and much of the stdlib
COMPOSED = FIXTURES / "passes_all_imports.py"
STYLES = sorted([p for p in FIXTURES.glob("passes_all*") if p.suffix in (".py", ".ipynb")] + [COMPOSED])
SEEDS = 3  # each style is graded as this many students, so with this many sets of hidden cases
FUNCTIONS = [f.name for f in load_assignment("hw03").functions]


def _students(path: Path) -> list[str]:
    return [f"{path.stem}{'_nb' if path.suffix == '.ipynb' else ''}__{k}" for k in range(SEEDS)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every style graded in ONE run, each as SEEDS students (so with SEEDS different seeds)."""
    root = tmp_path_factory.mktemp("styles")
    for path in STYLES:
        for student in _students(path):
            if path == COMPOSED:
                parts = (FIXTURES / "passes_all.py", FIXTURES.parent / "parts" / "numpy_submodules_and_stdlib.py")
                (root / f"{student}.py").write_text("\n".join(p.read_text() for p in parts))
            else:
                shutil.copy(path, root / f"{student}{path.suffix}")
    run = grade_class(GradeOptions(submissions=root, out=tmp_path_factory.mktemp("out"), timeout=5.0,
                                   memory_mb=1024, jobs=2, executor="local"))
    return {r.student: r for r in run.results}


def test_there_are_several_styles():
    assert len(STYLES) >= 8, [p.name for p in STYLES]


@pytest.mark.parametrize("path", STYLES, ids=lambda p: p.name)
def test_style_gets_full_marks_on_every_function(graded, path):
    for student in _students(path):
        result = graded[student]
        assert result.status == "graded", f"{student}: {result.status}: {result.message}"
        assert {c.function for c in result.checks} == set(FUNCTIONS)
        lost = [f"{c.function} / {c.case}: {c.message}" for c in result.checks if c.points < c.max_points - 1e-9]
        assert not lost, f"{student} (seed {result.seed}) lost points:\n" + "\n\n".join(lost[:5])
        assert result.percent == pytest.approx(100.0)


def test_seeds_differ_between_the_copies_of_a_style(graded):
    """The copies really are graded with different hidden cases."""
    seeds = {graded[s].seed for s in _students(STYLES[0])}
    assert len(seeds) == SEEDS


def test_notebook_cells_that_fail_only_warn(graded):
    """A missing plotting library and a test cell that raises are load warnings, and a `get_ipython()`
    magic call is not run: the notebook is graded in full, and the warnings say which cell failed and
    why. `display(...)` works, as in IPython (it prints)."""
    result = graded[_students(FIXTURES / "passes_all_notebook_magics.ipynb")[0]]
    assert result.status == "graded" and result.percent == pytest.approx(100.0)
    text = "\n".join(result.load_warnings)
    assert "cell 4, line 1: `%config InlineBackend.figure_format = 'retina'` was not run" in text
    assert "get_ipython" not in text  # the call was made plain Python, not a NameError
    assert "display" not in text and "0.2454598399" in result.stdout  # display(losses[:3]) printed the losses
    assert "ValueError: can't chain (2, 3) and (2, 3)" in text
    assert "`%matplotlib inline`" in text and "`np.exp?`" in text
    if importlib.util.find_spec("matplotlib") is None:
        assert "No module named 'matplotlib'" in text


def test_print_debugging_is_captured_not_graded(graded):
    """Top-level and in-function prints are kept as the student's output; they do not cost points."""
    result = graded[_students(FIXTURES / "passes_all_inplace_prints.py")[0]]
    assert "y_hat [0.77390" in result.stdout
    assert result.percent == pytest.approx(100.0)
