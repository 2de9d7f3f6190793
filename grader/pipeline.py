"""The whole job in one place: discover -> load -> run (sandbox) -> compare -> score -> report."""
from __future__ import annotations

import json
import math
import os
import tempfile
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain, islice
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from grader import csvout, report, runlock
from grader.assignment import Assignment, load_assignment, load_generators, load_reference
from grader.cases import build_cases, shared_cases, student_seed
from grader.discover import find_submissions, safe_name
from grader.executors import DaskExecutor, Executor, LocalExecutor, ProcessExecutor, RemoteSpec
from grader.runisolation import RunIsolation
from grader.expected import Expected, expected_for, expected_values
from grader.keys import grader_fingerprint, result_key
from grader.load import LoadError, load
from grader.model import CallOutcome, Case, StudentResult, Submission
from grader.sandbox.runner import Isolation, Limits, Sandbox, probe_isolation
from grader.safetext import encodable
from grader.score import SharedCalls, part_totals, score, shared_calls
from grader.store import ReportsState, ResultStore, ResultSummary, atomic_write, summary_of
from grader.summaries import SummaryCollector
from grader.versions import Environment

LOAD_STATUS = {"ok": "graded", "load_error": "import_error"}
T = TypeVar("T")


@dataclass(frozen=True)
class GradeOptions:
    """What the instructor asked for (the CLI's flags, as data)."""

    submissions: Path
    out: Path = Path("reports")
    assignment: str = "hw03"
    timeout: float = 10.0
    memory_mb: int = 2048
    jobs: int = os.cpu_count() or 1
    seed: int | None = None
    force: bool = False
    executor: str = "auto"  # "local" (threads here), "processes" (grading processes here), "dask", or "auto"
    scheduler: str | None = None  # the Dask scheduler's address, tcp://HOST:PORT
    student_budget: float | None = None  # wall seconds per student for loading and all calls; None: the default, 0: none


@dataclass(frozen=True)
class ClassRun:
    """What one `grade` run produced: small summaries in memory, full results read from disk on access."""

    assignment: Assignment
    results: Sequence[StudentResult]  # sorted by student; each read from DIR/results/ when accessed
    summaries: Sequence[ResultSummary]  # sorted by student; packed (summaries.Summaries), made on access
    regraded: int
    reused: int
    seconds: float
    grades_csv: Path
    checks_csv: Path
    isolation: str = ""  # "namespaces" or "process" (see SECURITY.md), the weakest used; details in DIR/run.json
    isolation_where: str = ""  # which workers used that level, e.g. "worker tcp://... (1 of 3 workers)"; "" = here
    workers: dict[str, Isolation] = field(default_factory=dict)  # by worker: what its sandbox used ({}: ran here)
    report_notes: tuple[str, ...] = ()  # report shards whose process failed, written by the main process instead
    graded_with: dict[str, int] = field(default_factory=dict)  # students by the isolation their code ran under


@dataclass(frozen=True)
class Context:
    """Everything a student's grading needs, shared read-only by the worker threads."""

    assignment: Assignment
    generators: ModuleType
    reference: ModuleType
    limits: Limits
    seed_base: int
    cases: dict[str, tuple[Case, ...]]  # per function, the cases every student gets (fixed + public random)
    shared: dict[tuple[str, str], Expected]  # their expected values, computed once per run
    calls: SharedCalls  # their `call:` texts for failure messages, rendered once per run


def configured_assignment(options: GradeOptions) -> Assignment:
    assignment = load_assignment(options.assignment)
    return assignment if options.seed is None else replace(assignment, seed=options.seed)


def make_context(options: GradeOptions, assignment: Assignment | None = None) -> Context:
    assignment = assignment or configured_assignment(options)
    generators, reference = load_generators(assignment), load_reference(assignment)
    cases = shared_cases(assignment, generators)
    shared = {(c.function, c.name): expected_for(reference, c) for group in cases.values() for c in group}
    budget = None if options.student_budget is None else options.student_budget or math.inf
    return Context(assignment, generators, reference,
                   Limits(timeout=options.timeout, memory_mb=options.memory_mb, budget=budget),
                   assignment.seed, cases, shared, shared_calls(assignment, cases))


def grade_class(options: GradeOptions, on_result: Callable[[ResultSummary], None] | None = None,
                on_start: Callable[[int], None] | None = None) -> ClassRun:
    """Grade a class with the output folder locked against a second run (runlock.RunLocked), and
    record how student code was isolated in DIR/run.json and ClassRun.isolation: this machine's probe,
    or, when grading processes or Dask workers ran students, the weakest level any of them used."""
    with runlock.hold(options.out):
        here, here_env = probe_isolation(), Environment.current()
        run = _grade_class(options, on_result, on_start, isolation=here)
        used = RunIsolation.of(here, run.workers, run.graded_with)
        atomic_write(options.out / "run.json", json.dumps(
            {**used.record(), "students": len(run.summaries), "python": here_env.python, "numpy": here_env.numpy,
             "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=1) + "\n")
        return replace(run, isolation=used.level, isolation_where=used.where)


def _grade_class(options: GradeOptions, on_result: Callable[[ResultSummary], None] | None = None,
                 on_start: Callable[[int], None] | None = None, isolation: Isolation | None = None) -> ClassRun:
    """Grade every submission; each result is saved as soon as it is known; reports at the end, read
    back from the saved results one student at a time (memory does not grow with the class)."""
    started = time.monotonic()
    assignment = configured_assignment(options)
    store = ResultStore(options.out, safe_name)
    summaries = SummaryCollector()  # packed: about 200 bytes a student
    workers: dict[str, Isolation] = {}  # what each grading process or Dask worker's sandbox used
    with tempfile.TemporaryDirectory(prefix="grade-unzip-") as unzip_dir:
        listed = find_submissions(options.submissions, assignment.id, unpack_dir=Path(unzip_dir),
                                  not_student=options.out)  # `grade . --out reports`: reports/ is no student
        found = listed.count
        if on_start:
            on_start(found)
        grader_print = grader_fingerprint()
        todo = _unchanged_read_back(listed.submissions, store, summaries, assignment, grader_print, options.force,
                                    on_result)  # a stream: no queue of every student to grade
        first = list(islice(todo, AUTO_PROCESSES))  # enough to choose the executor
        regraded = 0
        if first:
            with open_executor(options, assignment, grader_print, len(first)) as executor:
                for result in executor.grade(chain(_drain(first), todo)):  # in the order students finish
                    regraded += 1
                    store.save(result)  # a grading process's text is stored as it came, never re-encoded
                    summaries.add(summary := summary_of(result))
                    if on_result:
                        on_result(summary)
                workers = executor.isolation()
    ordered = summaries.sorted()
    graded_with = dict(Counter(s.isolation for s in ordered if s.isolation))  # reused results included
    results = store.view(ordered.students)
    reports = ReportsState(options.out, ordered)
    grades, checks = options.out / "grades.csv", options.out / "checks.csv"
    report_notes: tuple[str, ...] = ()
    if regraded or not reports.current():  # else: written by an earlier run from these very results
        reports.forget()
        grades = csvout.write_grades_file(options.out, assignment, ordered)
        used = RunIsolation.of(isolation or Isolation("", ""), workers, graded_with)
        written = report.write_reports(  # one pass over the results for checks.csv and HTML, on --jobs cores
            options.out, assignment, results, report.RunInfo.now(assignment, options.submissions, options.timeout,
                                                                 options.memory_mb, used.level, used.where,
                                                                 used.detail),
            jobs=options.jobs)
        checks, report_notes = written.checks, written.notes
        reports.mark()
    return ClassRun(assignment, results, ordered, regraded, found - regraded, time.monotonic() - started, grades,
                    checks, workers=workers, report_notes=report_notes, graded_with=graded_with)


def _unchanged_read_back(submissions: Iterator[Submission], store: ResultStore, summaries: SummaryCollector,
                         assignment: Assignment, grader_print: str, force: bool,
                         on_result: Callable[[ResultSummary], None] | None) -> Iterator[tuple[Submission, str]]:
    """The students to grade, with their resume keys, as discovery makes them; an unchanged student's
    summary line is read back from DIR/results/ (added and reported) as it goes by instead."""
    for sub in submissions:
        key = result_key(Path(sub.path) if sub.path else None, assignment.fingerprint, assignment.seed,
                         grader_print + f":{sub.late}:{sub.status}:{sub.problem}",
                         within=Path(sub.root) if sub.root else None)
        cached = None if force else store.load_summary(sub.student, key)
        if cached is None:
            yield sub, key
        else:
            summaries.add(cached)
            if on_result:
                on_result(cached)


def _drain(items: list[T] | deque[T]) -> Iterator[T]:
    """Yield and drop items from the front: what was handed on is no longer held (memory stays flat)."""
    if isinstance(items, list):
        items.reverse()
    while items:
        yield items.pop() if isinstance(items, list) else items.popleft()


AUTO_PROCESSES = 32  # with --executor auto, this many students to grade (and --jobs >= 2) use processes


def open_executor(options: GradeOptions, assignment: Assignment, grader_print: str, students: int) -> Executor:
    """Threads sharing one sandbox here; or grading processes here, or the workers of a Dask cluster,
    each with a sandbox of its own, sent each job as plain data. `auto` takes processes for a class
    big enough to repay starting them: the Python work of grading then uses every core."""
    executor = options.executor
    if executor == "auto":
        executor = "processes" if students >= AUTO_PROCESSES and options.jobs >= 2 else "local"
    hide = (str(options.submissions), str(options.out))  # hidden even where a Python folder holds them
    if executor == "local":
        return LocalExecutor(partial(grade_submission, make_context(options, assignment)), options.jobs, hide)
    named = not Path(options.assignment, "assignment.toml").is_file()  # a name: each worker finds its own copy
    failed = partial(grader_fault, assignment, key="")
    if executor == "processes":  # same machine, same files: no version check needed
        spec = RemoteSpec(str(assignment.folder), options.seed, options.timeout, options.memory_mb, "", "", hide,
                          options.student_budget)
        return ProcessExecutor(options.jobs, spec, on_failure=failed)
    spec = RemoteSpec(options.assignment if named else str(assignment.folder), options.seed, options.timeout,
                      options.memory_mb, assignment.fingerprint, grader_print, hide, options.student_budget)
    return DaskExecutor(options.scheduler or "", spec, on_failure=failed)


def grade_submission(ctx: Context, sandbox: Sandbox, sub: Submission, key: str) -> StudentResult:
    """One student, end to end; a grader fault becomes a result with fault="grader", never an exception."""
    started = time.monotonic()
    seed = student_seed(ctx.seed_base, sub.student)
    base = _blank(ctx.assignment, sub, key)
    try:
        cases = build_cases(ctx.assignment, ctx.generators, seed, shared=ctx.cases)
        if sub.status or not sub.path:
            return _finish(ctx, base, cases, CallOutcome("not_run", error=sub.problem),
                           status=sub.status or "no_submission", message=sub.problem, started=started)
        try:
            program = load(sub.path, within=sub.root)
        except LoadError as exc:
            return _finish(ctx, base, cases, CallOutcome("not_run", error=f"not graded: {exc.message}"),
                           status=exc.status, message=exc.message, started=started)
        report = sandbox.run(program, cases, ctx.limits)
        expected = expected_values(ctx.reference, cases, report.outcomes, ctx.shared)
        checks = score(ctx.assignment, cases, report.outcomes, expected, seed, ctx.calls)
        totals = part_totals(ctx.assignment, checks)
        status = LOAD_STATUS.get(report.load_status, report.load_status)
        return replace(base, status=status, message=report.load_message, checks=checks, parts=totals,
                       total=sum(totals.values()), load_warnings=tuple(program.warnings) + tuple(report.load_warnings),
                       stdout=report.stdout, stderr=report.stderr, fault="none" if status == "graded" else "student",
                       seconds=round(time.monotonic() - started, 3), isolation=sandbox.isolation)
    except Exception as exc:  # a grader bug must not cost the class: record it against the grader
        return replace(grader_fault(ctx.assignment, sub, f"{type(exc).__name__}: {exc}", key=key),
                       message=f"internal grader error ({type(exc).__name__}: {exc}); please report it.\n"
                               + traceback.format_exc(limit=6),
                       seconds=round(time.monotonic() - started, 3))


def grader_fault(assignment: Assignment, sub: Submission, what: str, key: str) -> StudentResult:
    """A student the grader failed to grade (a bug, a lost Dask worker): fault="grader", score 0.

    With key="" the result is never reused, so the next run retries the student.
    """
    return replace(_blank(assignment, sub, key), status="grader_error", fault="grader",
                   message=f"internal grader error: {what}; the student is not at fault. Re-run `grade` to "
                           "retry; please report it if it persists")


def _blank(assignment: Assignment, sub: Submission, key: str) -> StudentResult:
    return StudentResult(student=sub.student, status="graded", message="", late=sub.late,
                         seed=student_seed(assignment.seed, sub.student),
                         submission=encodable(Path(sub.path).name) if sub.path else None,
                         parts={p.name: 0.0 for p in assignment.parts}, total=0.0,
                         max_total=assignment.max_total, fault="student", key=key)


def _finish(ctx: Context, base: StudentResult, cases: tuple[Case, ...], outcome: CallOutcome, status: str,
            message: str, started: float) -> StudentResult:
    """A submission that never ran: every case fails with the same explanation."""
    outcomes = [outcome] * len(cases)
    checks = score(ctx.assignment, cases, outcomes, [Expected()] * len(cases), base.seed, ctx.calls)
    return replace(base, status=status, message=message, checks=checks,
                   seconds=round(time.monotonic() - started, 3))
