"""Where students are graded (threads here, grading processes here, a Dask cluster), and how each isolated them."""
from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from typing import Any, Protocol, cast

from grader import remote
from grader.model import StudentResult, Submission
from grader.sandbox.runner import Isolation, Sandbox
from grader.runisolation import note_isolation
from grader.safefs import Refused, read_bytes
from grader.store import Encoded

Job = tuple[Submission, str]  # a submission and its resume key
GradeOne = Callable[[Sandbox, Submission, str], StudentResult]
OnFailure = Callable[[Submission, str], StudentResult]  # a job that could not be graded -> a grader fault
PLUGIN = "dl-autograder"  # name of the worker plugin holding each Dask worker's sandbox


class ExecutorError(RuntimeError):
    """The executor cannot run at all (no Dask installed, scheduler unreachable): a usage problem."""


class Executor(Protocol):
    """Grades jobs and yields their results in the order they finish; used as a context manager."""

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def grade(self, jobs: Iterable[Job]) -> Iterator[StudentResult | Encoded]: ...

    def isolation(self) -> dict[str, Isolation]:
        """By worker, the isolation its sandbox used for the students it graded so far; empty when
        students run in this process (the run's own probe describes them)."""
        ...


class LocalExecutor:
    """`jobs` threads sharing one Sandbox (one warm fork server); each student in its own process."""

    def __init__(self, grade_one: GradeOne, jobs: int, hide: Sequence[str] = ()) -> None:
        self._grade_one = grade_one
        self._jobs = max(1, jobs)
        self._hide = tuple(hide)
        self._sandbox: Sandbox | None = None
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> LocalExecutor:
        self._sandbox = Sandbox(hide=self._hide)
        self._pool = ThreadPoolExecutor(max_workers=self._jobs, thread_name_prefix="grade")
        return self

    def __exit__(self, *exc: object) -> None:
        # Interrupted (Ctrl-C) or failed: stop the fork server before waiting for the threads. It kills
        # every student process, so a thread waiting on a student's call returns now, not at the timeout.
        failed = exc[0] is not None
        if failed and self._sandbox is not None:
            self._sandbox.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if not failed and self._sandbox is not None:
            self._sandbox.close()

    def grade(self, jobs: Iterable[Job]) -> Iterator[StudentResult]:
        """At most 2 x jobs students in flight: memory does not grow with the class."""
        assert self._pool is not None and self._sandbox is not None, "use LocalExecutor as a context manager"
        pending: set[Future[StudentResult]] = set()
        for sub, key in jobs:
            pending.add(self._pool.submit(self._grade_one, self._sandbox, sub, key))
            if len(pending) >= 2 * self._jobs:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)  # grade_one never raises
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)

    def isolation(self) -> dict[str, Isolation]:
        return {}  # students run in this process's sandbox: the run's probe describes it


@dataclass(frozen=True)
class RemoteSpec:
    """What a Dask worker needs to grade like this machine, as plain data (sent with every task)."""

    assignment: str
    seed: int | None
    timeout: float
    memory_mb: int
    assignment_fingerprint: str  # the worker refuses to grade when its own differ ("": no check)
    grader_fingerprint: str
    hide: tuple[str, ...] = ()  # folders and files students must not see even inside a visible folder
    student_budget: float | None = None  # GradeOptions.student_budget


def job_payload(sub: Submission, key: str) -> dict[str, Any]:
    """A job as plain data: the submission's bytes and name, never a path the worker cannot see."""
    data: bytes | None = None
    problem, status = sub.problem, sub.status
    if sub.path is not None:
        try:
            data = read_bytes(sub.path, sub.root)  # as the loader would: no link, a regular file, within the limit
        except Refused as exc:
            data, status, problem = None, "unreadable", exc.message
    return {"student": sub.student, "late": sub.late, "problem": problem, "status": status, "key": key,
            "filename": Path(sub.path).name if sub.path else None, "data": data}


def start_method() -> str:
    """How grading processes start: "fork" while this process runs no other Python thread (no lock can
    be held mid-update by a thread that would not exist in the child; numpy's OpenBLAS pool has its own
    fork handlers), so they begin with every module imported: about 0.35 s of CPU less per process than
    "spawn", which re-imports numpy, nbformat and jinja2. "spawn" otherwise (a program embedding the
    grader may run threads)."""
    return "fork" if threading.active_count() == 1 else "spawn"


class ProcessExecutor:
    """`jobs` grading processes on this machine, each with its own context and sandbox.

    The Python work of grading (cases, expected values, comparison) then runs on every core
    instead of one. Jobs and results travel as plain data, as they do to Dask workers.
    """

    def __init__(self, jobs: int, spec: RemoteSpec, on_failure: OnFailure) -> None:
        self._count = max(1, jobs)
        self._spec = asdict(spec)
        self._on_failure = on_failure
        self._workers: list[tuple[Any, Connection]] = []
        self._isolation: dict[str, Isolation] = {}

    def isolation(self) -> dict[str, Isolation]:
        return dict(self._isolation)

    def __enter__(self) -> ProcessExecutor:
        context = multiprocessing.get_context(start_method())
        for i in range(self._count):
            ours, theirs = context.Pipe()
            process = context.Process(target=remote.serve, args=(theirs,), name=f"grade-worker-{i}", daemon=True)
            process.start()
            theirs.close()
            self._workers.append((process, ours))
        return self

    def __exit__(self, *exc: object) -> None:
        for process, connection in self._workers:
            try:
                connection.send(None)
            except OSError:
                pass
        for process, connection in self._workers:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
            connection.close()

    def grade(self, jobs: Iterable[Job]) -> Iterator[StudentResult | Encoded]:
        """Two jobs per process at most (one running, one waiting in its pipe)."""
        queued: dict[Connection, deque[Submission]] = {c: deque() for _, c in self._workers}
        processes = {c: p for p, c in self._workers}
        jobs = iter(jobs)
        pending: Job | None = next(jobs, None)
        while queued and (pending is not None or any(queued.values())):
            for connection, subs in queued.items():
                while pending is not None and len(subs) < 2:
                    connection.send((self._spec, job_payload(*pending)))
                    subs.append(pending[0])
                    pending = next(jobs, None)
            for ready in wait_for([c for c, subs in queued.items() if subs]):
                connection = cast(Connection, ready)
                try:
                    reply = connection.recv()
                except (EOFError, OSError):  # the process died: its jobs become grader faults
                    processes[connection].join(timeout=5)
                    what = f"a grading process died (exit code {processes[connection].exitcode})"
                    yield from (self._on_failure(sub, what) for sub in queued.pop(connection))
                    continue
                sub = queued[connection].popleft()
                yield self._result(processes[connection].name, reply, sub)
        while pending is not None:  # every process died
            yield self._on_failure(pending[0], "no grading process is left")
            pending = next(jobs, None)

    def _result(self, worker: str, reply: dict[str, str], sub: Submission) -> Encoded | StudentResult:
        note_isolation(self._isolation, worker, reply)
        try:
            result = Encoded.of(reply["result"])
        except (ValueError, KeyError, TypeError) as exc:
            return self._on_failure(sub, f"a grading process sent an unreadable result ({exc})")
        return result if result.summary.student == sub.student else self._on_failure(
            sub, f"a grading process answered for {result.summary.student!r}")


class DaskExecutor:
    """Sends each job to a Dask distributed cluster; every worker grades with its own Sandbox."""

    def __init__(self, scheduler: str, spec: RemoteSpec, on_failure: OnFailure, connect_timeout: float = 30.0) -> None:
        """`on_failure(sub, what)` turns a task that failed (a lost worker...) into a grader-fault result."""
        self._scheduler = scheduler
        self._connect_timeout = connect_timeout
        self._spec = asdict(spec)
        self._on_failure = on_failure
        self._client: Any = None
        self._isolation: dict[str, Isolation] = {}

    def isolation(self) -> dict[str, Isolation]:
        return dict(self._isolation)

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client

            from grader.daskworker import GradingPlugin
        except ImportError as exc:
            raise ExecutorError(f"--executor dask needs Dask ({exc}); install it with "
                                "`pip install 'dl-autograder[dask]'`") from None
        try:
            self._client = Client(self._scheduler, timeout=self._connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {self._scheduler} ({exc}); start it with "
                                "`dask scheduler` and give its tcp://HOST:PORT address") from None
        self._client.register_plugin(GradingPlugin(), name=PLUGIN)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    def grade(self, jobs: Iterable[Job]) -> Iterator[StudentResult | Encoded]:
        """At most 2 tasks per worker thread in flight; results come back as JSON and are checked."""
        from distributed import as_completed

        from grader.daskworker import grade_remote

        client = self._client
        window = max(4, 2 * sum(client.nthreads().values()))
        subs: dict[str, Submission] = {}
        finished = as_completed()
        jobs = iter(jobs)

        def submit() -> bool:
            job = next(jobs, None)
            if job is None:
                return False
            future = client.submit(grade_remote, self._spec, job_payload(*job), pure=False)
            subs[future.key] = job[0]
            finished.add(future)
            return True

        while len(subs) < window and submit():
            pass
        for future in finished:
            sub = subs.pop(future.key)
            yield self._result(future, sub)
            future.release()
            submit()

    def _result(self, future: Any, sub: Submission) -> Encoded | StudentResult:
        try:
            reply = future.result()
            note_isolation(self._isolation, str(reply["worker"]), reply)
            result = Encoded.of(reply["result"])
        except Exception as exc:  # noqa: BLE001 - a lost worker or a bad reply costs one student, as data
            return self._on_failure(sub, f"the Dask task failed ({type(exc).__name__}: {exc})")
        if result.summary.student != sub.student:
            return self._on_failure(sub, f"the Dask worker answered for {result.summary.student!r}")
        return result
