"""One measured `grade` run in a process of its own: `python -m bench.gradeproc SUBMISSIONS OUT [options]`."""
# Prints one JSON line: wall time, per-submission seconds, the grader's CPU (with its grading
# processes, if any) and peak RSS (its own process), and what a /proc sampler saw of the students.
# The sampler is a process of its own (bench.probe.SamplerProcess): the measured run has no extra thread.
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

STARTED = time.monotonic()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.gradeproc")
    p.add_argument("submissions", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--assignment", default="hw03")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--force", action="store_true")
    p.add_argument("--executor", default="auto", choices=("auto", "local", "processes"))
    p.add_argument("--coarse", action="store_true", help="poll /proc every 50 ms, not 5 ms (large classes)")
    args = p.parse_args(argv)

    from bench.probe import SamplerProcess
    from grader.pipeline import GradeOptions, grade_class

    imported = time.monotonic()
    options = GradeOptions(submissions=args.submissions, out=args.out, assignment=args.assignment,
                           timeout=args.timeout, jobs=args.jobs, force=args.force, executor=args.executor)
    before = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with SamplerProcess(os.getpid(), interval=0.05 if args.coarse else 0.005) as sampler:
        expected, done = [0], [0]

        def on_result(_summary: object) -> None:
            done[0] += 1
            sampler.reporting = done[0] >= expected[0]

        run = grade_class(options, on_result=on_result, on_start=lambda n: expected.__setitem__(0, n))
    seen = sampler.result
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # every process below this one has been reaped by now: students by their fork servers, fork
    # servers by the sandbox, grading processes by the executor; only the long-lived ones are sampled
    below = (after_children.ru_utime + after_children.ru_stime) - (before_children.ru_utime + before_children.ru_stime)
    student_cpu = max(0.0, below - seen.server_cpu - seen.worker_cpu - sampler.own_cpu)
    print(json.dumps({
        "students": len(run.summaries), "regraded": run.regraded, "reused": run.reused,
        "wall": wall, "import_seconds": imported - STARTED,
        "seconds": [s.seconds for s in run.summaries],
        "statuses": [s.status for s in run.summaries], "percents": {s.student: s.percent for s in run.summaries},
        "grader_cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) + seen.worker_cpu,
        "grader_peak_mb": after.ru_maxrss / 1024,
        "grading_rss_mb": seen.grading_rss_mb, "reports_rss_mb": seen.reports_rss_mb,
        "workers_peak_mb": seen.workers_peak_mb,
        "student_peak_mb": seen.student_peak_mb, "students_seen": seen.students_seen,
        "student_cpu": student_cpu, "server_cpu": seen.server_cpu,
    }))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
