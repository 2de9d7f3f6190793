"""Worker side of the Dask executor: a plugin holding one RemoteGrader (context + sandbox) per worker."""
from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin, get_worker

from grader.executors import PLUGIN
from grader.remote import RemoteGrader


class GradingPlugin(WorkerPlugin):
    """Lives on each Dask worker: its RemoteGrader, made at setup, its sandbox closed at teardown."""

    name = PLUGIN

    def setup(self, worker: Any) -> None:
        self.grader = RemoteGrader()

    def teardown(self, worker: Any) -> None:
        self.grader.close()


def grade_remote(spec: dict[str, Any], job: dict[str, Any]) -> dict[str, str]:
    """The Dask task: plain data in (options, the submission's name and bytes); out, the result as JSON,
    the isolation this worker's sandbox used, and the worker's address (see RemoteGrader.grade)."""
    worker = get_worker()
    plugin = worker.plugins[PLUGIN]
    assert isinstance(plugin, GradingPlugin), "the executor registers GradingPlugin before any task"
    return {**plugin.grader.grade(spec, job), "worker": str(worker.address)}
