"""Worker side of the Dask executor: one Sandbox per worker process, made on first use and reused."""
from __future__ import annotations

import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from grader.executors import PLUGIN
from grader.model import Submission
from grader.store import grader_fingerprint, to_json


class GradingPlugin(WorkerPlugin):
    """Lives on each Dask worker: its Sandbox (a warm fork server) and its grading contexts."""

    name = PLUGIN

    def setup(self, worker: Any) -> None:
        self._lock = threading.Lock()
        self._sandbox: Any = None
        self._contexts: dict[tuple[Any, ...], Any] = {}
        self._fingerprint = grader_fingerprint()

    def teardown(self, worker: Any) -> None:
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None

    def _parts(self, spec: dict[str, Any]) -> tuple[Any, Any]:
        """(context, sandbox) for `spec`, built once per worker and kept for the next tasks."""
        from grader.pipeline import GradeOptions, make_context
        from grader.sandbox.runner import Sandbox

        key = (spec["assignment"], spec["seed"], spec["timeout"], spec["memory_mb"])
        with self._lock:
            if key not in self._contexts:
                options = GradeOptions(submissions=Path("."), assignment=spec["assignment"], seed=spec["seed"],
                                       timeout=spec["timeout"], memory_mb=spec["memory_mb"])
                self._contexts[key] = make_context(options)
            if self._sandbox is None:
                self._sandbox = Sandbox()
            return self._contexts[key], self._sandbox

    def grade(self, spec: dict[str, Any], job: dict[str, Any]) -> str:
        """One student, graded here exactly as `grade` grades locally; the StudentResult as JSON."""
        from grader.pipeline import grade_submission, grader_fault

        ctx, sandbox = self._parts(spec)
        sub = Submission(student=job["student"], path=None, late=job["late"], problem=job["problem"],
                         status=job["status"])
        if (self._fingerprint, ctx.assignment.fingerprint) != (spec["grader_fingerprint"],
                                                               spec["assignment_fingerprint"]):
            return to_json(grader_fault(ctx.assignment, sub, key="", what=(
                f"the Dask worker's grader or assignment differs from the one that started the run (grader "
                f"{self._fingerprint} vs {spec['grader_fingerprint']}, {spec['assignment']} "
                f"{ctx.assignment.fingerprint} vs {spec['assignment_fingerprint']}); install the same version on "
                "every worker")))
        if job["data"] is None:
            return to_json(grade_submission(ctx, sandbox, sub, job["key"]))
        with tempfile.TemporaryDirectory(prefix="grade-dask-") as folder:
            path = Path(folder) / Path(job["filename"]).name
            path.write_bytes(job["data"])
            return to_json(grade_submission(ctx, sandbox, replace(sub, path=str(path)), job["key"]))


def grade_remote(spec: dict[str, Any], job: dict[str, Any]) -> str:
    """The Dask task: plain data in (options, the submission's name and bytes), JSON out."""
    plugin: GradingPlugin = get_worker().plugins[PLUGIN]
    return plugin.grade(spec, job)
