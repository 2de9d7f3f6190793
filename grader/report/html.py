"""Write the instructor's HTML report: DIR/index.html (the class) and DIR/students/<name>.html (each student)."""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from pathlib import Path

import jinja2
from markupsafe import Markup

from grader.assignment import Assignment
from grader.discover import safe_name
from grader.model import StudentResult
from grader.report import charts
from grader.report.run import RunInfo
from grader.report.student import build_page
from grader.report.summary import code_ran, had_timeout, summarise
from grader.store import atomic_write

def environment() -> jinja2.Environment:
    """Templates from this package, every value escaped unless marked safe by this module."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("grader.report", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["points"] = lambda v: f"{v:.2f}".rstrip("0").rstrip(".") if v == v else "?"
    env.filters["pct"] = lambda v: f"{100 * v:.1f}%"
    return env


def page_name(student: str) -> str:
    """The student's page, relative to DIR: students/<safe name>.html."""
    return f"students/{safe_name(student)}.html"


def csp(script: str | None) -> str:
    """Content-Security-Policy: no network at all; only this module's own inline script may run."""
    if script is None:
        return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'"
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"


def write_html(out: Path, assignment: Assignment, results: Iterable[StudentResult], run: RunInfo) -> list[Path]:
    """Write index.html and one page per student under `out`; return the paths written (index first).

    Pages of students no longer in the results are removed from `out/students/`.
    """
    ordered = sorted(results, key=lambda r: r.student)
    env = environment()
    script, _, _ = env.loader.get_source(env, "table.js")  # type: ignore[union-attr]
    summary = summarise(assignment, ordered)
    rows = [{"result": r, "page": page_name(r.student), "failed": sum(not c.passed for c in r.checks),
             "hints": sum(bool(c.hint) for c in r.checks), "timeout": had_timeout(r), "ran": code_ran(r)}
            for r in ordered]
    bars = charts.rate_bars([(f.name, f.part, f.pass_rate) for f in summary.functions])
    index = env.get_template("index.html.j2").render(
        run=run, assignment=assignment, summary=summary, rows=rows, csp=csp(script), script=Markup(script),
        histogram=Markup(charts.histogram(summary.percents)), bars=Markup(bars))
    written = [out / "index.html"]
    atomic_write(written[0], index)
    template = env.get_template("student.html.j2")
    for r in ordered:
        page = build_page(assignment, r, run)
        path = out / page_name(r.student)
        atomic_write(path, template.render(run=run, assignment=assignment, page=page, r=r, ran=code_ran(r),
                                           csp=csp(None)))
        written.append(path)
    keep = set(written)
    for stale in (out / "students").glob("*.html"):
        if stale not in keep:
            stale.unlink(missing_ok=True)
    return written
