"""Without namespaces grading still works, with process-level isolation, and the run says so loudly:
a banner on stderr, `isolation` in DIR/run.json and in the summary. Forced two ways: by request
(GRADER_ISOLATION=process) and by a kernel that refuses (a user namespace mapping only root, with
nested user namespaces disabled)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from attack_support import CLEAN, write_clean_class

from grader.cli import main
from grader.model import Case, Cell, Program
from grader.pipeline import GradeOptions, grade_class
from grader.sandbox import Sandbox
from grader.sandbox.runner import SandboxError, probe_isolation

SIMPLE = Program(cells=(Cell("def f(x):\n    return x + 1\n", "hw03.py", "hw03.py"),), kind="py")


def checks(run) -> dict[str, list[tuple[str, str, bool, float]]]:
    return {r.student: [(c.function, c.case, c.passed, c.points) for c in r.checks] for r in run.results}


def test_requested_process_isolation_grades_the_same_and_says_so(tmp_path, monkeypatch, capsys):
    write_clean_class(tmp_path / "class", "not-secret")
    monkeypatch.setenv("GRADER_ISOLATION", "process")
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "weak"), "--timeout", "2", "--quiet"]) == 0
    summary = capsys.readouterr().out
    assert "isolation: PROCESS ONLY" in summary and "SECURITY.md" in summary
    record = json.loads((tmp_path / "weak" / "run.json").read_text())
    assert record["isolation"] == "process" and "requested" in record["isolation_detail"]
    weak = grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / "weak", timeout=2.0))
    assert weak.isolation == "process" and weak.reused == len(CLEAN)
    if probe_isolation("auto").level == "namespaces":  # the same grades with full isolation
        monkeypatch.setenv("GRADER_ISOLATION", "namespaces")
        strong = grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / "strong", timeout=2.0))
        assert strong.isolation == "namespaces" and checks(strong) == checks(weak)


def test_a_process_sandbox_runs_and_never_warns():
    warnings: list[str] = []
    with Sandbox(isolation="process", warn=warnings.append) as box:
        assert box.isolation == "unused"
        report = box.run(SIMPLE, [Case("f", "c", "edge", (1,))])
        assert report.outcomes[0].value == 2
        assert box.isolation == "process" and "process-level isolation only" in box.isolation_detail
    assert warnings == []


def test_unknown_isolation_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="isolation must be one of"):
        Sandbox(isolation="chroot")
    monkeypatch.setenv("GRADER_ISOLATION", "paranoid")
    with pytest.raises(SandboxError, match="GRADER_ISOLATION must be one of auto, namespaces, process"):
        Sandbox()


def refusing(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `command` where namespaces are refused: in a user namespace that maps only root, with
    nested user namespaces disabled (so students cannot run as another user)."""
    script = 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"'
    return subprocess.run(["unshare", "--user", "--map-root-user", "sh", "-c", script, "sh", *command],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


needs_unshare = pytest.mark.skipif(shutil.which("unshare") is None or probe_isolation("auto").level != "namespaces",
                                   reason="needs util-linux unshare and user namespaces to build a refusing kernel")


@needs_unshare
def test_refused_namespaces_fall_back_loudly(tmp_path):
    write_clean_class(tmp_path / "class", "not-secret")
    env = {**os.environ, "GRADER_ISOLATION": "auto"}
    done = refusing([sys.executable, "-m", "grader.cli", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                     "--timeout", "2", "--quiet"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert "WARNING: student code runs WITHOUT namespace isolation" in done.stderr
    assert "no unprivileged uid and gid are mapped" in done.stderr
    assert "isolation: PROCESS ONLY" in done.stdout
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["isolation"] == "process" and "namespaces are unavailable" in record["isolation_detail"]
    grades = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert len(grades) == 1 + len(CLEAN) and all(",graded," in row for row in grades[1:])


@needs_unshare
def test_required_namespaces_refused_is_a_clear_error(tmp_path):
    write_clean_class(tmp_path / "class", "not-secret")
    env = {**os.environ, "GRADER_ISOLATION": "namespaces"}
    done = refusing([sys.executable, "-m", "grader.cli", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                     "--quiet"], tmp_path, env)
    assert done.returncode == 1
    assert "grade: error: namespace isolation was required but is unavailable" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out" / "grades.csv").exists()
