"""The `grade` command: a thin layer of flags over `grader.pipeline.grade_class`, plus subcommands."""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from grader.assignment import AssignmentError
from grader.discover import DiscoveryError
from grader.executors import ExecutorError
from grader.pipeline import ClassRun, GradeOptions, grade_class
from grader.progress import Progress
from grader.runlock import RunLocked
from grader.safetext import terminal
from grader.sandbox.runner import SandboxError
from grader.store import ResultSummary


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade", description="Grade a class of submissions against the reference solution.",
        epilog="Exit status: 0 when grading ran (whatever the scores), 2 for a usage error, 1 for a grader fault.")
    p.add_argument("submissions", type=Path, help="folder of submissions, or a .zip as the LMS exports it")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports/)")
    p.add_argument("--assignment", default="hw03", help="assignment name or folder (default: hw03)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="limit for loading a submission and for each call of a student function (default: 10)")
    p.add_argument("--student-budget", type=float, default=None, metavar="SECONDS",
                   help="wall time for loading and all calls of one student together; when it runs out, the "
                        "remaining cases fail at once (default: 3 timeouts, plus one timeout per function or per "
                        "25 cases, whichever is more: 360 s for hw03 at --timeout 10; 0: no budget)")
    p.add_argument("--memory", type=int, default=2048, metavar="MB",
                   help="memory limit of a student's process (default: 2048)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="students graded at once (default: number of CPUs)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="assignment seed for the random cases (default: the assignment's own)")
    p.add_argument("--force", action="store_true", help="regrade every student, even unchanged ones")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--executor", choices=("auto", "local", "processes", "dask"), default="auto",
                   help="where students are graded: threads on this machine (local), --jobs grading processes on "
                        "this machine (processes), or a Dask cluster (dask); auto: processes when 32 or more "
                        "students need grading and --jobs >= 2, else threads (default: auto)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="the Dask scheduler's address (with --executor dask)")
    return p


def summary(run: ClassRun) -> str:
    """The closing lines of `grade`: counts, the mean over students the grader did not fail, the files."""
    statuses: Counter[str] = Counter()
    late = timeouts = 0
    percent = 0.0
    for r in run.summaries:  # one pass, nothing kept per student
        statuses[r.status] += 1
        late += r.late
        timeouts += r.timed_out
        percent += r.percent if r.status != "grader_error" else 0.0
    graded = len(run.summaries) - statuses["grader_error"]
    mean = percent / graded if graded else 0.0
    counts = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    load_errors = sum(n for s, n in statuses.items() if s not in ("graded", "timeout"))
    return (f"{run.assignment.id}: {len(run.summaries)} students in {run.seconds:.1f} s "
            f"({run.regraded} graded now, {run.reused} unchanged since the last run)\n"
            f"  status: {counts or 'none'}; late: {late}; mean {mean:.1f}%\n"
            f"  timeouts: {timeouts} students; load errors: {load_errors}\n"
            f"  wrote {run.grades_csv} and {run.checks_csv}\n"
            + (f"  isolation: {run.isolation}" if run.isolation != "process" else
               f"  isolation: PROCESS ONLY{f' on {run.isolation_where}' if run.isolation_where else ''}, no "
               "namespaces: students could read and write what their user can; see run.json and SECURITY.md"))


# `grade NAME ...` runs `grader.NAME_MODULE.main(rest)`; anything else is `grade SUBMISSIONS ...`.
SUBCOMMANDS: dict[str, str] = {"release": "release", "export": "export", "replay": "replay"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        try:
            return int(importlib.import_module(f"grader.{SUBCOMMANDS[argv[0]]}").main(argv[1:]))
        except KeyboardInterrupt:
            print(f"\ngrade {argv[0]}: interrupted; run it again (files it was writing may be incomplete)",
                  file=sys.stderr)
            return 130
    return grade_main(argv)


def grade_main(argv: Sequence[str]) -> int:
    """`grade SUBMISSIONS [flags]`: grade a class, write results and reports."""
    args = _parser().parse_args(argv)
    if not args.submissions.exists():
        print(f"grade: error: {args.submissions} does not exist (give the folder or .zip of submissions)",
              file=sys.stderr)
        return 2
    if args.timeout <= 0 or args.memory <= 0 or args.jobs <= 0:
        print("grade: error: --timeout, --memory and --jobs must be positive", file=sys.stderr)
        return 2
    if args.student_budget is not None and not args.student_budget >= 0:
        print("grade: error: --student-budget must be 0 (no budget) or a number of seconds", file=sys.stderr)
        return 2
    if (args.executor == "dask") != (args.scheduler is not None):
        print("grade: error: --executor dask needs --scheduler tcp://HOST:PORT (and --scheduler needs "
              "--executor dask)", file=sys.stderr)
        return 2
    options = GradeOptions(submissions=args.submissions, out=args.out, assignment=args.assignment,
                           timeout=args.timeout, memory_mb=args.memory, jobs=args.jobs, seed=args.seed,
                           force=args.force, executor=args.executor, scheduler=args.scheduler,
                           student_budget=args.student_budget)
    progress: list[Progress] = []
    finished = [0]  # students whose result is saved (graded now or unchanged)

    def on_start(total: int) -> None:
        if not args.quiet and total:
            progress.append(Progress(total))

    def on_result(result: ResultSummary) -> None:
        finished[0] += 1
        for bar in progress:
            bar.advance(f"{result.student}: {result.status} {result.percent:.0f}%")

    try:
        run = grade_class(options, on_result=on_result, on_start=on_start)
    except (AssignmentError, DiscoveryError, ExecutorError, RunLocked) as exc:
        print(f"grade: error: {terminal(str(exc))}", file=sys.stderr)
        return 2
    except SandboxError as exc:
        print(f"grade: error: {terminal(str(exc))}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"grade: error: {terminal(str(exc.strerror or exc))} ({terminal(str(exc.filename or args.out))}); check that the output folder "
              "is writable and the disk is not full", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        for bar in progress:
            bar.close()
        progress.clear()
        print(f"\ngrade: interrupted: {finished[0]} students' results are saved in {args.out / 'results'}; the "
              "reports were not written. Run the same command again: saved results are reused and the rest "
              "graded.", file=sys.stderr)
        return 130
    finally:
        for bar in progress:
            bar.close()
    print(summary(run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
