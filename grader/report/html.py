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
from grader.report.summary import Tally
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
    """Write one page per student and then index.html under `out`; return the paths (index first, then by student).

    `results` is read once, one student at a time (it may stream from disk). Pages of students no
    longer in the results are removed from `out/students/`.
    """
    env = environment()
    student_template = env.get_template("student.html.j2")
    tally = Tally(assignment)
    pages: dict[str, Path] = {}
    for r in results:
        tally.add(r)
        pages[r.student] = path = out / page_name(r.student)
        atomic_write(path, student_template.render(run=run, assignment=assignment, page=build_page(assignment, r, run),
                                                   r=r, ran=tally.rows[-1].ran, csp=csp(None)))
    keep = set(pages.values())
    for stale in (out / "students").glob("*.html"):
        if stale not in keep:
            stale.unlink(missing_ok=True)
    script, _, _ = env.loader.get_source(env, "table.js")  # type: ignore[union-attr]
    summary = tally.summary()
    rows = sorted(tally.rows, key=lambda line: line.student)
    bars = charts.rate_bars([(f.name, f.group, f.pass_rate) for f in summary.functions])
    index = env.get_template("index.html.j2").render(
        run=run, assignment=assignment, summary=summary, rows=rows, page_name=page_name, csp=csp(script),
        script=Markup(script), histogram=Markup(charts.histogram(summary.percents)), bars=Markup(bars))
    atomic_write(out / "index.html", index)
    return [out / "index.html", *(pages[s] for s in sorted(pages))]
