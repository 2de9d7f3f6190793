"""Write the instructor's HTML report: DIR/index.html (the class) and DIR/students/<name>.html (each student)."""
from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import jinja2
import numpy as np
from markupsafe import Markup

from grader.assignment import Assignment
from grader.discover import safe_name
from grader.model import StudentResult
from grader.report import charts
from grader.report.run import RunInfo
from grader.report.student import build_page
from grader.report.summary import Tally
from grader.store import StoredResults, atomic_write, atomic_writer

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


@dataclass(frozen=True)
class Written:
    """What write_html wrote: the index and how many student pages (listed from disk on request)."""

    index: Path
    students: int

    def pages(self) -> list[Path]:
        """The student pages under DIR/students/, by file name."""
        return sorted(self.index.parent.joinpath("students").glob("*.html"))


@dataclass(frozen=True)
class Templates:
    """The report's templates, loaded and compiled once per run (before any shard process forks)."""

    env: jinja2.Environment
    student: jinja2.Template
    row: Callable[..., str]  # index_row.html.j2's macro: one student's line of the index table

    @classmethod
    def load(cls) -> Templates:
        env = environment()
        row = env.get_template("index_row.html.j2").module.row  # type: ignore[attr-defined]
        return cls(env, env.get_template("student.html.j2"), row)


def write_html(out: Path, assignment: Assignment, results: Iterable[StudentResult], run: RunInfo,
               also: Callable[[StudentResult], None] | None = None) -> Written:
    """Write one page per student and then index.html under `out`.

    `results` is read once, one student at a time, in student order: a `StoredResults` streams from
    disk in that order, and other iterables are sorted first. Memory stays flat with the class: the
    index's table rows go to a temp file as each student goes by and are streamed into the page after
    the class figures (a Tally of counts); the page is written as the template renders it. Pages of
    students no longer in the results are removed from `out/students/`. `also` is handed each result
    as it goes by (the run writes checks.csv in the same pass). Student pages are not fsynced: they
    are rebuilt from the results whenever the reports are not current. (grader/report/shards.py does
    the same on several cores.)
    """
    templates = Templates.load()
    tally = Tally(assignment)
    pages = PageNames()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="", dir=out) as rows:
        write_students(out, assignment, _by_student(results), run, templates, tally, rows, also, pages.add)
        remove_stale(out / "students", pages)
        rows.seek(0)
        write_index(out, assignment, run, templates, tally, chunks(rows))
    return Written(out / "index.html", tally.students)


def write_students(out: Path, assignment: Assignment, results: Iterable[StudentResult], run: RunInfo,
                   templates: Templates, tally: Tally, rows: IO[str],
                   also: Callable[[StudentResult], None] | None = None,
                   named: Callable[[str], None] | None = None) -> None:
    """Each student's page, tally and index row (to `rows`), one student at a time, in the order given."""
    student_template, row = templates.student, templates.row
    for r in results:
        line = tally.add(r)
        name = page_name(r.student)
        if named is not None:
            named(name)
        atomic_write(out / name, student_template.render(run=run, assignment=assignment, csp=csp(None), r=r,
                                                          page=build_page(assignment, r, run), ran=line.ran),
                     durable=False)
        if also is not None:
            also(r)
        rows.write(row(line, assignment, page_name))


def write_index(out: Path, assignment: Assignment, run: RunInfo, templates: Templates, tally: Tally,
                rows: Iterator[Markup]) -> Path:
    """index.html: the class figures of `tally`, then the table rows (already rendered), written as it renders."""
    env = templates.env
    script, _, _ = env.loader.get_source(env, "table.js")  # type: ignore[union-attr]
    summary = tally.summary()
    bars = charts.rate_bars([(f.name, f.group, f.pass_rate) for f in summary.functions])
    with atomic_writer(out / "index.html") as handle:
        handle.writelines(env.get_template("index.html.j2").generate(
            run=run, assignment=assignment, summary=summary, rows=rows, csp=csp(script),
            script=Markup(script), histogram=Markup(charts.histogram_of(summary.bins)), bars=Markup(bars)))
    return out / "index.html"


def remove_stale(folder: Path, pages: PageNames) -> None:
    """Remove the pages under `folder` not written by this run (scanned one entry at a time: no list)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".html") and f"students/{entry.name}" not in pages and entry.is_file():
                Path(entry.path).unlink(missing_ok=True)


def _by_student(results: Iterable[StudentResult]) -> Iterator[StudentResult]:
    if isinstance(results, StoredResults):
        return results.by_student()
    return iter(sorted(results, key=lambda r: r.student))  # results the caller holds in memory anyway


def chunks(spill: IO[str], size: int = 1 << 16) -> Iterator[Markup]:
    """The spilled rows (already escaped by their template), a block at a time."""
    while block := spill.read(size):
        yield Markup(block)


class PageNames:
    """The set of page names written, as one 8-byte hash each (a class of 10,000 costs 80 KB).

    Used only to find stale pages: a hash collision (about 1 in 10^11 for 10,000 students) would
    leave one stale page in place, never remove a current one.
    """

    def __init__(self) -> None:
        self._added = array("q")
        self._sorted: np.ndarray | None = None  # sorted in numpy: no Python int per page

    def add(self, name: str) -> None:
        self._added.append(hash(name))
        self._sorted = None

    def __contains__(self, name: str) -> bool:
        if self._sorted is None:
            self._sorted = np.sort(np.frombuffer(self._added, dtype=np.int64))
        h = hash(name)
        i = int(np.searchsorted(self._sorted, h))
        return i < len(self._sorted) and int(self._sorted[i]) == h
