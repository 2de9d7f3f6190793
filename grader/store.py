"""Per-student result files under DIR/results/, written atomically; the cache behind resume."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, overload

from grader.keys import grader_fingerprint, package_fingerprint, result_key, reusable
from grader.model import Check, StudentResult

__all__ = ["Encoded", "ReportsState", "ResultStore", "ResultSummary", "StoredResults", "atomic_write",
           "atomic_writer", "from_json", "grader_fingerprint", "result_key", "reusable", "summarise", "summary_from_head",
           "summary_of", "to_json"]  # the resume keys and `reusable` live in grader.keys; imported from here too

_RESULT_FIELDS = tuple(f.name for f in dataclasses.fields(StudentResult) if f.name != "checks")
_CHECK_FIELDS = tuple(f.name for f in dataclasses.fields(Check))
_CHECKS_LINE = '"checks": ['
REPORTS_STATE = ".reports-state.json"  # DIR/: what the reports were last written from
REPORT_FILES = ("grades.csv", "checks.csv", "index.html")


def _process_umask() -> int:
    """The umask, read once at import (setting it back at once: import runs before any thread)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _process_umask()


def atomic_write(path: Path, text: str, *, durable: bool = True) -> None:
    """Write to a temp file beside `path`, fsync, then rename: readers never see half a file.

    `durable=False` skips the fsync (for files rebuilt from the results on the next run anyway:
    the student pages); the rename still makes the file appear whole or not at all.
    """
    with atomic_writer(path, durable=durable) as handle:
        handle.write(text)


class atomic_writer:  # noqa: N801 - used like open()
    """`with atomic_writer(path) as f:` streams text to a temp file, renamed over `path` on success."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = path
        self.durable = durable
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, 0o666 & ~UMASK)  # mkstemp makes 0600; the output follows the umask, as open() would
        self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def __enter__(self) -> Any:
        return self.handle

    def __exit__(self, kind: object, *rest: object) -> None:
        try:
            if kind is None:
                self.handle.flush()
                if self.durable:
                    os.fsync(self.handle.fileno())
            self.handle.close()
            if kind is None:
                os.replace(self.tmp, self.path)
        finally:
            Path(self.tmp).unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class ResultSummary:
    """What the run keeps in memory per student (never the checks): the grades.csv row and counts.

    About 0.5 KB each (slots, shared strings): 10,000 students add about 5 MB to the run."""

    student: str
    status: str
    late: bool
    seed: int
    parts: dict[str, float]
    total: float
    max_total: float
    fault: str
    key: str
    seconds: float
    timed_out: bool  # loading or at least one call ran past the timeout
    isolation: str = ""  # as StudentResult.isolation

    @property
    def percent(self) -> float:
        return 100.0 * self.total / self.max_total if self.max_total else 0.0


def summarise(result: StudentResult) -> ResultSummary:
    return ResultSummary(result.student, result.status, result.late, result.seed, dict(result.parts),
                         result.total, result.max_total, result.fault, result.key, result.seconds,
                         result.status == "timeout" or any(c.outcome == "timeout" for c in result.checks),
                         result.isolation)


@dataclass(frozen=True)
class Encoded:
    """A result already written as `to_json` text (by a grading process or a Dask worker), with its
    summary read from the first line: the run stores the text as it is, without parsing the checks."""

    text: str
    summary: ResultSummary

    @classmethod
    def of(cls, text: str) -> Encoded:
        """ValueError (or KeyError/TypeError) when `text` is not a result made by `to_json`."""
        head, newline, _rest = text.partition("\n")
        if not newline or not text.endswith("]}\n"):
            raise ValueError("not a whole result")
        return cls(text, summary_from_head(head + "\n"))


_dump = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every record (json.dumps makes one per call)


def to_json(result: StudentResult) -> str:
    """The result as JSON: line 1 holds every field but the checks, then one check per line."""
    head = {name: getattr(result, name) for name in _RESULT_FIELDS}
    head["timed_out"] = summarise(result).timed_out
    checks = ",\n".join([_dump(c.__dict__) for c in result.checks])
    return f"{_dump(head)[:-1]},\n{_CHECKS_LINE}\n{checks}\n]}}\n"


def summary_of(result: StudentResult | Encoded) -> ResultSummary:
    return result.summary if isinstance(result, Encoded) else summarise(result)


def _check(fields: dict[str, Any]) -> Check:
    """Check(**fields), without the frozen dataclass's per-field __setattr__, for a record with
    every field in order (what to_json writes); anything else goes through Check(**fields)."""
    if tuple(fields) != _CHECK_FIELDS:
        return Check(**fields)
    check = object.__new__(Check)
    check.__dict__.update(fields)
    return check


def from_json(text: str) -> StudentResult:
    data: dict[str, Any] = json.loads(text)
    data.pop("timed_out", None)
    data["checks"] = tuple([_check(c) for c in data.get("checks", ())])
    data["load_warnings"] = tuple(data.get("load_warnings", ()))
    return StudentResult(**data)


def summary_from_head(line: str) -> ResultSummary:
    """The summary from a result file's first line alone (see `to_json`); ValueError otherwise."""
    if not line.endswith(",\n"):
        raise ValueError("not a result file head")
    data = json.loads(line[:-2] + "}")
    for name in ("status", "fault", "isolation"):  # a handful of distinct values: share them
        data[name] = sys.intern(data[name])
    data["parts"] = {sys.intern(part): points for part, points in data["parts"].items()}
    return ResultSummary(*(data[f.name] for f in dataclasses.fields(ResultSummary)))


class ResultStore:
    """DIR/results/<safe student name>.json, one file per student."""

    def __init__(self, out: Path, safe_name: Callable[[str], str]) -> None:
        self.folder = out / "results"
        self._safe_name = safe_name

    def path(self, student: str) -> Path:
        return self.folder / f"{self._safe_name(student)}.json"

    def load(self, student: str, key: str) -> StudentResult | None:
        """The stored result when it may be reused (see `reusable`); None when absent, stale, unreadable
        or the grader's fault."""
        try:
            result = self.read(student)
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return result if reusable(result, student, key) else None

    def load_summary(self, student: str, key: str) -> ResultSummary | None:
        """Like `load` but reads only the file's first line: resume never parses the checks."""
        try:
            with self.path(student).open(encoding="utf-8", newline="\n") as handle:
                summary = summary_from_head(handle.readline())
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return summary if reusable(summary, student, key) else None

    def read(self, student: str) -> StudentResult:
        """The stored result, whatever its key (OSError / ValueError when absent or corrupt)."""
        return from_json(self.path(student).read_text(encoding="utf-8"))

    def save(self, result: StudentResult | Encoded) -> Path:
        if isinstance(result, Encoded):
            path = self.path(result.summary.student)
            atomic_write(path, result.text)
        else:
            path = self.path(result.student)
            atomic_write(path, to_json(result))
        return path

    def view(self, students: Sequence[str]) -> StoredResults:
        return StoredResults(self, tuple(students))


class StoredResults(Sequence[StudentResult]):
    """The stored results of `students`, read from disk one at a time on access (memory stays flat)."""

    def __init__(self, store: ResultStore, students: tuple[str, ...]) -> None:
        self._store = store
        self.students = students

    def __len__(self) -> int:
        return len(self.students)

    @overload
    def __getitem__(self, index: int) -> StudentResult: ...

    @overload
    def __getitem__(self, index: slice) -> StoredResults: ...

    def __getitem__(self, index: int | slice) -> StudentResult | StoredResults:
        if isinstance(index, slice):
            return StoredResults(self._store, self.students[index])
        return self._store.read(self.students[index])

    def __iter__(self) -> Iterator[StudentResult]:
        return (self._store.read(s) for s in self.students)

    def in_order(self) -> StoredResults:
        """The same results sorted by student (itself when already in order); slices stay in order."""
        names = self.students
        return self if all(a <= b for a, b in pairwise(names)) else StoredResults(self._store, tuple(sorted(names)))

    def by_student(self) -> Iterator[StudentResult]:
        """The results sorted by student, read one at a time (no index is built when already in order)."""
        names = self.students
        if all(a <= b for a, b in pairwise(names)):
            return iter(self)
        return (self._store.read(names[i]) for i in sorted(range(len(names)), key=names.__getitem__))


class ReportsState:
    """Whether the reports in `out` were written from exactly these results by this grader.

    After the reporters ran, `mark()` records the students, their resume keys, the grader
    package and the size and time of each report file; `current()` is true while all still match,
    so a re-run where nothing changed need not read every result again to rewrite the same files.
    """

    def __init__(self, out: Path, summaries: Sequence[ResultSummary]) -> None:
        self.path = out / REPORTS_STATE
        self.out = out
        digest = hashlib.sha256(package_fingerprint().encode())
        in_order = all(a.student <= b.student for a, b in pairwise(summaries))  # the run's are: nothing is copied
        for s in summaries if in_order else sorted(summaries, key=lambda s: s.student):
            digest.update(f"\0{s.student}\0{s.key}".encode())
        self.digest = digest.hexdigest()

    def _files(self) -> dict[str, list[int]]:
        found = {}
        for name in REPORT_FILES:
            try:
                stat = (self.out / name).stat()
            except OSError:
                continue
            found[name] = [stat.st_size, stat.st_mtime_ns]
        return found

    def current(self) -> bool:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return state == {"digest": self.digest, "files": self._files()}

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)

    def mark(self) -> None:
        atomic_write(self.path, json.dumps({"digest": self.digest, "files": self._files()}))
