"""The whole job in one place: discover -> load -> run (sandbox) -> compare -> score -> report."""
from __future__ import annotations

import os
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

from grader import csvout, report
from grader.assignment import Assignment, load_assignment, load_generators, load_reference
from grader.cases import build_cases, student_seed
from grader.discover import discover, safe_name
from grader.expected import Expected, expected_for
from grader.load import LoadError, load
from grader.model import CallOutcome, Case, StudentResult, Submission
from grader.sandbox.runner import Limits, Sandbox
from grader.score import part_totals, score
from grader.store import ResultStore, grader_fingerprint, result_key

LOAD_STATUS = {"ok": "graded", "load_error": "import_error"}


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


@dataclass(frozen=True)
class ClassRun:
    """What one `grade` run produced."""

    assignment: Assignment
    results: tuple[StudentResult, ...]
    regraded: int
    reused: int
    seconds: float
    grades_csv: Path
    checks_csv: Path


@dataclass(frozen=True)
class Context:
    """Everything a student's grading needs, shared read-only by the worker threads."""

    assignment: Assignment
    generators: ModuleType
    reference: ModuleType
    limits: Limits
    seed_base: int
    shared: dict[tuple[str, str], Expected]  # expected values of the cases every student gets


def make_context(options: GradeOptions) -> Context:
    assignment = load_assignment(options.assignment)
    if options.seed is not None:
        assignment = replace(assignment, seed=options.seed)
    generators, reference = load_generators(assignment), load_reference(assignment)
    public = build_cases(assignment, generators, 0, public_only=True)
    shared = {(c.function, c.name): expected_for(reference, c) for c in public}
    return Context(assignment, generators, reference, Limits(timeout=options.timeout, memory_mb=options.memory_mb),
                   assignment.seed, shared)


def grade_class(options: GradeOptions, on_result: Callable[[StudentResult], None] | None = None,
                on_start: Callable[[int], None] | None = None) -> ClassRun:
    """Grade every submission; each result is saved as soon as it is known; CSVs at the end."""
    started = time.monotonic()
    ctx = make_context(options)
    with tempfile.TemporaryDirectory(prefix="grade-unzip-") as unzip_dir:
        submissions = discover(options.submissions, ctx.assignment.id, unpack_dir=Path(unzip_dir))
        if on_start:
            on_start(len(submissions))
        store = ResultStore(options.out, safe_name)
        grader_print = grader_fingerprint()
        results: dict[str, StudentResult] = {}
        todo: list[tuple[Submission, str]] = []
        for sub in submissions:
            key = result_key(Path(sub.path) if sub.path else None, ctx.assignment.fingerprint, ctx.seed_base,
                             grader_print + f":{sub.late}:{sub.status}")
            cached = None if options.force else store.load(sub.student, key)
            if cached is not None:
                results[sub.student] = cached
                if on_result:
                    on_result(cached)
            else:
                todo.append((sub, key))
        lock = threading.Lock()
        with Sandbox() as sandbox, ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            futures = {pool.submit(grade_submission, ctx, sandbox, sub, key): sub for sub, key in todo}
            for future in as_completed(futures):
                result = future.result()  # grade_submission never raises
                store.save(result)
                with lock:
                    results[result.student] = result
                if on_result:
                    on_result(result)
    ordered = tuple(results[s] for s in sorted(results))
    grades, checks = csvout.write_csvs(options.out, ctx.assignment, ordered)
    report.write_html(options.out, ctx.assignment, ordered,
                      report.RunInfo.now(ctx.assignment, options.submissions, options.timeout, options.memory_mb))
    return ClassRun(ctx.assignment, ordered, len(todo), len(submissions) - len(todo),
                    time.monotonic() - started, grades, checks)


def grade_submission(ctx: Context, sandbox: Sandbox, sub: Submission, key: str) -> StudentResult:
    """One student, end to end; a grader fault becomes a result with fault="grader", never an exception."""
    started = time.monotonic()
    seed = student_seed(ctx.seed_base, sub.student)
    base = StudentResult(student=sub.student, status="graded", message="", late=sub.late, seed=seed,
                         submission=Path(sub.path).name if sub.path else None,
                         parts={p.name: 0.0 for p in ctx.assignment.parts}, total=0.0,
                         max_total=ctx.assignment.max_total, fault="student", key=key)
    try:
        cases = build_cases(ctx.assignment, ctx.generators, seed)
        if sub.status or not sub.path:
            return _finish(ctx, base, cases, CallOutcome("not_run", error=sub.problem),
                           status=sub.status or "no_submission", message=sub.problem, started=started)
        try:
            program = load(sub.path)
        except LoadError as exc:
            return _finish(ctx, base, cases, CallOutcome("not_run", error=f"not graded: {exc.message}"),
                           status=exc.status, message=exc.message, started=started)
        report = sandbox.run(program, cases, ctx.limits)
        expecteds = [ctx.shared.get((c.function, c.name)) if c.public else None for c in cases]
        expecteds = [e if e is not None else expected_for(ctx.reference, c) for e, c in zip(expecteds, cases)]
        checks = score(ctx.assignment, cases, report.outcomes, expecteds, seed)
        totals = part_totals(ctx.assignment, checks)
        status = LOAD_STATUS.get(report.load_status, report.load_status)
        return replace(base, status=status, message=report.load_message, checks=checks, parts=totals,
                       total=sum(totals.values()), load_warnings=tuple(program.warnings) + tuple(report.load_warnings),
                       stdout=report.stdout, stderr=report.stderr, fault="none" if status == "graded" else "student",
                       seconds=round(time.monotonic() - started, 3))
    except Exception as exc:  # a grader bug must not cost the class: record it against the grader
        return replace(base, status="grader_error", fault="grader",
                       message=f"internal grader error ({type(exc).__name__}: {exc}); please report it.\n"
                               + traceback.format_exc(limit=6),
                       seconds=round(time.monotonic() - started, 3))


def _finish(ctx: Context, base: StudentResult, cases: tuple[Case, ...], outcome: CallOutcome, status: str,
            message: str, started: float) -> StudentResult:
    """A submission that never ran: every case fails with the same explanation."""
    outcomes = [outcome] * len(cases)
    checks = score(ctx.assignment, cases, outcomes, [Expected()] * len(cases), base.seed)
    return replace(base, status=status, message=message, checks=checks,
                   seconds=round(time.monotonic() - started, 3))
