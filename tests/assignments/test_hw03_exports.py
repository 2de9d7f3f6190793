"""One correct notebook and its two .py exports (Jupyter's nbconvert, Colab's) grade alike: 100% each, through the
real sandbox, under both isolation levels (tests/fixtures/exports/README.md says how the exports were made)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.pipeline import GradeOptions, grade_class

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
FORMS = {"notebook": "passes_all_exports.ipynb", "jupyter": "passes_all_exports_jupyter.py",
         "colab": "passes_all_exports_colab.py"}
SEEDS = 2  # each form is graded as this many students
FUNCTIONS = [f.name for f in load_assignment("hw03").functions]


@pytest.fixture(scope="module", params=["auto", "process"])
def graded(request, tmp_path_factory):
    """Every form graded in one run, each as SEEDS students, with namespaces (where the kernel allows
    them) and with process-level isolation only."""
    root = tmp_path_factory.mktemp("exports")
    for form, name in FORMS.items():
        for k in range(SEEDS):
            shutil.copy(EXPORTS / name, root / f"{form}__{k}{Path(name).suffix}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADER_ISOLATION", request.param)
        run = grade_class(GradeOptions(submissions=root, out=tmp_path_factory.mktemp("out"), timeout=5.0,
                                       memory_mb=1024, jobs=2, executor="local"))
    if request.param == "process":
        assert run.isolation == "process"
    return {r.student: r for r in run.results}


@pytest.mark.parametrize("form", FORMS)
def test_each_form_gets_full_marks_on_every_function(graded, form):
    for k in range(SEEDS):
        result = graded[f"{form}__{k}"]
        assert result.status == "graded", f"{form}: {result.status}: {result.message}"
        assert {c.function for c in result.checks} == set(FUNCTIONS)
        lost = [f"{c.function} / {c.case}: {c.message}" for c in result.checks if c.points < c.max_points - 1e-9]
        assert not lost, f"{form} (seed {result.seed}) lost points:\n" + "\n\n".join(lost[:5])
        assert result.percent == pytest.approx(100.0)


def test_the_three_forms_score_the_same_on_every_function(graded):
    points = {form: {} for form in FORMS}
    for form in FORMS:
        for check in graded[f"{form}__0"].checks:
            points[form][check.function] = points[form].get(check.function, 0.0) + check.points
    assert points["jupyter"] == pytest.approx(points["notebook"]) and points["colab"] == pytest.approx(points["notebook"])
    assert all(graded[f"{form}__0"].percent == pytest.approx(100.0) for form in FORMS)


@pytest.mark.parametrize("form", FORMS)
def test_each_rewrite_is_a_warning_and_the_notebook_ran_as_in_jupyter(graded, form):
    """The %%capture cell's `!pip` line, the `!pip` line, %time whose variables are used next, %timeit, the
    %%writefile module and display(...) all worked: the displayed predictions are in the output."""
    result = graded[f"{form}__0"]
    text = "\n".join(result.load_warnings)
    for fragment in ("cell magic `%%capture`", "`!pip install numpy` was not run", "`!pip install numpy --quiet` was"
                     " not run", "`%%writefile step_function.py` wrote the cell's text to 'step_function.py'",
                     "`%time w_and, errs = perceptron_train(AND_X, AND_y)` ran its statement once as plain Python",
                     "`%timeit -n 3 -r 1 sigmoid(np.linspace(-3, 3, 7))` ran its statement once as plain Python"):
        assert fragment in text, f"{form}: {fragment!r} not in\n{text}"
    assert "Error" not in text, text
    assert "AND weights: [-3.  2.  1.] errors per epoch: [2, 3, 3, 2, 1, 0]\n[0. 0. 0. 1.]\n" in result.stdout
