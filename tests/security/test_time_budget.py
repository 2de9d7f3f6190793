"""A student cannot hold a grading slot for hours: each student has a wall budget for loading and all
its calls together (`--student-budget`; by default 3 timeouts, plus one timeout per function or per 25
cases, whichever is more). Calls that answer just under `--timeout`, crash late, or reload slowly all
stop at the budget; the student keeps what it earned and the remaining cases fail at once, saying why."""
from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path

import pytest
from fairness_support import FIXTURES, cases, py

from grader.cli import main
from grader.pipeline import GradeOptions, grade_class
from grader.sandbox import Limits, Sandbox

T = 0.4  # --timeout of these runs
SLACK = 1.5  # seconds a loaded machine may add past the budget (fork, reload, the grader's own work)


@pytest.fixture(scope="module")
def box():
    with Sandbox() as sandbox:
        yield sandbox


def default_budget(timeout: float, functions: int, count: int) -> float:
    """What SECURITY.md promises: 3 timeouts, plus one timeout per function or per 25 cases."""
    return timeout * (3 + max(functions, math.ceil(count / 25)))


# Each variant answers (or dies) just under the timeout on every call, so no call ever times out.
VARIANTS = {
    "sleeps": ("""
        import time
        def f(x):
            time.sleep(%(under)s)
            return x + 1
        """, ["f"], 40),
    "spins": ("""
        import time
        def f(x):
            end = time.monotonic() + %(under)s
            while time.monotonic() < end:
                pass
            return x + 1
        """, ["f"], 40),
    "sleeps_in_a_thread": ("""
        import threading
        def f(x):
            t = threading.Thread(target=__import__("time").sleep, args=(%(under)s,))
            t.start()
            t.join()
            return x + 1
        """, ["f"], 40),
    # late crashes cost a reload each (a slow top level: just under the loading limit) and 2 per function
    "crashes_late_and_reloads_slowly": ("""
        import os, time
        time.sleep(%(under)s)
        def _crash(x):
            time.sleep(%(under)s)
            os._exit(3)
        f0 = f1 = f2 = f3 = f4 = f5 = f6 = f7 = f8 = f9 = _crash
        """, [f"f{i}" for i in range(10)], 20),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_calls_just_under_the_timeout_stop_at_the_student_budget(box, variant):
    source, functions, count = VARIANTS[variant]
    program = py(source % {"under": 0.85 * T})
    planned = cases(functions, count // len(functions), 1)
    budget = default_budget(T, len(functions), len(planned))
    report = box.run(program, planned, Limits(timeout=T, memory_mb=512))
    statuses = [o.status for o in report.outcomes]
    # unbounded, these runs take 2.5 to 7 times the budget (every call answers, or dies, in time)
    assert report.seconds < budget + SLACK, (variant, report.seconds, budget, statuses)
    assert "timeout" in statuses or "skipped" in statuses, statuses
    stopped = next(i for i, s in enumerate(statuses) if s in ("timeout", "skipped") and "budget" in
                   report.outcomes[i].error)
    # what ran before the budget ran out is kept as it was
    for outcome in report.outcomes[:stopped]:
        assert outcome.status in ("returned", "crashed", "skipped"), outcome
        if outcome.status == "returned":
            assert outcome.value == 2
    if variant != "crashes_late_and_reloads_slowly":
        assert statuses[:stopped] == ["returned"] * stopped and stopped >= 2, statuses
    # from there on every case fails at once, naming the budget and the flag
    for outcome in report.outcomes[stopped:]:
        assert outcome.status in ("timeout", "skipped"), outcome
        assert f"time budget ({budget:g} s" in outcome.error and "--student-budget" in outcome.error, outcome.error
    assert statuses[stopped:].count("timeout") <= 1


def test_a_function_that_times_out_once_each_is_still_tried_to_the_end(box):
    """The default budget leaves room for every function to time out once (an honest slow student)."""
    functions = [f"g{i}" for i in range(6)]
    source = "import time\n" + "".join(f"def {f}(x):\n    time.sleep(x)\n    return x\n" for f in functions)
    planned = [c for f in functions for c in (cases([f], 1, 0.0)[0], cases([f], 1, 5.0)[0])]
    report = box.run(py(source), planned, Limits(timeout=T, memory_mb=512))
    assert [o.status for o in report.outcomes] == ["returned", "timeout"] * len(functions), report.outcomes
    assert not any("budget" in o.error for o in report.outcomes)


def test_an_explicit_budget_and_none(box):
    program = py(VARIANTS["sleeps"][0] % {"under": 0.85 * T})
    planned = cases(["f"], 12, 1)
    report = box.run(program, planned, Limits(timeout=T, memory_mb=512, budget=1.0))
    assert report.seconds < 1.0 + SLACK
    assert [o.status for o in report.outcomes].count("returned") <= 3
    assert "time budget (1 s" in report.outcomes[-1].error
    unbounded = box.run(program, planned, Limits(timeout=T, memory_mb=512, budget=math.inf))
    assert [o.status for o in unbounded.outcomes] == ["returned"] * 12
    with pytest.raises(ValueError):
        Limits(budget=0)


SLOW_PART = """

import functools as _functools, time as _time

_depth = [0]


def _slowed(fn):
    @_functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not _depth[0]:
            _time.sleep(%(under)s)  # only the grader's own call waits, not the calls between functions
        _depth[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            _depth[0] -= 1
    return wrapper


for _name, _value in list(globals().items()):
    if callable(_value) and not _name.startswith("_") and getattr(_value, "__module__", "") == __name__:
        globals()[_name] = _slowed(_value)
"""


def slow_class(folder: Path, under: float) -> Path:
    """A correct student, and the same solution answering every call just under the timeout."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "passes_all.py", folder / "clean.py")
    (folder / "slow.py").write_text((FIXTURES / "passes_all.py").read_text() + SLOW_PART % {"under": under})
    return folder


@pytest.mark.parametrize("executor", ["local", "processes"])
def test_the_grade_flag_sets_the_budget_and_the_student_keeps_what_it_earned(tmp_path, capsys, executor):
    submissions = slow_class(tmp_path / "class", 0.4)
    out = tmp_path / "out"
    start = time.monotonic()
    assert main([str(submissions), "--out", str(out), "--timeout", "0.5", "--student-budget", "3",
                 "--jobs", "2", "--quiet", "--executor", executor]) == 0
    assert time.monotonic() - start < 3 + 20  # not 815 x 0.4 s
    clean = json.loads((out / "results" / "clean.json").read_text())
    slow = json.loads((out / "results" / "slow.json").read_text())
    assert clean["total"] == pytest.approx(clean["max_total"])
    passed = [c for c in slow["checks"] if c["passed"]]
    failed = [c for c in slow["checks"] if not c["passed"]]
    assert 2 <= len(passed) <= 8  # the cases it answered in time are kept as passed...
    # ...and earn what the scoring rule gives: these are unit_step's first cases, all public, and public cases
    # count only as far as the function's hidden cases pass (none ran here), so they earn nothing yet
    assert all(c["public"] for c in passed) and slow["total"] == pytest.approx(sum(c["points"] for c in passed)) == 0
    assert all("time budget (3 s" in c["message"] and "--student-budget" in c["message"] for c in failed)
    assert slow["status"] == "graded" and slow["seconds"] < 3 + SLACK
    # run.json says how the CPU was shared
    assert "CPU: students run SCHED_IDLE" in json.loads((out / "run.json").read_text())["isolation_detail"]


@pytest.mark.parametrize("value", ["-1", "nan", "abc"])
def test_a_bad_budget_is_a_usage_error(tmp_path, capsys, value):
    submissions = slow_class(tmp_path / "class", 0.0)
    try:
        code = main([str(submissions), "--out", str(tmp_path / "out"), f"--student-budget={value}"])
    except SystemExit as exited:
        code = exited.code
    assert code == 2
    assert "--student-budget" in capsys.readouterr().err


@pytest.mark.slow
def test_hw03_default_budget_bounds_a_student_answering_just_under_the_timeout(tmp_path):
    """815 cases answering in 0.9 x timeout would hold a slot for 815 x 0.9 x timeout (over 3 minutes
    here); the default budget (36 timeouts for hw03) ends it after about 9 s."""
    timeout = 0.25
    submissions = slow_class(tmp_path / "class", 0.9 * timeout)
    run = grade_class(GradeOptions(submissions=submissions, out=tmp_path / "out", timeout=timeout, jobs=2))
    results = {r.student: r for r in run.results}
    slow, clean = results["slow"], results["clean"]
    budget = default_budget(timeout, 29, len(slow.checks))
    assert budget == pytest.approx(9.0)
    assert clean.percent == pytest.approx(100)
    assert slow.seconds < budget + 3 * SLACK, slow.seconds
    assert slow.total > 0 and slow.status == "graded"
    assert any(f"time budget ({budget:g} s" in c.message for c in slow.checks if not c.passed)
