"""grader.runisolation: the weakest isolation of a run, by worker and by stored result."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import summary
from grader.pipeline import GradeOptions, grade_class
from grader.runisolation import RunIsolation, note_isolation
from grader.sandbox.runner import Isolation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"


def test_run_isolation_is_the_weakest_worker_and_names_it():
    here = Isolation("namespaces", "this machine")
    assert RunIsolation.of(here, {}) == RunIsolation("namespaces", "this machine")  # students ran here
    seen: dict[str, Isolation] = {}
    note_isolation(seen, "tcp://a:1", {"isolation": "namespaces", "isolation_detail": "full"})
    note_isolation(seen, "tcp://b:2", {"isolation": "unused", "isolation_detail": ""})  # its sandbox never ran
    note_isolation(seen, "tcp://c:3", {"isolation": "process", "isolation_detail": "kernel refused"})
    note_isolation(seen, "tcp://c:3", {"isolation": "namespaces", "isolation_detail": "full"})  # weakest kept
    assert seen == {"tcp://a:1": Isolation("namespaces", "full"), "tcp://c:3": Isolation("process", "kernel refused")}
    used = RunIsolation.of(here, seen)
    assert (used.level, used.where) == ("process", "worker tcp://c:3 (1 of 2 workers)")
    assert "tcp://c:3" in used.detail and "kernel refused" in used.detail
    record = used.record()
    assert record["workers"] == {"tcp://a:1": "namespaces", "tcp://c:3": "process"}
    assert record["worker_details"]["tcp://c:3"] == "kernel refused"
    strong = RunIsolation.of(Isolation("process", "this machine"), {"tcp://a:1": Isolation("namespaces", "full")})
    assert (strong.level, strong.where) == ("namespaces", "every worker (tcp://a:1)")  # students never ran here


def test_stored_results_graded_with_less_isolation_make_the_run_weaker():
    here = Isolation("namespaces", "this machine")
    used = RunIsolation.of(here, {}, {"namespaces": 1, "process": 2})
    assert used.level == "process"
    assert used.where == "2 of 3 students graded by an earlier run (results reused)"
    assert "this run: this machine" in used.detail
    assert used.record()["students_by_isolation"] == {"namespaces": 1, "process": 2}


def test_stored_results_as_strong_as_the_run_change_only_the_counts():
    here = Isolation("process", "this machine")
    used = RunIsolation.of(here, {}, {"namespaces": 4, "process": 1, "": 3})  # "": no code ran
    assert (used.level, used.detail, used.where) == ("process", "this machine", "")
    assert used.record()["students_by_isolation"] == {"namespaces": 4, "process": 1}
    assert RunIsolation.of(here, {}, {}).record() == {"isolation": "process", "isolation_detail": "this machine"}


@pytest.mark.namespaces
def test_each_result_keeps_its_isolation_across_a_resumed_run(tmp_path: Path, monkeypatch):
    """Two students graded with process isolation only; a later run with namespaces grades a third
    and reuses their results: each result file says how its code ran, and so does the run."""
    (tmp_path / "c").mkdir()
    for name in ("passes_all.py", "fails_bce_grad_sign.py", "corrupt_not_json.ipynb"):
        shutil.copy(FIXTURES / name, tmp_path / "c" / name)
    options = GradeOptions(submissions=tmp_path / "c", out=tmp_path / "o", executor="local", jobs=2,
                           timeout=5.0, memory_mb=1024)
    monkeypatch.setenv("GRADER_ISOLATION", "process")
    first = grade_class(options)
    assert first.isolation == "process" and first.graded_with == {"process": 2}
    monkeypatch.delenv("GRADER_ISOLATION")
    shutil.copy(FIXTURES / "passes_all.py", tmp_path / "c" / "later.py")
    second = grade_class(options)
    assert (second.regraded, second.reused) == (1, 3)

    def stored(student: str) -> str:
        head = (tmp_path / "o" / "results" / f"{student}.json").read_text(encoding="utf-8").split("\n")[0]
        return str(json.loads(head[:-1] + "}")["isolation"])

    assert [stored(s) for s in ("passes_all", "fails_bce_grad_sign", "corrupt_not_json", "later")] == [
        "process", "process", "", "namespaces"]  # the corrupt notebook never reached the sandbox
    record = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert record["isolation"] == second.isolation == "process"
    assert record["students_by_isolation"] == {"namespaces": 1, "process": 2}
    assert "PROCESS ONLY on 2 of 3 students graded by an earlier run (results reused)" in summary(second)
    assert "2 of 3 students graded by an earlier run" in (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
