"""grade --executor dask: a LocalCluster on loopback (two worker processes, one thread each) grades a
class exactly as the local executor does: same CSVs, same result files, same resume; run.json and the
report header record the isolation the workers' sandboxes used, the weakest one named."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from grader.executors import DaskExecutor, ExecutorError, RemoteSpec
from grader.pipeline import GradeOptions, grade_class
from grader.sandbox.runner import probe_isolation

distributed = pytest.importorskip(
    "distributed", reason="Dask is not installed: pip install -e '.[test]' (or '.[dask]') to run the Dask tests")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
CLASS = ["passes_all.py", "passes_all.ipynb", "fails_bce_grad_sign.py", "fails_sgd_step_mutates.py",
         "syntax_error.py", "crashes_sys_exit_top.py", "magics_and_error.ipynb", "corrupt_not_json.ipynb",
         "missing_functions.py"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as cluster:  # any free port: no clash
        yield cluster


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    """The fixtures as a class, plus a late Canvas name and a student whose folder is ambiguous."""
    root = tmp_path / "class"
    root.mkdir()
    for name in CLASS:  # the notebook gets a student of its own (same stem = one ambiguous student)
        shutil.copy(FIXTURES / name, root / name.replace(".ipynb", "_nb.ipynb"))
    shutil.copy(FIXTURES / "passes_all.py", root / "erin_LATE_12_34_hw03.py")
    (root / "frank").mkdir()
    for name in ("a.py", "b.py"):
        shutil.copy(FIXTURES / "passes_all.py", root / "frank" / name)
    return root


def _results(out: Path) -> dict[str, dict]:
    """Every result file without its timing (the one thing that differs between two runs)."""
    found = {}
    for path in sorted((out / "results").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("seconds")
        found[path.name] = data
    return found


def test_dask_run_equals_a_local_run(cluster, submissions, tmp_path):
    opts = dict(submissions=submissions, timeout=5.0, memory_mb=1024)
    local = grade_class(GradeOptions(out=tmp_path / "local", jobs=2, executor="local", **opts))
    remote = grade_class(GradeOptions(out=tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address,
                                      **opts))
    assert remote.regraded == local.regraded == len(CLASS) + 2
    for name in ("grades.csv", "checks.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert _results(tmp_path / "dask") == _results(tmp_path / "local")
    statuses = {s.student: s.status for s in remote.summaries}
    assert statuses["syntax_error"] == "syntax_error" and statuses["frank"] == "ambiguous"
    assert statuses["corrupt_not_json_nb"] == "unreadable" and statuses["passes_all_nb"] == "graded"
    assert [s.late for s in remote.summaries if s.student == "erin"] == [True]


def test_dask_resume_reuses_what_did_not_change(cluster, submissions, tmp_path):
    opts = dict(submissions=submissions, out=tmp_path / "o", executor="dask", scheduler=cluster.scheduler_address,
                timeout=5.0, memory_mb=1024)
    first = grade_class(GradeOptions(**opts))
    assert first.workers and json.loads((tmp_path / "o" / "run.json").read_text())["workers"]
    again = grade_class(GradeOptions(**opts))
    assert (again.regraded, again.reused) == (0, first.regraded)
    record = json.loads((tmp_path / "o" / "run.json").read_text())  # no worker ran: this machine's probe
    assert again.workers == {} and "workers" not in record and record["isolation"] == probe_isolation().level
    shutil.copy(FIXTURES / "passes_all.py", submissions / "fails_bce_grad_sign.py")
    changed = grade_class(GradeOptions(**opts))
    assert (changed.regraded, changed.reused) == (1, first.regraded - 1)
    assert {s.student: s.percent for s in changed.summaries}["fails_bce_grad_sign"] == pytest.approx(100)


def test_cli_grades_on_a_cluster(cluster, submissions, tmp_path, capsys):
    out = tmp_path / "o"
    assert main([str(submissions), "--out", str(out), "--executor", "dask", "--scheduler",
                 cluster.scheduler_address, "--quiet", "--timeout", "5"]) == 0
    assert f"{len(CLASS) + 2} students" in capsys.readouterr().out
    assert len((out / "grades.csv").read_text(encoding="utf-8").splitlines()) == len(CLASS) + 3


def test_unreachable_scheduler_is_a_usage_error_naming_the_address(tmp_path):
    spec = RemoteSpec("hw03", None, 5.0, 1024, "a", "g")
    with pytest.raises(ExecutorError, match="127.0.0.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", spec, on_failure=lambda sub, what: None, connect_timeout=2).__enter__()


def test_cli_requires_a_scheduler_with_the_dask_executor(tmp_path, capsys):
    assert main([str(tmp_path), "--executor", "dask"]) == 2
    assert "--scheduler" in capsys.readouterr().err


@pytest.fixture(scope="module")
def mixed_cluster():
    """Two workers on loopback: one whose sandbox may use namespaces, one told to use process isolation
    only (as a worker whose kernel refuses namespaces falls back to it)."""
    worker = {"cls": distributed.Nanny, "options": {"nthreads": 1, "host": "127.0.0.1"}}
    weak = {"cls": distributed.Nanny, "options": {"nthreads": 1, "host": "127.0.0.1",
                                                  "env": {"GRADER_ISOLATION": "process"}}}
    scheduler = {"cls": distributed.Scheduler, "options": {"host": "127.0.0.1", "dashboard_address": ":0"}}
    with distributed.SpecCluster(workers={"strong": worker, "weak": weak}, scheduler=scheduler) as cluster:
        cluster.wait_for_workers(2)
        yield cluster


def test_run_json_and_header_record_the_weakest_worker_by_name(mixed_cluster, tmp_path):
    root = tmp_path / "class"
    root.mkdir()
    for i in range(8):  # enough students that both workers grade some
        shutil.copy(FIXTURES / "passes_all.py", root / f"s{i}.py")
    weak = mixed_cluster.workers["weak"].worker_address
    strong = mixed_cluster.workers["strong"].worker_address
    here = probe_isolation().level
    run = grade_class(GradeOptions(submissions=root, out=tmp_path / "o", executor="dask",
                                   scheduler=mixed_cluster.scheduler_address, timeout=5.0, memory_mb=1024))
    record = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert set(record["workers"]) == {weak, strong}, record  # both graded: each reported its own sandbox
    assert record["workers"][weak] == "process" and "process-level" in record["worker_details"][weak]
    assert record["workers"][strong] == here  # the strong worker's sandbox gets what this machine gets
    assert record["isolation"] == run.isolation == "process"
    assert weak in record["isolation_detail"] and (strong in record["isolation_detail"]) == (here == "process")
    header = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert "PROCESS ONLY" in header and weak in header
    assert {s.status for s in run.summaries} == {"graded"} and run.workers[weak].level == "process"
