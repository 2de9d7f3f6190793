"""grader.release: generated files never drift, the generated starters score 0, and the student bundle
holds no reference code and no hidden case, and its self-check runs in a fresh virtual environment."""
from __future__ import annotations

import ast
import difflib
import json
import platform
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

import reference
from grader import codec
from grader.assignment import load_assignment, load_generators
from grader.bundle import PRIVATE, student_modules
from grader.cases import build_cases
from grader.pipeline import GradeOptions, grade_class
from grader.publicdata import FILENAME, decode_public, read_public
from grader.release import build_bundle, generate, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
ASSIGNMENT = load_assignment("hw03")
REFERENCE_ROOT = Path(reference.__file__).resolve().parent


@pytest.fixture(scope="module")
def generated():
    return generate(ASSIGNMENT)


@pytest.fixture(scope="module")
def built(tmp_path_factory, generated):
    out = tmp_path_factory.mktemp("release")
    folder, archive = build_bundle(ASSIGNMENT, generated, out)
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return folder, archive, files


def _copy_assignment(tmp_path: Path) -> Path:
    folder = tmp_path / "hw03"
    shutil.copytree(ASSIGNMENT.folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_the_committed_generated_files_are_up_to_date(capsys):
    assert main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_reports_hand_edits_and_release_repairs_them(tmp_path, capsys):
    folder = _copy_assignment(tmp_path)
    (folder / "starter.py").write_text((folder / "starter.py").read_text().replace("is not implemented yet", "TODO"))
    data = read_public(folder / FILENAME)
    (folder / FILENAME).write_bytes((folder / FILENAME).read_bytes().replace(b'"kind":"edge"', b'"kind":"lecture"', 1))
    assert data.cases
    assert main(["--check", "--assignment", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "starter.py: differs" in err and "public.json" in err and "starter.ipynb" not in err
    assert main(["--starters-only", "--assignment", str(folder)]) == 0
    assert main(["--check", "--assignment", str(folder)]) == 0


def test_the_public_file_holds_exactly_the_public_cases_and_no_hidden_one():
    data = read_public(ASSIGNMENT.folder / FILENAME)
    generators = load_generators(ASSIGNMENT)
    public = build_cases(ASSIGNMENT, generators, 0, public_only=True)
    assert [(c.function, c.name) for c in data.cases] == [(c.function, c.name) for c in public]
    stored = {codec.encode((c.function, c.args, c.kwargs), strict=True) for c in data.cases}
    for student in (12345, 99):  # the hidden cases of two students' seeds
        # (jacobian_identity(n) takes a small int: its hidden and public cases coincide by nature)
        hidden = [c for c in build_cases(ASSIGNMENT, generators, student)
                  if not c.public and any(isinstance(a, np.ndarray) and a.size >= 3 for a in c.args)]
        assert len(hidden) > 300
        assert not any(codec.encode((c.function, c.args, c.kwargs), strict=True) in stored for c in hidden)


def test_the_generated_starters_score_zero_with_status_graded(tmp_path, generated):
    """Both starters, as generated, load and define every function; each function raises NotImplementedError."""
    (tmp_path / "class" / "as_py").mkdir(parents=True)
    (tmp_path / "class" / "as_nb").mkdir()
    (tmp_path / "class" / "as_py" / "hw03.py").write_bytes(generated.starter_py)
    (tmp_path / "class" / "as_nb" / "hw03.ipynb").write_bytes(generated.starter_ipynb)
    run = grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / "out", timeout=5.0,
                                   memory_mb=1024, jobs=2))
    assert [r.student for r in run.results] == ["as_nb", "as_py"]
    for result in run.results:
        assert result.status == "graded" and result.total == 0 and result.checks
        assert all(c.outcome == "raised" and "not implemented yet" in c.message for c in result.checks)


def test_the_zip_holds_exactly_the_folder(built):
    folder, archive, files = built
    with zipfile.ZipFile(archive) as z:
        zipped = {n.removeprefix(f"{folder.name}/"): z.read(n) for n in z.namelist()}
    assert zipped == files


def test_the_bundle_layout(built, generated):
    _, _, files = built
    assert {"starter.py", "starter.ipynb", "selfcheck.py", "README.md"} <= set(files)
    versions = f"Python {sys.version_info[0]}.{sys.version_info[1]} and numpy {'.'.join(np.__version__.split('.')[:2])}"
    sentence = f"graded with {versions}"
    added = [d[2:] for d in difflib.ndiff(generated.starter_py.decode().splitlines(),
                                          files["starter.py"].decode().splitlines()) if d[:2] in ("+ ", "- ")]
    assert 1 <= len(added) <= 4 and sentence in " ".join(added), added  # the committed starter plus that sentence
    committed, shipped = (json.loads(data)["cells"] for data in (generated.starter_ipynb, files["starter.ipynb"]))
    assert [c["source"] for c in committed[1:]] == [c["source"] for c in shipped[1:]]
    intro = "".join(shipped[0]["source"])
    assert intro.startswith("".join(committed[0]["source"])) and sentence in " ".join(intro.split())
    assert f"**Python {sys.version_info[0]}.{sys.version_info[1]}**" in files["README.md"].decode()
    environment = json.loads(files[f"{PRIVATE}/hw03/environment.json"])
    assert (environment["python"], environment["numpy"]) == (platform.python_version(), np.__version__)
    grader_copy = {k for k in files if k.startswith(f"{PRIVATE}/grader/")}
    expected = {f"{PRIVATE}/{p.relative_to(REFERENCE_ROOT.parent).as_posix()}" for p in student_modules().values()}
    assert grader_copy == expected
    for rel in grader_copy:  # the very same loader, sandbox and comparison as `grade`
        assert files[rel] == (REFERENCE_ROOT.parent / rel.removeprefix(f"{PRIVATE}/")).read_bytes()


def test_the_bundle_holds_no_reference_code(built):
    _, _, files = built
    assert not any(Path(rel).name == "cases.py" or "reference" in Path(rel).parts or "assignments" in Path(rel).parts
                   for rel in files)
    reference_files = {p.read_bytes() for p in REFERENCE_ROOT.glob("*.py")}
    assert not reference_files & set(files.values())
    texts = {rel: data.decode("utf-8", "replace") for rel, data in files.items()}
    distinctive = set()
    for path in REFERENCE_ROOT.glob("*.py"):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                for stmt in body:
                    for line in (ast.get_source_segment(source, stmt) or "").splitlines():
                        if len(line.strip()) >= 24:
                            distinctive.add(line.strip())
    assert len(distinctive) > 40
    leaks = [(rel, line) for line in distinctive for rel, text in texts.items() if line in text]
    assert leaks == []


def test_the_bundle_holds_no_hidden_case_and_no_seed(built):
    _, _, files = built
    definition = tomllib.loads(files[f"{PRIVATE}/hw03/assignment.toml"].decode())
    assert definition["seed"] == 0 and ASSIGNMENT.seed != 0
    data = decode_public(files[f"{PRIVATE}/hw03/{FILENAME}"])
    assert all(c.public for c in data.cases) and not any(c.name.startswith("random ") for c in data.cases)
    assert len(data.cases) == len(build_cases(ASSIGNMENT, load_generators(ASSIGNMENT), 0, public_only=True))


def test_the_readme_says_how_to_run_it_and_that_hidden_cases_exist(built):
    _, _, files = built
    text = files["README.md"].decode()
    assert "python selfcheck.py hw03.ipynb" in text and "pip install numpy nbformat" in text
    assert f"{ASSIGNMENT.random_cases} hidden random cases per function" in text
    for spec in ASSIGNMENT.functions:
        assert f"`{spec.signature}`" in text
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and ln.split("|")[2].strip().startswith("`")]
    assert len(rows) == len(ASSIGNMENT.functions)
    assert all(re.sub(r"\\\|", "", row).count("|") == 5 for row in rows)  # "|z|" escaped inside cells


def test_release_command_builds_and_refuses_to_overwrite_other_folders(tmp_path, capsys):
    folder = _copy_assignment(tmp_path)
    assert main(["--assignment", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "hw03-student.zip").is_file()
    assert "hw03-student.zip" in capsys.readouterr().out
    (tmp_path / "out2" / "hw03-student").mkdir(parents=True)
    (tmp_path / "out2" / "hw03-student" / "notes.txt").write_text("mine")
    assert main(["--assignment", str(folder), "--out", str(tmp_path / "out2")]) == 2
    assert "not a student bundle" in capsys.readouterr().err
    assert (tmp_path / "out2" / "hw03-student" / "notes.txt").read_text() == "mine"


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A virtual environment without system site packages, holding numpy and nbformat only."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, capture_output=True, timeout=300)
    python = root / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "numpy", "nbformat"], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PIP_CACHE_DIR": str(Path.home() / ".cache" / "pip")})
    if pip.returncode != 0:
        pytest.skip(f"pip could not install numpy and nbformat from the registry: {pip.stderr.strip()[-300:]}")
    return python


@pytest.mark.slow
def test_selfcheck_from_the_bundle_runs_in_a_fresh_venv(built, fresh_venv, tmp_path):
    _, archive, _ = built
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
    home = tmp_path / "hw03-student"
    probe = subprocess.run([str(fresh_venv), "-c", "import reference"], capture_output=True, text=True, cwd=home)
    assert probe.returncode != 0 and "No module named 'reference'" in probe.stderr
    for name in ("passes_all.py", "passes_all.ipynb", "fails_backward_transposed.py"):
        shutil.copy(FIXTURES / name, home / name)

    def selfcheck(name: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(fresh_venv), "selfcheck.py", name], capture_output=True, text=True, cwd=home,
                              timeout=300, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)})

    for name in ("passes_all.py", "passes_all.ipynb"):
        run = selfcheck(name)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Every public case passes." in run.stdout and "gradient_descent" in run.stdout
    run = selfcheck("fails_backward_transposed.py")
    assert run.returncode == 1, run.stdout + run.stderr
    failing = [ln.split()[-4] for ln in run.stdout.splitlines() if ln.rstrip().endswith(" FAIL")]
    assert failing == ["backward", "train"] and "[backward]" in run.stdout
    run = selfcheck("starter.py")
    assert run.returncode == 1 and "Not implemented yet" in run.stdout
