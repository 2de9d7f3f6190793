"""bench/RESULTS.md: the figures of one benchmark run as markdown; a hand-written analysis below is kept."""
from __future__ import annotations

import time
from pathlib import Path

from bench.figures import Run, Target

KEEP = "<!-- analysis: everything below this line is kept when the benchmark rewrites this file -->"


def _run_row(run: Run) -> str:
    per = (f"{1000 * run.median:.1f} | {1000 * run.p95:.1f}" if run.seconds else "- | -")
    mem = (f"{run.grader_peak_mb:.0f} | {run.student_peak_mb:.0f}" if run.grader_peak_mb else "- | -")
    return f"| {run.label} | {run.submissions} | {run.wall:.2f} | {run.rate:.1f} | {per} | {mem} |"


def write_results(path: Path, info: dict[str, str], runs: dict[str, Run], targets: list[Target],
                  loads: tuple[str, str], nbgrader_skipped: str, command: str) -> None:
    """Rewrite `path` with this run's figures, keeping whatever follows the KEEP marker."""
    kept = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if KEEP in text:
            kept = text.split(KEEP, 1)[1]
    g = runs["grade"]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M %Z')} (commit {info['commit']}).",
        "",
        "## Machine",
        "",
        f"- {info['nproc']} CPUs: {info['cpu']}",
        f"- memory {info['memory']}; {info['os']}",
        f"- Python {info['python']}, numpy {info['numpy']}",
        f"- load average before the run {loads[0]}, after {loads[1]}",
        "",
        "## Runs",
        "",
        "Per-submission times are from the start of a student's grading to its result; peak RSS is the",
        "grader's own process (`ru_maxrss`) and the largest student process (VmHWM, sampled from /proc).",
        "",
        "| run | submissions | wall s | submissions/s | median ms | p95 ms | grader MB | student MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(_run_row(run) for run in runs.values()),
        "",
        f"CPU per submission in the main run: grader (all its processes) {1000 * g.grader_cpu / g.submissions:.0f} ms, "
        f"student processes {1000 * g.student_cpu / g.submissions:.0f} ms.",
    ]
    if nbgrader_skipped:
        lines += ["", f"nbgrader: skipped ({nbgrader_skipped})."]
    lines += ["", "## Targets", ""]
    for t in targets:
        state = {True: "met", False: "**missed**", None: "-"}[t.met]
        lines.append(f"- {state}: {t.name}: {t.measured} ({t.goal_text})"
                     + (f"; limited by {t.limit}" if t.met is False and t.limit else ""))
    lines += ["", KEEP]
    path.write_text("\n".join(lines) + (kept if kept else "\n"), encoding="utf-8")
