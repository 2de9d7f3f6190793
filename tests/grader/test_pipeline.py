"""grader.pipeline end to end: fixture submissions named for their outcome are graded as they say,
the reference scores 100% for 20 students (20 seeds), hostile students leave the rest intact."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import reference
from grader.assignment import load_assignment
from grader.pipeline import GradeOptions, grade_class
from grader.store import StoredResults

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
HEADER = re.compile(r"^# (expect|expect-fail|expect-status): (.+)$")
FUNCTIONS = [f.name for f in load_assignment("hw03").functions]


def expectation(path: Path) -> dict[str, str]:
    """The `# expect...` lines of a fixture (first cell of a notebook)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            text = "".join(json.loads(text)["cells"][0]["source"])
        except (ValueError, KeyError, IndexError):
            text = "\n".join(re.findall(r'"(# expect[^"\\]*)', text))
    found = {}
    for line in text.splitlines():
        m = HEADER.match(line.strip())
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


def reference_as_submission() -> str:
    """The reference's five modules flattened into one student-style file (no `reference` import)."""
    root = Path(reference.__file__).parent
    chunks = []
    for name in ("perceptron", "activations", "mlp", "jacobian", "relu_mse"):
        lines = (root / f"{name}.py").read_text().splitlines()
        chunks += [ln for ln in lines if not ln.startswith(("from __future__", "from reference"))]
    return "from __future__ import annotations\n" + "\n".join(chunks) + "\n"


@pytest.fixture(scope="module")
def fixture_class(tmp_path_factory):
    """Every fixture graded in ONE run, each as its own student (file name without suffix)."""
    root = tmp_path_factory.mktemp("class")
    for f in FIXTURES.iterdir():
        if f.suffix in (".py", ".ipynb"):
            shutil.copy(f, root / (f.stem + ("_nb" if f.suffix == ".ipynb" else "") + f.suffix))
    out = tmp_path_factory.mktemp("out")
    run = grade_class(GradeOptions(submissions=root, out=out, timeout=2.0, memory_mb=1024, jobs=2))
    return {r.student: r for r in run.results}, out


def _student(path: Path) -> str:
    return path.stem + ("_nb" if path.suffix == ".ipynb" else "")


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.iterdir() if p.suffix in (".py", ".ipynb")),
                         ids=lambda p: p.name)
def test_fixture_is_graded_as_its_name_says(fixture_class, path):
    results, _ = fixture_class
    result = results[_student(path)]
    expect = expectation(path)
    assert expect, f"{path.name} has no expectation header"
    by_function: dict[str, float] = {}
    full: dict[str, float] = {}
    for c in result.checks:
        by_function[c.function] = by_function.get(c.function, 0.0) + c.points
        full[c.function] = full.get(c.function, 0.0) + c.max_points
    lost = {f for f in FUNCTIONS if by_function.get(f, 0.0) < full.get(f, 0.0) - 1e-9}
    if "expect" in expect:
        score = float(expect["expect"].split("=")[1])
        assert result.status == "graded", result.message
        assert result.percent == pytest.approx(score), sorted(lost)
    if "expect-status" in expect:
        assert result.status == expect["expect-status"], result.message
        if "expect-fail" not in expect:
            assert result.total == 0
    if "expect-fail" in expect:
        wanted = {f.strip() for f in expect["expect-fail"].split(",")}
        if "expect-status" not in expect:
            assert result.status == "graded", result.message
        assert lost == wanted


def test_csvs_cover_every_fixture_student(fixture_class):
    results, out = fixture_class
    grades = (out / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert len(grades) == 1 + len(results)
    assert len(list((out / "results").glob("*.json"))) == len(results)
    # written in the same pass as the HTML pages: exactly what the CSV writer gives on its own
    from grader.csvout import checks_csv
    assert (out / "checks.csv").read_text(encoding="utf-8") == checks_csv(results.values())
    assert checks_csv(results.values()).count("\n") >= 1 + sum(len(r.checks) for r in results.values())


def test_reference_scores_100_for_20_students_with_20_seeds(tmp_path):
    source = reference_as_submission()
    for i in range(20):
        (tmp_path / "class" / f"student{i:02d}").mkdir(parents=True)
        (tmp_path / "class" / f"student{i:02d}" / "hw03.py").write_text(source)
    run = grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / "out", jobs=2))
    assert len({r.seed for r in run.results}) == 20
    bad = {r.student: [c.message for c in r.checks if not c.passed][:2] for r in run.results if r.percent < 100}
    assert not bad
    assert all(r.status == "graded" for r in run.results)


def test_hostile_students_leave_everyone_else_intact(tmp_path):
    clean = ["passes_all.py", "fails_backward_transposed.py", "fails_mse_grad_split_outside.py"]
    hostile = ["hangs_infinite_loop_sigmoid.py", "hogs_memory_relu.py", "crashes_sys_exit_top.py",
               "prints_50mb.py", "prints_fake_score.py", "kills_process_group.py", "exits_in_backward.py"]
    for folder, names in (("alone", clean), ("mixed", clean + hostile)):
        (tmp_path / folder).mkdir()
        for name in names:
            shutil.copy(FIXTURES / name, tmp_path / folder / name)
    opts = dict(timeout=2.0, memory_mb=1024, jobs=2)
    alone = grade_class(GradeOptions(submissions=tmp_path / "alone", out=tmp_path / "o1", **opts))
    mixed = grade_class(GradeOptions(submissions=tmp_path / "mixed", out=tmp_path / "o2", **opts))
    after = {r.student: r for r in mixed.results}
    for r in alone.results:
        other = after[r.student]
        assert (r.status, r.total, r.parts) == (other.status, other.total, other.parts)
        assert [(c.case, c.passed) for c in r.checks] == [(c.case, c.passed) for c in other.checks]
    assert len(mixed.results) == len(clean) + len(hostile)
    fake = after["prints_fake_score"]
    assert fake.percent < 100 and "100" in fake.stdout


def _two_students(tmp_path: Path) -> dict:
    """A class of a correct and a one-bug submission in tmp_path/c; grade options writing to tmp_path/o."""
    (tmp_path / "c").mkdir()
    for name in ("passes_all.py", "fails_bce_grad_sign.py"):
        shutil.copy(FIXTURES / name, tmp_path / "c" / name)
    return dict(submissions=tmp_path / "c", out=tmp_path / "o", jobs=2)


def test_rerun_regrades_only_changed_students(tmp_path):
    opts = _two_students(tmp_path)
    first = grade_class(GradeOptions(**opts))
    assert (first.regraded, first.reused) == (2, 0)
    again = grade_class(GradeOptions(**opts))
    assert (again.regraded, again.reused) == (0, 2)
    assert [r.total for r in again.results] == [r.total for r in first.results]
    (tmp_path / "c" / "fails_bce_grad_sign.py").write_text((FIXTURES / "passes_all.py").read_text())
    changed = grade_class(GradeOptions(**opts))
    assert (changed.regraded, changed.reused) == (1, 1)
    assert grade_class(GradeOptions(**opts, seed=5)).regraded == 2
    assert grade_class(GradeOptions(**opts, force=True)).regraded == 2


def test_rerun_with_nothing_changed_keeps_reports_and_reads_results_lazily(tmp_path):
    opts = _two_students(tmp_path)
    first = grade_class(GradeOptions(**opts))
    checks = tmp_path / "o" / "checks.csv"
    written = checks.stat().st_mtime_ns
    again = grade_class(GradeOptions(**opts))
    assert again.regraded == 0 and checks.stat().st_mtime_ns == written  # same results: not rewritten
    assert isinstance(again.results, StoredResults) and list(again.results) == list(first.results)
    assert [s.student for s in again.summaries] == ["fails_bce_grad_sign", "passes_all"]
    text = checks.read_text(encoding="utf-8")
    checks.unlink()
    grade_class(GradeOptions(**opts))  # a report file went missing: all are written again
    assert checks.read_text(encoding="utf-8") == text


def test_output_folder_inside_the_submissions_is_not_a_student(tmp_path):
    shutil.copy(FIXTURES / "passes_all.py", tmp_path / "dana.py")
    for _ in range(2):  # the second run finds reports/ (results, CSVs) beside dana.py
        run = grade_class(GradeOptions(submissions=tmp_path, out=tmp_path / "reports", jobs=1))
        assert [s.student for s in run.summaries] == ["dana"]
