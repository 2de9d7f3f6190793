"""grader.report.shards: the report stage in forked shards writes exactly what one process writes,
falls back to this process when a shard's process fails, and streams the results in every process."""
from __future__ import annotations

import os
import shutil
import signal
import threading
import weakref
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.discover import safe_name
from grader.model import Check, StudentResult
from grader.report import RunInfo, shards
from grader.report.shards import write_reports
from grader.store import ResultStore

HW03 = load_assignment("hw03")
RUN = RunInfo.now(HW03, "subs dir", 10.0, 2048, "namespaces")
OUTCOMES = ("returned", "raised", "timeout", "missing", "returned", "returned")
POINTS = (0.1, 0.7, 1 / 3, 0.2, 2 / 7, 0.3, 1e-9)  # sums that depend on their order in floats


@pytest.fixture
def forking(monkeypatch):
    """Shard even if an earlier test (a Dask cluster's) left a thread running in this process."""
    monkeypatch.setattr(shards, "may_fork", lambda: True)


def _student(i: int) -> StudentResult:
    """A student whose checks vary with i: passed or not, outcomes, hints, awkward messages and points."""
    checks = []
    for j, spec in enumerate(HW03.functions[: 3 + i % 5]):
        for k in range(3):
            passed = (i + j + k) % 3 != 0
            points = POINTS[(i + j + k) % len(POINTS)] * spec.points
            outcome = "not_run" if i % 11 == 0 else OUTCOMES[(i + k) % len(OUTCOMES)]
            checks.append(Check(part=spec.part, function=spec.name, case=f"random {k:02d}", kind="random",
                                passed=passed, points=points if passed else 0.0, max_points=points,
                                message="" if passed else f"case 'random {k:02d}' (seed {i})\n call: f(\"a,b\")\n"
                                                          f" expected: [{i}]\n got: <b>{j}</b>",
                                public=k == 0, hint="check the sign" if k == 1 else "", outcome=outcome))
    parts = {p.name: sum(c.points for c in checks if c.part == p.name) for p in HW03.parts}
    return StudentResult(student=f"stu {i:03d}" if i % 4 else f"s{i:03d}", message="",
                         status=("graded", "import_error", "timeout", "graded", "syntax_error")[i % 5],
                         late=i % 6 == 0, seed=i, submission=f"s{i}.py", parts=parts, total=sum(parts.values()),
                         max_total=HW03.max_total, checks=tuple(checks), stdout="out\n" * (i % 3))


def _class(out: Path, n: int) -> list[str]:
    """n stored results, listed out of student order; and a stale page of a student who left."""
    store = ResultStore(out, safe_name)
    names = []
    for i in reversed(range(n)):
        store.save(r := _student(i))
        names.append(r.student)
    (out / "students").mkdir(parents=True, exist_ok=True)
    (out / "students" / "gone.html").write_text("old")
    return names


def _files(out: Path) -> dict[str, bytes]:
    """The report files by path under out (the result files are the input, left out)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.parts[len(out.parts)] != "results"}


def _one_and_sharded(tmp_path: Path, n: int, jobs: int) -> tuple[dict[str, bytes], Path, list[str]]:
    """The files one process writes for an n-student class, and a copy of that class to shard."""
    one, sharded = tmp_path / "one", tmp_path / "sharded"
    names = _class(one, n)
    shutil.copytree(one, sharded)
    written = write_reports(one, HW03, ResultStore(one, safe_name).view(names), RUN, jobs=jobs, shard_min=1000)
    assert written.processes == 1
    return _files(one), sharded, names


@pytest.mark.parametrize("jobs", [2, 3])
def test_shards_write_exactly_what_one_process_writes(tmp_path, jobs, forking):
    expected, out, names = _one_and_sharded(tmp_path, 31, jobs)
    written = write_reports(out, HW03, ResultStore(out, safe_name).view(names), RUN, jobs=jobs, shard_min=4)
    assert (written.processes, written.notes, written.students) == (jobs, (), 31)
    assert written.checks == out / "checks.csv" and written.index == out / "index.html"
    files = _files(out)
    assert "students/gone.html" not in files and len([f for f in files if f.startswith("students/")]) == 31
    assert files.keys() == expected.keys()  # nothing left over (no shard folder, no temp file)
    assert [f for f in files if files[f] != expected[f]] == []


def test_a_small_class_is_written_here_without_forking(tmp_path, monkeypatch, forking):
    out = tmp_path / "small"
    names = _class(out, 7)

    def no_fork() -> int:
        raise AssertionError("forked for a small class")

    monkeypatch.setattr(shards.os, "fork", no_fork)
    written = write_reports(out, HW03, ResultStore(out, safe_name).view(names), RUN, jobs=2, shard_min=4)
    assert (written.processes, written.students) == (1, 7)


def test_no_fork_while_another_thread_runs(tmp_path):
    expected, out, names = _one_and_sharded(tmp_path, 40, 2)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        written = write_reports(out, HW03, ResultStore(out, safe_name).view(names), RUN, jobs=2, shard_min=4)
    finally:
        stop.set()
        thread.join()
    assert written.processes == 1 and _files(out) == expected


def _failing_shard(monkeypatch, number: int, how: str) -> None:
    """Shard `number` fails in its own process (only there: this process's writes still work)."""
    parent, write = os.getpid(), shards._write_shard

    def failing(shard, *args, **kwargs):
        if os.getpid() != parent and shard.number == number:
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("disk on fire")
        return write(shard, *args, **kwargs)

    monkeypatch.setattr(shards, "_write_shard", failing)


@pytest.mark.parametrize("how, why", [("kill", "was killed by signal 9 (SIGKILL)"),
                                      ("raise", "failed (exit status 1: RuntimeError: disk on fire)")])
def test_a_failed_shard_is_written_here_and_said_so(tmp_path, monkeypatch, capsys, how, why, forking):
    expected, out, names = _one_and_sharded(tmp_path, 30, 3)
    _failing_shard(monkeypatch, 1, how)
    written = write_reports(out, HW03, ResultStore(out, safe_name).view(names), RUN, jobs=3, shard_min=4)
    assert written.processes == 3 and len(written.notes) == 1
    first, last = sorted(names)[10], sorted(names)[19]
    assert written.notes[0].startswith(f"report shard 2 of 3 (students {first} to {last}): its process ")
    assert why in written.notes[0] and "the main process wrote it instead" in written.notes[0]
    assert f"grade: warning: {written.notes[0]}" in capsys.readouterr().err
    assert _files(out) == expected


def test_a_shard_whose_process_cannot_start_is_written_here(tmp_path, monkeypatch, forking):
    expected, out, names = _one_and_sharded(tmp_path, 20, 2)

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(shards.os, "fork", no_fork)
    written = write_reports(out, HW03, ResultStore(out, safe_name).view(names), RUN, jobs=2, shard_min=4)
    assert "its process could not start ([Errno 11] Resource temporarily unavailable)" in written.notes[0]
    assert _files(out) == expected


def test_every_process_reads_its_results_once_and_holds_at_most_two(tmp_path, monkeypatch, forking):
    """Each result is read once in all, by the process of its shard, and is freed before the one after
    the next is read: no process holds the class (the log is a file, so the forked processes can write it)."""
    out = tmp_path / "class"
    names = _class(out, 40)
    log = tmp_path / "reads.log"
    read, alive = ResultStore.read, [0]  # results read in this process and not yet freed

    def freed() -> None:
        alive[0] -= 1

    def logged(store: ResultStore, student: str) -> StudentResult:
        result = read(store, student)
        alive[0] += 1
        weakref.finalize(result, freed)
        with log.open("a") as handle:
            handle.write(f"{os.getpid()}\t{alive[0]}\t{student}\n")
        return result

    monkeypatch.setattr(ResultStore, "read", logged)
    written = write_reports(out, HW03, ResultStore(out, safe_name).view(names), RUN, jobs=3, shard_min=4)
    lines = [line.split("\t") for line in log.read_text().splitlines()]
    assert sorted(student for _, _, student in lines) == sorted(names)  # each once
    by_process: dict[str, list[str]] = {}
    for pid, _, student in lines:
        by_process.setdefault(pid, []).append(student)
    assert len(by_process) == written.processes == 3
    assert by_process[str(os.getpid())] == sorted(names)[:13]  # this process: the first shard, in order
    assert max(int(held) for _, held, _ in lines) <= 2
