"""Find one submission per student in a folder (or an LMS .zip) of student folders and files."""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from grader.model import Submission
from grader.names import CanvasName, parse_canvas_name, safe_name
from grader.safefs import Entry, Refused, link_message, listing, refusal
from grader.safetext import encodable
from grader.unzip import ZipError, unpack_zip

__all__ = ["DiscoveryError", "Found", "discover", "find_submissions", "parse_canvas_name", "safe_name"]

CODE_SUFFIXES = (".py", ".ipynb")
IGNORED = frozenset({"__pycache__", ".ipynb_checkpoints", "__MACOSX"})


class DiscoveryError(Exception):
    """The submissions cannot be read at all (missing folder, bad or unsafe zip); the CLI exits 2."""


@dataclass(frozen=True)
class _Candidate:
    """A code file that may be a student's submission."""

    path: Path
    shown: str  # relative to the submissions folder, for messages
    original: str  # the name the student gave the file (Canvas prefix removed)
    submission_id: int  # Canvas submission id, -1 when the name is not a Canvas name
    late: bool
    refused: str = ""  # why it is not read (a link, a FIFO, hard links, too large); "" when it may be


def discover(root: str | Path, assignment_id: str, *, unpack_dir: str | Path | None = None) -> list[Submission]:
    """One Submission per student, sorted by student id; see the module's rules below.

    `root` is a folder, or a .zip unpacked into `unpack_dir` (a new temporary folder when None;
    a zip holding a single top-level folder is read from inside that folder). Each top-level
    entry is a student folder (its top-level .py/.ipynb files, or those one level down when
    the top has none), a flat `<student>.py`/`.ipynb`, or a Canvas-named file. Nothing below `root`
    is followed through a link: a link, FIFO, socket or device, a file with several names or over the
    size limit gives status "unreadable" naming it (grader.safefs). Raises DiscoveryError when `root`
    cannot be read. `find_submissions` gives the same one at a time.
    """
    return list(find_submissions(root, assignment_id, unpack_dir=unpack_dir).submissions)


@dataclass(frozen=True)
class Found:
    """The students of a submissions folder: how many, and their Submissions made one at a time."""

    count: int
    submissions: Iterator[Submission]  # sorted by student, one pass; each is made when reached


def find_submissions(root: str | Path, assignment_id: str, *, unpack_dir: str | Path | None = None,
                     not_student: str | Path | None = None) -> Found:
    """`discover` for large classes: the folder is listed now (DiscoveryError is raised here) keeping
    only entry names, and each student's Submission is made when the iterator reaches it (their
    folder read then), so memory holds a name per entry rather than a record per student.

    `not_student` is a folder under `root` that is no student's (the output folder): it is left out
    when no file in it would be graded (the student `grade` would find there has no path).
    """
    folder = _submissions_folder(Path(root), unpack_dir)
    groups = _listing(folder)
    target = _resolved(not_student) if not_student is not None else None
    if target is not None:  # the output folder, by its own name or through a link: `root/student` is it
        for student in [s for s in groups if s == target.name or os.path.islink(os.path.join(root, s))]:
            if (_resolved(Path(root) / student) == target
                    and _submission(folder, student, groups[student], assignment_id).path is None):
                del groups[student]
    return Found(len(groups), _submissions(folder, groups, assignment_id))


def _resolved(path: str | Path) -> Path | None:
    """`path` with links resolved; None for a link loop (never a student's folder, nor ours)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None


def _submissions(folder: Path, groups: dict[str, str | list[str]], assignment_id: str) -> Iterator[Submission]:
    """Each student's Submission in student order; a student's entry names are dropped once used."""
    for student in sorted(groups):
        found = _submission(folder, student, groups.pop(student), assignment_id)
        # a file name that is not UTF-8 (its bytes kept as surrogates by os.fsdecode) cannot be written into
        # the results: the id shows them escaped, as "bad\\xff"; the path still names the file
        yield found if encodable(student) == student else replace(found, student=encodable(student))


def _listing(folder: Path) -> dict[str, str | list[str]]:
    """Each student's visible top-level entry names, folders marked by a trailing "/" and anything that is
    neither a file nor a folder (a link, a FIFO...) by a trailing NUL (no name holds either).

    A student's lone entry is kept as a plain string (no list per student); DiscoveryError when
    `folder` cannot be listed. Files that are neither code nor Canvas-named belong to no one; a link or
    other special entry belongs to the student its name gives (its stem, its Canvas login, or itself),
    who is told it was not read.
    """
    groups: dict[str, str | list[str]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if _ignored(name):
                    continue
                kind = _kind(entry)
                student = name if kind == "dir" else _owner(name) if kind == "file" else _owner(name) or name
                if not student:
                    continue
                name += "/" if kind == "dir" else "\0" if kind == "" else ""
                held = groups.get(student)
                if held is None:
                    groups[student] = name
                elif isinstance(held, str):
                    groups[student] = [held, name]
                else:
                    held.append(name)
    except OSError as err:
        raise DiscoveryError(f"cannot list {folder} ({err.strerror or err}): check its permissions") from None
    return groups


def _kind(entry: os.DirEntry[str]) -> str:
    """"dir" or "file" as the entry itself is (a link is never followed), else "" (a link, a FIFO...)."""
    try:
        return "dir" if entry.is_dir(follow_symlinks=False) else "file" if entry.is_file(follow_symlinks=False) else ""
    except OSError:
        return ""


def _owner(name: str) -> str:
    """The student a top-level file belongs to: a code file's stem or Canvas login, a Canvas upload's
    login (whatever its type: the student is told it was not graded); "" for other files."""
    canvas = parse_canvas_name(name)
    if _suffix(name).lower() in CODE_SUFFIXES:
        return canvas.login if canvas else name[:-len(_suffix(name))]
    return canvas.login if canvas else ""


def _suffix(name: str) -> str:
    """The name's suffix as `Path(name).suffix` gives it: from the last dot, if not first or last."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _submission(folder: Path, student: str, names: str | list[str], assignment_id: str) -> Submission:
    """A student's Submission from their top-level entries (read in name order)."""
    found: list[_Candidate] = []
    held: list[str] = []
    skipped: list[str] = []  # links and special entries that could have held the submission
    for name in sorted([names] if isinstance(names, str) else names, key=lambda n: n.rstrip("/\0")):
        if name.endswith("/"):
            in_folder, others, passed = _folder_candidates(folder / name[:-1], folder)
            found.extend(in_folder)
            held.extend(others)
            skipped.extend(passed)
        elif name.endswith("\0") or _suffix(name).lower() in CODE_SUFFIXES:
            found.append(_candidate(folder / name.rstrip("\0"), folder, _lstat_refusal(folder, name.rstrip("\0"))))
        else:  # a Canvas upload of another type: say so rather than skip it
            held.append(name)
    return _choose(student, found, held, skipped, assignment_id, folder)


def _lstat_refusal(folder: Path, name: str) -> str:
    """Why the top-level entry `name` is not read (lstat: a link is never followed), "" when it may be."""
    try:
        return refusal(name, os.stat(folder / name, follow_symlinks=False))
    except OSError as err:
        return f"{name} could not be read ({err.strerror or err}): check that it exists and is readable"


def _submissions_folder(root: Path, unpack_dir: str | Path | None) -> Path:
    """The folder to read: `root` itself, or where its .zip was unpacked."""
    if root.is_dir():
        return root
    if not root.exists():
        raise DiscoveryError(f"submissions folder {root} does not exist: check the path (it should hold one"
                             " file or folder per student, or be the LMS's .zip download)")
    if not (root.is_file() and root.suffix.lower() == ".zip"):
        raise DiscoveryError(f"{root} is neither a folder nor a .zip archive: pass the folder that holds one"
                             " file or folder per student, or the LMS's .zip download")
    dest = Path(unpack_dir) if unpack_dir is not None else Path(tempfile.mkdtemp(prefix="grader-unzip-"))
    try:
        unpacked = unpack_zip(root, dest)
    except ZipError as err:
        raise DiscoveryError(str(err)) from None
    return _lone_folder(unpacked) or unpacked


def _lone_folder(folder: Path) -> Path | None:
    """The one visible entry of `folder` when it is a folder, else None (listed lazily: no list of all)."""
    lone: Path | None = None
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not _ignored(entry.name):
                    if lone is not None or _kind(entry) != "dir":
                        return None
                    lone = folder / entry.name
    except OSError as err:
        raise DiscoveryError(f"cannot list {folder} ({err.strerror or err}): check its permissions") from None
    return lone


def _ignored(name: str) -> bool:
    """Hidden files, caches and macOS zip debris."""
    return name.startswith(".") or name in IGNORED


def _candidate(path: Path, root: Path, refused: str = "") -> _Candidate:
    """A code file as a candidate; Canvas-named files carry their submission id and late flag."""
    canvas: CanvasName | None = parse_canvas_name(path.name)
    return _Candidate(path=path, shown=path.relative_to(root).as_posix(),
                      original=canvas.original if canvas else path.name,
                      submission_id=canvas.submission_id if canvas else -1,
                      late=canvas.late if canvas else False, refused=refused)


def _code(entries: list[Entry], folder: Path, root: Path) -> list[_Candidate]:
    """The entries that would be code (a .py/.ipynb name, not a folder), each with why it is refused, if it is."""
    return [_candidate(folder / e.name, root, refusal((folder / e.name).relative_to(root).as_posix(), e.status))
            for e in entries if e.kind != "folder" and _suffix(e.name).lower() in CODE_SUFFIXES]


def _folder_candidates(folder: Path, root: Path) -> tuple[list[_Candidate], list[str], list[str]]:
    """Code files at the top of a student folder, else one level down (never through a link); what else it
    held; and the links and special entries passed over (they could have held the code)."""
    try:
        top = [e for e in listing(root, folder) if not _ignored(e.name)]
        code = _code(top, folder, root)
        if not code:
            code = [c for e in top if e.kind == "folder"
                    for c in _code([s for s in listing(root, folder / e.name) if not _ignored(s.name)],
                                   folder / e.name, root)]
    except Refused as err:
        return [], [], [err.message]
    except OSError as err:
        return [], [f"(unreadable: cannot list {folder} ({err.strerror or err}): check its permissions)"], []
    others = [(folder / e.name).relative_to(root).as_posix() + ("/" if e.kind == "folder" else "") for e in top]
    skipped = [link_message(shown) if e.kind == "symbolic link" else f"{shown} is a {e.kind}, which is never read"
               for e in top if e.kind not in ("file", "folder")
               for shown in [(folder / e.name).relative_to(root).as_posix()]]
    return code, others, skipped


def _chosen(student: str, winner: _Candidate, root: Path) -> Submission:
    """The winner as the student's Submission, or status "unreadable" when it is a link, too large..."""
    if winner.refused:
        return Submission(student, None, late=winner.late, status="unreadable", problem=winner.refused)
    return Submission(student, str(winner.path), late=winner.late, root=str(root))


def _choose(student: str, found: list[_Candidate], held: list[str], skipped: list[str], assignment_id: str,
            root: Path) -> Submission:
    """The student's one file, or a Submission with status "ambiguous" / "no_submission" / "unreadable"."""
    if not found and skipped:  # nothing to grade but links (or a FIFO...): say so, never what they lead to
        return Submission(student, None, status="unreadable", problem="; ".join(skipped[:3]) + (
            f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""))
    if not found:
        what = ", ".join(held[:10]) + (f" and {len(held) - 10} more" if len(held) > 10 else "") or "nothing"
        return Submission(student, None, status="no_submission",
                          problem=f"no .py or .ipynb file found (held: {what}); only .py and .ipynb files are"
                                  " graded: unzip or convert the submission and put it in place")
    if len(found) == 1:
        return _chosen(student, found[0], root)
    named = [(c, n) for c in found if (n := _resubmission(c.original, assignment_id)) is not None]
    if named:
        newest = max(c.submission_id for c, _ in named)
        group = [(c, n) for c, n in named if c.submission_id == newest]
        best = max(n for _, n in group)
        winners = [c for c, n in group if n == best]
        same_kind = len({c.path.suffix.lower() for c, _ in group}) == 1
        if len(group) == 1 or (same_kind and len(winners) == 1):
            return _chosen(student, winners[0], root)
        files = ", ".join(c.shown for c, _ in group)
        return Submission(student, None, status="ambiguous",
                          problem=f"ambiguous: several files named {assignment_id}: {files}; keep only the one to grade")
    files = ", ".join(c.shown for c in found)
    return Submission(student, None, late=any(c.late for c in found), status="ambiguous",
                      problem=f"ambiguous: {len(found)} files and none is named {assignment_id}.py or"
                              f" {assignment_id}.ipynb: {files}; keep only the file to grade, or rename it"
                              f" {assignment_id}.py / {assignment_id}.ipynb")


def _resubmission(original: str, assignment_id: str) -> int | None:
    """0 for `hw03.py`, N for Canvas' `hw03-N.py` or a browser's `hw03 (N).py`; None if not named so."""
    stem = original.rsplit(".", 1)[0]
    match = re.fullmatch(re.escape(assignment_id) + r"(?:-(\d+)| ?\((\d+)\))?", stem, re.I)
    if match is None:
        return None
    return int(match[1] or match[2] or 0)
