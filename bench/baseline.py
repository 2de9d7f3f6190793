"""The baseline: one fresh `python3` per submission running the same cases, compared in the parent."""
# `python -m bench.baseline SUBMISSIONS [--jobs N]` prints one JSON line of figures.
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import codec
from grader.cases import build_cases, student_seed
from grader.discover import discover
from grader.expected import expected_for
from grader.load import LoadError, load
from grader.model import CallOutcome, Submission
from grader.pipeline import Context, GradeOptions, make_context
from grader.score import score

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).with_name("baseline_child.py")


@dataclass(frozen=True)
class BaselineRun:
    """Figures of one baseline run over a class."""

    wall: float
    seconds: tuple[float, ...]  # per submission, its process and the comparison
    percents: dict[str, float]  # per student
    student_peak_mb: float  # the largest peak RSS (VmHWM) of one of its `python3` processes
    grader_peak_mb: float  # this process (cases, expected values, comparison)


def _outcome(line: str) -> CallOutcome:
    data = json.loads(line)
    value = codec.decode(data["value"].encode()) if "value" in data else None
    return CallOutcome(status=data["status"], value=value, error=data.get("error", ""),
                       error_types=tuple(data.get("error_types", ())), mutated=tuple(data.get("mutated", ())),
                       warnings=tuple(data.get("warnings", ())))


def grade_one(ctx: Context, sub: Submission, timeout: float) -> tuple[str, float, float, float]:
    """(student, percent, seconds, peak MB of its process): a fresh interpreter runs all its cases."""
    started = time.monotonic()
    seed = student_seed(ctx.seed_base, sub.student)
    cases = build_cases(ctx.assignment, ctx.generators, seed, shared=ctx.cases)
    try:
        program = load(sub.path or "")
    except LoadError:
        return sub.student, 0.0, time.monotonic() - started, 0.0
    plan = {"cells": [{"source": c.source, "filename": c.filename} for c in program.cells],
            "calls": [{"function": c.function, "args": codec.encode((c.args, c.kwargs), strict=True).decode()}
                      for c in cases]}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    try:
        proc = subprocess.run([sys.executable, str(CHILD)], input=json.dumps(plan), capture_output=True, text=True,
                              timeout=timeout * (1 + len(cases)), env=env, cwd=ROOT)
        lines = proc.stdout.splitlines()
    except subprocess.TimeoutExpired:
        lines = []
    peak = json.loads(lines[-1]).get("peak_kb", 0) / 1024 if len(lines) > len(cases) else 0.0
    outcomes = [_outcome(line) for line in lines[:len(cases)]]
    outcomes += [CallOutcome("crashed", error="the process died")] * (len(cases) - len(outcomes))
    known = [ctx.shared.get((c.function, c.name)) if c.public else None for c in cases]
    expected = [e if e is not None else expected_for(ctx.reference, c) for e, c in zip(known, cases)]
    checks = score(ctx.assignment, cases, outcomes, expected, seed)
    percent = 100.0 * sum(c.points for c in checks) / ctx.assignment.max_total
    return sub.student, percent, time.monotonic() - started, peak


def run(submissions: Path, jobs: int, timeout: float = 10.0, assignment: str = "hw03") -> BaselineRun:
    """Grade the class with `jobs` submissions at once, each in a fresh interpreter."""
    start = time.monotonic()
    ctx = make_context(GradeOptions(submissions=submissions, timeout=timeout, assignment=assignment))
    subs = discover(submissions, ctx.assignment.id)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        done = list(pool.map(lambda sub: grade_one(ctx, sub, timeout), subs))
    wall = time.monotonic() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return BaselineRun(wall, tuple(d[2] for d in done), {d[0]: d[1] for d in done}, max(d[3] for d in done), own)


def main(argv: list[str] | None = None) -> int:
    import argparse
    from dataclasses import asdict

    p = argparse.ArgumentParser(prog="python -m bench.baseline")
    p.add_argument("submissions", type=Path)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--assignment", default="hw03")
    args = p.parse_args(argv)
    print(json.dumps(asdict(run(args.submissions, args.jobs, assignment=args.assignment))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
