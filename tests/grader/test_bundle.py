"""grader.bundle: the self-check's private grader copy is the import closure, free of reference code."""
from __future__ import annotations

import tomllib
import zipfile

import pytest

from grader import bundle
from grader.assignment import load_assignment
from grader.bundle import BundleError, NotABundle, scrub_definition, student_modules, write_tree, write_zip

ASSIGNMENT = load_assignment("hw03")


def test_the_closure_holds_the_selfcheck_path_and_not_the_grading_side():
    modules = student_modules()
    for needed in ("grader.selfcheck", "grader.load", "grader.notebook", "grader.sandbox.runner",
                   "grader.sandbox.zygote", "grader.codec", "grader.compare", "grader.describe", "grader.model",
                   "grader.testfuncs", "grader.score", "grader.assignment", "grader.publicdata"):
        assert needed in modules, needed
    for absent in ("grader.cases", "grader.pipeline", "grader.release", "grader.cli", "grader.canvas",
                   "grader.export", "grader.store"):
        assert absent not in modules, absent


def _fake_grader(tmp_path, body: str):
    root = tmp_path / "grader"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "selfcheck.py").write_text("from grader import helper\n")
    (root / "helper.py").write_text(body)
    return root


@pytest.mark.parametrize("body, problem", [
    ("def f():\n    from reference.mlp import forward\n", "reference.mlp"),
    ("import assignments.hw03.cases\n", "assignments.hw03.cases"),
    ("import pandas\n", "students do not have installed"),
])
def test_an_import_students_cannot_have_stops_the_bundle(tmp_path, monkeypatch, body, problem):
    monkeypatch.setattr(bundle, "GRADER_ROOT", _fake_grader(tmp_path, body))
    with pytest.raises(BundleError, match=problem):
        student_modules(["grader.selfcheck"])


def test_relative_and_lazy_imports_are_followed(tmp_path, monkeypatch):
    root = _fake_grader(tmp_path, "def f():\n    from . import deep\n")
    (root / "deep.py").write_text("import numpy\nimport json\n")
    monkeypatch.setattr(bundle, "GRADER_ROOT", root)
    assert set(student_modules(["grader.selfcheck"])) == {"grader", "grader.selfcheck", "grader.helper", "grader.deep"}


def test_the_seed_is_scrubbed_and_the_rest_kept():
    text = (ASSIGNMENT.folder / "assignment.toml").read_text()
    scrubbed = tomllib.loads(scrub_definition(text))
    original = tomllib.loads(text)
    assert original["seed"] != 0 and scrubbed["seed"] == 0
    assert str(original["seed"]) not in scrub_definition(text)
    assert {k: v for k, v in scrubbed.items() if k != "seed"} == {k: v for k, v in original.items() if k != "seed"}


def test_a_definition_without_a_seed_line_is_refused():
    with pytest.raises(BundleError, match="seed"):
        scrub_definition('id = "hw03"\n')


def test_write_tree_replaces_a_bundle_but_not_another_folder(tmp_path):
    files = {"selfcheck.py": b"print()\n", "a/b.txt": b"x"}
    write_tree(tmp_path / "b", files)
    (tmp_path / "b" / "stale.txt").write_text("old")
    write_tree(tmp_path / "b", files)
    assert sorted(p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*") if p.is_file()) \
        == ["a/b.txt", "selfcheck.py"]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(NotABundle):
        write_tree(tmp_path / "mine", files)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_zips_are_reproducible_and_under_one_folder(tmp_path):
    files = {"selfcheck.py": b"print()\n", "_selfcheck/grader/__init__.py": b""}
    write_zip(tmp_path / "one.zip", "hw03-student", files)
    write_zip(tmp_path / "two.zip", "hw03-student", files)
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as z:
        assert sorted(z.namelist()) == ["hw03-student/_selfcheck/grader/__init__.py", "hw03-student/selfcheck.py"]
        assert (z.getinfo("hw03-student/selfcheck.py").external_attr >> 16) & 0o111
