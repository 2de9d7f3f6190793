"""grader.selfcheck: the public cases through the grader's loader and sandbox, the report, the exit codes,
and that it runs without the reference solution."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from interrupts import fork_servers, gone, own_group_default_sigint
from grader.assignment import load_assignment, load_generators
from grader.cases import build_cases
from grader.pipeline import GradeOptions, grade_class
from grader.publicdata import FILENAME, read_public
from grader.sandbox.runner import Limits, Sandbox
from grader.selfcheck import format_report, main, run_selfcheck
from grader.versions import FILENAME as ENVIRONMENT, Environment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
ASSIGNMENT = load_assignment("hw03")
DATA = read_public(ASSIGNMENT.folder / FILENAME)
LIMITS = Limits(timeout=3.0, memory_mb=1024)
FAILING = sorted(FIXTURES.glob("fails_*.py")) + [FIXTURES / "exits_in_backward.py"]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def expect_fail(path: Path) -> set[str]:
    line = next(ln for ln in path.read_text().splitlines() if ln.startswith("# expect-fail: "))
    return set(line.removeprefix("# expect-fail: ").split(", "))


def table_rows(text: str) -> dict[str, str]:
    """function -> 'ok' / 'FAIL' from the printed table."""
    names = {f.name for f in ASSIGNMENT.functions}
    rows = {}
    for line in text.splitlines():
        words = line.split()
        hits = [w for w in words if w in names]
        if hits and words[-1] in ("ok", "FAIL"):
            rows[hits[0]] = words[-1]
    return rows


@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.stem)
def test_failing_functions_are_exactly_those_the_fixture_names(path, sandbox):
    """Each single-bug fixture fails exactly its `expect-fail` functions on the public cases alone."""
    result = run_selfcheck(path, ASSIGNMENT, DATA, LIMITS, sandbox)
    failing = {c.function for c in result.checks if not c.passed}
    assert failing == expect_fail(path)
    report = format_report(result, ASSIGNMENT)
    rows = table_rows(report)
    assert {f for f, v in rows.items() if v == "FAIL"} == expect_fail(path)
    assert len(rows) == len(ASSIGNMENT.functions)
    for name in expect_fail(path):  # the first failure of each failing function is shown in full
        first = next(c for c in result.checks if c.function == name and not c.passed)
        assert f"[{name}]" in report and first.message.splitlines()[0] in report


@pytest.mark.parametrize("name", ["passes_all.py", "passes_all.ipynb", "passes_all_lists.py",
                                  "magics_and_error.ipynb"])
def test_correct_solutions_pass_every_public_case_and_exit_0(name, capsys):
    assert main([str(FIXTURES / name), "--timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert set(table_rows(out).values()) == {"ok"} and len(table_rows(out)) == len(ASSIGNMENT.functions)
    assert f"total" in out and f"{len(DATA.cases)}/{len(DATA.cases)}" in out
    assert "Every public case passes." in out and "hidden random cases" in out


def test_verdicts_equal_those_of_grade_on_the_public_cases(tmp_path, sandbox):
    """Same loader, sandbox and comparison: every public case passes or fails exactly as in `grade`."""
    names = ["fails_sigmoid_overflow.py", "fails_unit_step_strict.py", "magics_and_error.ipynb",
             "exits_in_backward.py", "crashes_sys_exit_top.py"]
    for name in names:
        (tmp_path / "class").mkdir(exist_ok=True)
        (tmp_path / "class" / name).write_bytes((FIXTURES / name).read_bytes())
    run = grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / "out", timeout=1.0,
                                   memory_mb=1024, jobs=2))
    for result in run.results:
        name = next(n for n in names if n.rsplit(".", 1)[0] == result.student)
        mine = run_selfcheck(FIXTURES / name, ASSIGNMENT, DATA, Limits(timeout=1.0, memory_mb=1024), sandbox)
        graded = {(c.function, c.case): c.passed for c in result.checks if c.public}
        assert {(c.function, c.case): c.passed for c in mine.checks} == graded, name
        assert mine.status == result.status, name


def test_only_public_cases_are_run_and_shown(sandbox):
    generators = load_generators(ASSIGNMENT)
    public = build_cases(ASSIGNMENT, generators, 0, public_only=True)
    result = run_selfcheck(FIXTURES / "fails_relu_grad_at_zero.py", ASSIGNMENT, DATA, LIMITS, sandbox)
    assert [(c.function, c.case) for c in result.checks] == [(c.function, c.name) for c in public]
    assert all(c.public for c in result.checks)
    text = format_report(result, ASSIGNMENT, verbose=True)
    assert not re.search(r"case 'random \d+'", text)  # hidden cases are named "random NN"
    assert "seed" not in text


def test_the_starter_fails_with_a_short_list_and_exit_1(capsys):
    assert main([str(ASSIGNMENT.folder / "starter.py")]) == 1
    out = capsys.readouterr().out
    assert "Not implemented yet (raises NotImplementedError): unit_step, perceptron_predict" in out
    assert "[unit_step]" not in out and set(table_rows(out).values()) == {"FAIL"}


def test_missing_functions_are_named(capsys):
    assert main([str(FIXTURES / "missing_functions.py")]) == 1
    out = capsys.readouterr().out
    assert "Not defined in your file" in out and "gradient_descent" in out
    assert table_rows(out)["unit_step"] == "ok"


def test_imports_the_grader_may_lack_are_warned_of_even_when_they_work_here(tmp_path, capsys):
    """jinja2 is installed here (the grader's own dependency), as matplotlib is on a student's laptop:
    the self-check passes, and still names the import with its line."""
    source = (FIXTURES / "passes_all.py").read_text()
    (tmp_path / "hw03.py").write_text("import jinja2\n" + source + "\n\ndef plot():\n    import matplotlib.pyplot\n")
    assert main([str(tmp_path / "hw03.py")]) == 0
    out = capsys.readouterr().out
    warnings = out.split("Warnings while loading:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    lines = source.count("\n") + 5  # after line 1, the source, two blank lines and `def plot():`
    assert warnings == [
        "  hw03.py, line 1: imports jinja2, which the grader may not have (the assignment allows numpy and the Python "
        "standard library); where it is missing the import fails and the whole file fails to load",
        f"  hw03.py, line {lines}: imports matplotlib.pyplot, which the grader may not have (the assignment allows "
        "numpy and the Python standard library); where it is missing the import fails"]
    assert set(table_rows(out).values()) == {"ok"}


@pytest.mark.parametrize("name, status", [("syntax_error.py", "syntax_error"), ("corrupt_not_json.ipynb", "unreadable")])
def test_files_that_cannot_load_exit_1_with_the_reason(name, status, capsys):
    assert main([str(FIXTURES / name)]) == 1
    out = capsys.readouterr().out
    assert f"Loading your file: {status}" in out


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "hw03.py")]) == 2
    assert "is not a file" in capsys.readouterr().err
    (tmp_path / "hw03.txt").write_text("x = 1\n")
    assert main([str(tmp_path / "hw03.txt")]) == 2
    assert "not a .py or .ipynb" in capsys.readouterr().err
    (tmp_path / "bad.json").write_bytes(b'{"format": "something else"}')
    assert main([str(FIXTURES / "passes_all.py"), "--data", str(tmp_path / "bad.json")]) == 2
    assert "is damaged" in capsys.readouterr().err
    assert main([str(FIXTURES / "passes_all.py"), "--assignment", "hw99"]) == 2
    assert "unknown assignment" in capsys.readouterr().err


BLOCKER = textwrap.dedent("""
    import sys

    class Refuse:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("reference", "assignments"):
                raise ImportError(f"selfcheck imported {name}")
            return None

    sys.meta_path.insert(0, Refuse())
    from grader.selfcheck import main
    code = main(sys.argv[1:])
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("reference", "assignments")
                    or m in ("grader.cases", "grader.pipeline", "grader.release", "grader.expected_for"))
    print("LOADED:", loaded)
    sys.exit(code)
""")


@pytest.mark.parametrize("name, code", [("passes_all.ipynb", 0), ("fails_backward_transposed.py", 1)])
def test_runs_where_the_reference_cannot_be_imported(name, code):
    """Any import of `reference` or `assignments` raises; the self-check still works, and loads neither."""
    proc = subprocess.run([sys.executable, "-c", BLOCKER, str(FIXTURES / name)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == code, proc.stderr
    assert "LOADED: []" in proc.stdout
    assert "selfcheck imported" not in proc.stdout + proc.stderr


def test_ctrl_c_while_a_function_loops_says_so_without_a_traceback():
    """A student presses Ctrl-C while their function loops forever: exit status 130, a hint about
    --timeout, no traceback, and the sandbox's fork server gone with the self-check."""
    import os
    import signal
    import time

    before = fork_servers()
    proc = subprocess.Popen([sys.executable, "-m", "grader.selfcheck", str(FIXTURES / "hangs_infinite_loop_sigmoid.py"),
                             "--timeout", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=own_group_default_sigint)
    deadline = time.monotonic() + 60
    while not fork_servers(under=proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    ours = fork_servers(under=proc.pid)
    assert ours and not ours & before
    time.sleep(2.0)  # the sigmoid case is looping by now
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err and "--timeout" in err and "Traceback" not in err
    assert gone(ours), "the self-check's fork server outlived it"


def test_a_grader_environment_that_differs_is_noted_first_and_new_syntax_flagged(tmp_path, capsys):
    """The bundle's environment.json names the grader's Python and numpy: a student on other minor
    versions is told before the report, and syntax the grader's Python lacks is a load warning."""
    folder = tmp_path / "hw03"
    folder.mkdir()
    for name in ("assignment.toml", FILENAME):
        (folder / name).write_bytes((ASSIGNMENT.folder / name).read_bytes())
    here = Environment.current()
    older = f"{sys.version_info[0]}.{sys.version_info[1] - 1}.0"
    (folder / ENVIRONMENT).write_bytes(Environment(older, "1.26.4").to_json())
    assert main([str(FIXTURES / "passes_all.py"), "--assignment", str(folder)]) == 0
    out = capsys.readouterr().out
    first, second = out.splitlines()[:2]
    assert first.startswith(f"Note: You run Python {here.minor('python')}; the grader runs Python "
                            f"{sys.version_info[0]}.{sys.version_info[1] - 1}: syntax and functions new since")
    assert second.startswith(f"Note: You run numpy {here.minor('numpy')}; the grader runs numpy 1.26:")
    assert "pip install 'numpy==1.26.*'" in second
    (folder / ENVIRONMENT).write_bytes(here.to_json())
    assert main([str(FIXTURES / "passes_all.py"), "--assignment", str(folder)]) == 0
    assert not capsys.readouterr().out.startswith("Note")  # the same versions: nothing to say
    (folder / ENVIRONMENT).unlink()
    assert main([str(FIXTURES / "passes_all.py"), "--assignment", str(folder)]) == 0
    assert not capsys.readouterr().out.startswith("Note")  # an older bundle without the file: silent


def test_the_bundled_script_passes_only_the_assignment_folder():
    from grader.bundle import selfcheck_script

    script = selfcheck_script(ASSIGNMENT)
    assert "--grader-python" not in script and '"--assignment", os.path.join(HERE, "_selfcheck", "hw03")' in script
