"""Grading a job sent as plain data, in a process other than the run's: one context and sandbox, reused."""
from __future__ import annotations

import tempfile
import threading
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from grader.model import Submission
from grader.store import grader_fingerprint, to_json


class RemoteGrader:
    """Lives in a worker process (a Dask worker, a local grading process): grades jobs as the run would.

    The Context (cases, reference, expected values) and the Sandbox (a warm fork server) are made
    on the first job and reused for the next ones. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sandbox: Any = None
        self._contexts: dict[tuple[Any, ...], Any] = {}
        self._fingerprint = grader_fingerprint()

    def close(self) -> None:
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None

    def _parts(self, spec: dict[str, Any]) -> tuple[Any, Any]:
        """(context, sandbox) for `spec`, built once and kept for the next jobs."""
        from grader.pipeline import GradeOptions, make_context
        from grader.sandbox.runner import Sandbox

        key = (spec["assignment"], spec["seed"], spec["timeout"], spec["memory_mb"], spec.get("student_budget"))
        with self._lock:
            if key not in self._contexts:
                options = GradeOptions(submissions=Path("."), assignment=spec["assignment"], seed=spec["seed"],
                                       timeout=spec["timeout"], memory_mb=spec["memory_mb"],
                                       student_budget=spec.get("student_budget"))
                self._contexts[key] = make_context(options)
            if self._sandbox is None:
                self._sandbox = Sandbox(hide=spec.get("hide", ()))
            return self._contexts[key], self._sandbox

    def isolation(self) -> tuple[str, str]:
        """(level, detail) this worker's sandbox used: "namespaces" or "process"; "unused" before its first
        student ran (see Sandbox.isolation)."""
        with self._lock:
            sandbox = self._sandbox
        return ("unused", "") if sandbox is None else (sandbox.isolation, sandbox.isolation_detail)

    def grade(self, spec: dict[str, Any], job: dict[str, Any]) -> dict[str, str]:
        """One student (see executors.job_payload), graded exactly as locally, as plain data: "result" (the
        StudentResult as JSON) and "isolation", "isolation_detail" (what this worker's sandbox used)."""
        text = self._grade(spec, job)
        level, detail = self.isolation()
        return {"result": text, "isolation": level, "isolation_detail": detail}

    def _grade(self, spec: dict[str, Any], job: dict[str, Any]) -> str:
        from grader.pipeline import grade_submission, grader_fault

        ctx, sandbox = self._parts(spec)
        sub = Submission(student=job["student"], path=None, late=job["late"], problem=job["problem"],
                         status=job["status"])
        if spec["grader_fingerprint"] and (self._fingerprint, ctx.assignment.fingerprint) != (
                spec["grader_fingerprint"], spec["assignment_fingerprint"]):
            return to_json(grader_fault(ctx.assignment, sub, key="", what=(
                f"this worker's grader or assignment differs from the one that started the run (grader "
                f"{self._fingerprint} vs {spec['grader_fingerprint']}, {spec['assignment']} "
                f"{ctx.assignment.fingerprint} vs {spec['assignment_fingerprint']}); install the same version on "
                "every worker")))
        if job["data"] is None:
            return to_json(grade_submission(ctx, sandbox, sub, job["key"]))
        with tempfile.TemporaryDirectory(prefix="grade-job-") as folder:
            path = Path(folder) / Path(job["filename"]).name
            path.write_bytes(job["data"])
            return to_json(grade_submission(ctx, sandbox, replace(sub, path=str(path)), job["key"]))


def serve(connection: Connection) -> None:
    """A local grading process: (spec, job) in, RemoteGrader.grade's reply out, until the run sends None."""
    grader = RemoteGrader()
    try:
        while (message := connection.recv()) is not None:
            connection.send(grader.grade(*message))
    except (EOFError, KeyboardInterrupt):
        pass  # the run went away (or was interrupted): stop quietly
    finally:
        grader.close()
