"""The report stage on several cores: contiguous shards of the class, each written by a forked process."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from array import array
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from grader.assignment import Assignment
from grader.csvout import CheckRows, ChecksFile
from grader.model import StudentResult
from grader.report.html import (
    PageNames,
    Templates,
    chunks,
    page_name,
    remove_stale,
    write_html,
    write_index,
    write_students,
)
from grader.report.run import RunInfo
from grader.report.summary import Tally, TallyPart
from grader.safetext import terminal
from grader.store import StoredResults, atomic_writer

# Students per shard at the least. Measured on hw03 (786 checks a student; 2 cores, CPU seconds, as
# the machine was shared): one process takes 0.04 s plus 7 ms a student; a forked shard costs its
# process about 10 ms more and each student about 10% more CPU (pages copied on write). Split in 2,
# the longest process's CPU drops from 0.097 to 0.080 s at 8 students, 0.156 to 0.099 at 16, 0.264
# to 0.171 at 32: the split pays from about 8 students when a core is free. 16 a shard (32 students
# for 2 shards, as for grading processes) leaves the smallest classes the single process.
SHARD_MIN = 16


@dataclass(frozen=True)
class Reports:
    """What the report stage wrote: student pages, index.html and checks.csv, and how."""

    index: Path
    checks: Path
    students: int
    processes: int  # shards, one process each (1: this process alone)
    notes: tuple[str, ...] = ()  # a shard whose process failed and was written here instead: what happened


@dataclass(frozen=True)
class Shard:
    """A contiguous run of the sorted students and the folder its process writes its parts to."""

    number: int
    of: int
    results: StoredResults  # sorted by student
    folder: Path  # rows.html (index rows), checks.csv (rows, no header), tally.json + percents/points .bin

    def describe(self) -> str:
        names = self.results.students
        return f"report shard {self.number + 1} of {self.of} (students {names[0]} to {names[-1]})"


def write_reports(out: Path, assignment: Assignment, results: Iterable[StudentResult], run: RunInfo,
                  jobs: int = 1, shard_min: int = SHARD_MIN) -> Reports:
    """Student pages, index.html and checks.csv under `out`, each result read once, in student order.

    With `jobs` >= 2 (the run's processes), stored results of at least 2 x `shard_min` students and
    no other thread running here (`may_fork`), the sorted students are cut into up to `jobs` contiguous shards. This process writes the first;
    forked processes (trusted grader code reading our own result files; no student code) write the
    others' pages and their parts of checks.csv and of the index table. Each hands back its class
    figures as plain counts (Tally.part: JSON and float64 arrays in files), merged in student order,
    so every file is byte for byte what one process writes. A shard whose process dies or fails is
    written by this process instead, and `Reports.notes` (and stderr) say so.
    """
    processes = min(jobs, len(results) // max(1, shard_min)) if isinstance(results, StoredResults) else 1
    if processes < 2 or not may_fork():
        with ChecksFile(out) as checks:
            written = write_html(out, assignment, results, run, also=checks.add)
        return Reports(written.index, checks.path, written.students, 1)
    assert isinstance(results, StoredResults)
    return _sharded(out, assignment, results.in_order(), run, processes)


def may_fork() -> bool:
    """Shards fork only while this process runs no other Python thread, as grading processes do
    (grader.executors.start_method): no lock can then be held mid-update by a thread the child lacks.
    `grade` has none left by the report stage; a program embedding the grader may (one process then)."""
    return threading.active_count() == 1


def _sharded(out: Path, assignment: Assignment, results: StoredResults, run: RunInfo, processes: int) -> Reports:
    templates = Templates.load()  # compiled once, here: the forked processes inherit them
    (out / "students").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".report-shards-") as tmp:
        n = len(results)
        bounds = [n * i // processes for i in range(processes + 1)]
        shards = [Shard(i, processes, results[bounds[i]:bounds[i + 1]], Path(tmp, str(i))) for i in range(processes)]
        workers: dict[int, int | str] = {}  # shard number: its process id, or why none started
        notes: list[str] = []
        try:
            for shard in shards[1:]:
                shard.folder.mkdir()
                workers[shard.number] = _fork(shard, out, assignment, run, templates)
            tally = Tally(assignment)
            shards[0].folder.mkdir()
            _write_shard(shards[0], out, assignment, run, templates, tally)
            for shard in shards[1:]:
                started = workers[shard.number]
                ended = started if isinstance(started, str) else os.waitpid(started, 0)
                del workers[shard.number]  # reaped: nothing to stop
                why = _collect(shard, ended, tally)
                if why is not None:
                    note = (f"{shard.describe()}: {why}; the main process wrote it instead, so the reports are "
                            "complete. A grader fault, not the students'; please report it if it recurs")
                    print(f"grade: warning: {terminal(note)}", file=sys.stderr)  # may name students
                    notes.append(note)
                    _write_shard(shard, out, assignment, run, templates, tally)  # after the shards before it
        finally:
            for pid in workers.values():  # only when this process failed: stop the rest
                if isinstance(pid, int):
                    with suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
        pages = PageNames()
        for student in results.students:
            pages.add(page_name(student))
        remove_stale(out / "students", pages)
        write_index(out, assignment, run, templates, tally, _rows(shards))
        with atomic_writer(out / "checks.csv") as handle:
            CheckRows(handle)  # the header
            for shard in shards:
                with (shard.folder / "checks.csv").open(encoding="utf-8", newline="") as part:
                    shutil.copyfileobj(part, handle, 1 << 20)
    return Reports(out / "index.html", out / "checks.csv", tally.students, processes, tuple(notes))


def _write_shard(shard: Shard, out: Path, assignment: Assignment, run: RunInfo, templates: Templates,
                 tally: Tally) -> None:
    """The shard's student pages, and its index rows and checks.csv rows to its folder (from scratch)."""
    with (shard.folder / "rows.html").open("w", encoding="utf-8", newline="") as rows, \
            (shard.folder / "checks.csv").open("w", encoding="utf-8", newline="") as checks:
        write_students(out, assignment, shard.results, run, templates, tally, rows, CheckRows(checks, False).add)


def _fork(shard: Shard, out: Path, assignment: Assignment, run: RunInfo, templates: Templates) -> int | str:
    """Start the shard's process: its id, or why it could not start."""
    try:
        pid = os.fork()
    except OSError as exc:
        return f"its process could not start ({exc})"
    if pid:
        return pid
    code = 1  # the child: write the shard, hand back the counts, never return into the caller's code
    try:
        tally = Tally(assignment, log_points=True)
        _write_shard(shard, out, assignment, run, templates, tally)
        _save_part(shard.folder, tally.part())
        code = 0
    except BaseException:  # noqa: BLE001 - anything at all: the parent reads it and writes the shard itself
        with suppress(BaseException):
            (shard.folder / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
    finally:
        os._exit(code)  # no atexit handlers, no flushing the parent's buffers, no temp folder clean-up


def _collect(shard: Shard, worker: tuple[int, int] | str, tally: Tally) -> str | None:
    """Merge the counts of the shard's process (its id and wait status) into `tally`; why it failed, or None."""
    if isinstance(worker, str):
        return worker
    pid, status = worker
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"its process {pid} was killed by signal {number} ({signal.Signals(number).name})"
    if os.waitstatus_to_exitcode(status) != 0:
        try:
            error = (shard.folder / "error.txt").read_text(encoding="utf-8").strip().splitlines()[-1]
        except (OSError, IndexError):
            error = "no error recorded"
        return f"its process {pid} failed (exit status {os.waitstatus_to_exitcode(status)}: {error})"
    try:
        part = _load_part(shard.folder)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"its process {pid} left figures that cannot be read ({type(exc).__name__}: {exc})"
    if len(part.bins) != len(tally.bins):
        return f"its process {pid} left {len(part.bins)} histogram bins, not {len(tally.bins)}"
    tally.merge(part)
    return None


def _save_part(folder: Path, part: TallyPart) -> None:
    """The counts as JSON, the percents and points as float64 arrays; tally.json last, whole or absent."""
    with (folder / "percents.bin").open("wb") as handle:
        part.percents.tofile(handle)
    with (folder / "points.bin").open("wb") as handle:
        part.points.tofile(handle)
    fields = {k: getattr(part, k) for k in ("students", "ran", "timeouts", "late", "statuses", "bins", "counts",
                                            "keys")}
    with atomic_writer(folder / "tally.json", durable=False) as handle:
        json.dump(fields, handle)


def _load_part(folder: Path) -> TallyPart:
    fields = json.loads((folder / "tally.json").read_text(encoding="utf-8"))
    percents, points = array("d"), array("d")
    percents.frombytes((folder / "percents.bin").read_bytes())
    points.frombytes((folder / "points.bin").read_bytes())
    part = TallyPart(**fields, percents=percents, points=points)
    if len(percents) != part.students or len(points) % 2:
        raise ValueError(f"{len(percents)} percents for {part.students} students, {len(points)} point values")
    return part


def _rows(shards: list[Shard]) -> Iterator[Markup]:
    """Every shard's index rows in student order, a block at a time, each file opened when reached."""
    for shard in shards:
        with (shard.folder / "rows.html").open(encoding="utf-8", newline="") as rows:
            yield from chunks(rows)
