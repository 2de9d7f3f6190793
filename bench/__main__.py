"""`python -m bench`: grade a synthetic class with the real pipeline and compare with the baselines."""
# Runs, in this order: our grader on N submissions (then a resume run), one fresh `python3` per
# submission doing the same checks, nbgrader autograde on a sample of the notebooks (when
# installed), the per-submission overhead, and the grader's memory at 1,000 vs 10,000 submissions.
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import nbgrader_run
from bench.classgen import INSTANT, make_class
from bench.figures import HEADER, Run, Target, load_average, machine
from bench.results import write_results

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "bench" / "tiny"  # one function (relu), 2 cases per student
RELU = "import numpy as np\n\n\ndef relu(z):\n    return np.maximum(np.asarray(z, dtype=float), 0.0)\n"


def _module(module: str, *args: str) -> tuple[dict, float]:
    """Run `python -m module args` from the repository; its last stdout line as JSON, and its wall time."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - start
    if proc.returncode or not proc.stdout.strip():
        raise SystemExit(f"bench: {module} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def grade(label: str, submissions: Path, out: Path, jobs: int, *, assignment: str = "hw03", fresh: bool = True,
          coarse: bool = False, executor: str = "auto") -> Run:
    """Our grader (grade_class with its sandbox) in a process of its own."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    data, wall = _module("bench.gradeproc", str(submissions), str(out), "--jobs", str(jobs), "--assignment",
                         assignment, "--executor", executor, *(["--coarse"] if coarse else []))
    return Run(label, data["students"], data["wall"], tuple(data["seconds"]) if data["regraded"] else (),
               data["grader_peak_mb"], data["student_peak_mb"], data["grader_cpu"], data["student_cpu"],
               extra={**{k: data[k] for k in ("grading_rss_mb", "reports_rss_mb", "regraded", "reused",
                                              "import_seconds", "statuses", "students_seen", "workers_peak_mb")},
                      "process_wall": wall, "percents": data["percents"]})


def hw03_calls() -> int:
    """Calls a student makes on the shipped hw03 (fixed, public random and hidden cases)."""
    from grader.assignment import load_assignment, load_generators
    from grader.cases import build_cases

    assignment = load_assignment("hw03")
    return len(build_cases(assignment, load_generators(assignment), 0))


def minimum_cases(work: Path) -> Path:
    """A copy of hw03 with 15 hidden random cases a function instead of 20: with its 5 public random
    cases, each function then has the issue's minimum of 20 random cases (plus the lecture and edge cases)."""
    folder = work / "hw03-min"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "assignments" / "hw03", folder, ignore=shutil.ignore_patterns("__pycache__"))
    toml = folder / "assignment.toml"
    text = toml.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^random_cases = \d+", "random_cases = 15", text, count=1)
    if changed == text:
        raise SystemExit(f"bench: no `random_cases = N` line in {toml}")
    toml.write_text(changed, encoding="utf-8")
    return folder


def baseline(label: str, submissions: Path, jobs: int, assignment: str = "hw03") -> Run:
    data, _ = _module("bench.baseline", str(submissions), "--jobs", str(jobs), "--assignment", assignment)
    return Run(label, len(data["seconds"]), data["wall"], tuple(data["seconds"]), data["grader_peak_mb"],
               data["student_peak_mb"], extra={"percents": data["percents"]})


def _agree(ours: Run, theirs: Run) -> int:
    """Students to whom both graders gave the same score (a check that the baseline does the same work)."""
    mine = ours.extra["percents"]
    return sum(abs(mine.get(s, -1.0) - p) < 1e-6 for s, p in theirs.extra["percents"].items())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=200, help="submissions in the class (default 200)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="students at once (default: nproc)")
    p.add_argument("--nbgrader", default=shutil.which("nbgrader"),
                   help="the `nbgrader` command to compare with (default: on PATH; skipped when absent)")
    p.add_argument("--nbgrader-sample", type=int, default=20, metavar="K",
                   help="notebooks nbgrader grades (default 20; 0 = all the class's notebooks)")
    p.add_argument("--scale", default="1000,10000", help="class sizes for the memory run ('' to skip)")
    p.add_argument("--overhead-n", type=int, default=60, help="instant submissions for the overhead run")
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--work", type=Path, default=None, help="work folder (default: a temp folder, removed)")
    p.add_argument("--results", type=Path, default=None, help="also write the figures as markdown here")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="grader-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    load_before = load_average()
    print(f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']}, Python {info['python']}, "
          f"numpy {info['numpy']}; load average {load_before}")
    runs: dict[str, Run] = {}

    klass = work / "class"
    shutil.rmtree(klass, ignore_errors=True)
    members = make_class(klass, args.n)
    print(f"class: {args.n} submissions ({sum(m.kind == 'ipynb' for m in members)} notebooks) in {klass}")
    runs["grade"] = grade(f"grade (default executor, {args.jobs} jobs)", klass, work / "out", args.jobs)
    runs["resume"] = grade("grade again, nothing changed", klass, work / "out", args.jobs, fresh=False)
    runs["threads"] = grade(f"grade --executor local ({args.jobs} threads)", klass, work / "out-threads", args.jobs,
                            executor="local")
    runs["minimum"] = grade("grade, 15 hidden cases a function", klass, work / "out-min",
                            args.jobs, assignment=str(minimum_cases(work)))
    if not args.skip_baseline:
        runs["baseline"] = baseline("fresh python3 per submission", klass, args.jobs)
    notebooks = sorted(m.path for m in members if m.kind == "ipynb")
    notebooks = notebooks[: args.nbgrader_sample] if args.nbgrader_sample else notebooks
    nb = nbgrader_run.run(args.nbgrader, work / "nbgrader", notebooks)
    if not nb.skipped:
        runs["nbgrader"] = Run(f"nbgrader autograde ({len(notebooks)} nbs)", len(notebooks), nb.wall)

    instant = work / "instant"
    shutil.rmtree(instant, ignore_errors=True)
    make_class(instant, args.overhead_n, source=INSTANT)
    runs["overhead"] = grade("instant functions, 2 calls, 1 job", instant, work / "out-instant", 1,
                             assignment=str(TINY))
    runs["overhead_full"] = grade(f"instant functions, {hw03_calls()} calls, 1 job", instant,
                                  work / "out-instant-full", 1)
    if not args.skip_baseline:
        runs["overhead_baseline"] = baseline("instant, 2 calls, fresh python3", instant, 1, str(TINY))
    for size in [int(s) for s in args.scale.split(",") if s.strip()]:
        folder = work / f"scale-{size}"
        shutil.rmtree(folder, ignore_errors=True)
        make_class(folder, size, source=RELU)
        runs[f"scale_{size}"] = grade(f"{size} relu-only submissions", folder, work / f"out-{size}", args.jobs,
                                      assignment=str(TINY), coarse=True)

    targets = evaluate(runs, args.n, int(info["nproc"]), nb)
    print()
    print(HEADER)
    for run in runs.values():
        print(run.row())
    g = runs["grade"]
    print(f"\ngrader CPU {1000 * g.grader_cpu / g.submissions:.0f} ms + student CPU "
          f"{1000 * g.student_cpu / g.submissions:.0f} ms per submission; import {g.extra['import_seconds']:.2f} s; "
          f"resume process wall {runs['resume'].extra['process_wall']:.2f} s")
    if "baseline" in runs:
        print(f"baseline agrees with grade on {_agree(g, runs['baseline'])}/{g.submissions} scores")
    if nb.skipped:
        print(f"nbgrader: skipped: {nb.skipped}")
    print("\ntargets:")
    for target in targets:
        print(target.line())
    load_after = load_average()
    print(f"\nload average before {load_before}, after {load_after} (other work on this machine slows every figure)")
    if args.results:
        write_results(args.results, info, runs, targets, (load_before, load_after), nb.skipped, " ".join(
            ["python -m bench", *(argv if argv is not None else sys.argv[1:])]))
        print(f"wrote {args.results}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def evaluate(runs: dict[str, Run], n: int, nproc: int, nb: nbgrader_run.NbgraderRun) -> list[Target]:
    """The issue's targets against this run's figures, with what limits each missed one."""
    g = runs["grade"]
    per = 1000 * (g.grader_cpu + g.student_cpu) / g.submissions
    floor = per * 200 / 1000 / nproc
    cpu = (f"CPU per submission: grader {1000 * g.grader_cpu / g.submissions:.0f} ms (its Python work: cases, "
           f"expected values, the sandbox's framing, comparison, messages), student processes "
           f"{1000 * g.student_cpu / g.submissions:.0f} ms; {per:.0f} ms x 200 / {nproc} cores = {floor:.1f} s "
           "at the very best on an idle machine")
    wall200 = g.wall * 200 / g.submissions
    targets = [
        Target("200 submissions, wall", "<= 10 s on 2 cores", f"{wall200:.1f} s"
               + ("" if g.submissions == 200 else f" (scaled from {g.submissions})"), wall200 <= 10, cpu),
        Target("throughput", ">= 20 submissions/s", f"{g.rate:.1f}/s", g.rate >= 20, cpu),
    ]
    if "nbgrader" in runs:
        ratio = (runs["nbgrader"].wall / runs["nbgrader"].submissions) / (g.wall / g.submissions)
        targets.append(Target("vs nbgrader (per notebook)", ">= 30x faster", f"{ratio:.0f}x", ratio >= 30, cpu))
    else:
        targets.append(Target("vs nbgrader", ">= 30x faster", f"not measured ({nb.skipped})", None))
    m = runs.get("minimum")
    if m is not None:
        targets.append(Target("200 submissions at the issue's minimum case count (20 random cases a function; "
                              "the shipped hw03 draws 25: 5 public + 20 hidden)", "",
                              f"{m.wall * 200 / m.submissions:.1f} s, {m.rate:.1f}/s", None))
    if "baseline" in runs:
        ratio = runs["baseline"].wall / g.wall
        targets.append(Target("vs fresh python3 per submission", "", f"{ratio:.1f}x faster", None))
    o = runs["overhead"]
    targets.append(Target("per-submission overhead (2 instant calls, 1 job)", "<= 25 ms",
                          f"{1000 * o.median:.1f} ms median, {1000 * o.wall / o.submissions:.1f} ms wall/submission",
                          o.median <= 0.025, "fork, load and the fixed costs of one student's run"))
    full = runs["overhead_full"]
    calls = hw03_calls()
    targets.append(Target(f"per-call cost ({calls} instant calls, 1 job)", "",
                          f"{1000 * (full.median - o.median) / (calls - 2):.3f} ms per call", None))
    small, large = runs.get("scale_1000"), runs.get("scale_10000")
    if small and large:
        growth = large.grader_peak_mb / small.grader_peak_mb - 1
        grading = large.extra["grading_rss_mb"] / small.extra["grading_rss_mb"] - 1
        workers = (f"; grading processes {small.extra['workers_peak_mb']:.0f} -> "
                   f"{large.extra['workers_peak_mb']:.0f} MB" if large.extra["workers_peak_mb"] else "")
        targets.append(Target("grader peak RSS, 10,000 vs 1,000 submissions", "within 20%",
                              f"{small.grader_peak_mb:.0f} -> {large.grader_peak_mb:.0f} MB ({100 * growth:+.0f}%)"
                              f"{workers}; while grading {small.extra['grading_rss_mb']:.0f} -> "
                              f"{large.extra['grading_rss_mb']:.0f} MB ({100 * grading:+.0f}%), while writing "
                              f"reports {small.extra['reports_rss_mb']:.0f} -> {large.extra['reports_rss_mb']:.0f} MB",
                              growth <= 0.2, "the reports stage (see 'while writing reports')"))
    else:
        targets.append(Target("grader peak RSS, 10,000 vs 1,000", "within 20%", "not measured (--scale)", None))
    r = runs["resume"]
    targets.append(Target(f"resume, {r.submissions} unchanged students", "< 1 s",
                          f"{r.wall:.2f} s in grade_class, {r.extra['process_wall']:.2f} s for the whole process",
                          r.wall < 1, "reading every summary line and hashing every submission"))
    return targets


if __name__ == "__main__":
    raise SystemExit(main())
