"""Find one submission per student in a folder (or an LMS .zip) of student folders and files."""
from __future__ import annotations

import hashlib
import re
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from grader.model import Submission

__all__ = ["DiscoveryError", "discover", "parse_canvas_name", "safe_name", "unpack_zip"]

CODE_SUFFIXES = (".py", ".ipynb")
IGNORED = frozenset({"__pycache__", ".ipynb_checkpoints", "__MACOSX"})
_CANVAS = re.compile(r"(?P<login>.+?)_(?:(?P<late>late)_)?(?P<user>\d+)_(?P<sub>\d+)_(?P<original>.+)", re.I | re.S)
_PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_LOOKS_HASHED = re.compile(r".*-[0-9a-f]{10}", re.S)
_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.I | re.S)
MAX_UNZIP_BYTES = 1 << 30
MAX_UNZIP_FILES = 20_000


class DiscoveryError(Exception):
    """The submissions cannot be read at all (missing folder, bad or unsafe zip); the CLI exits 2."""


@dataclass(frozen=True)
class CanvasName:
    """The parts of a Canvas bulk-download file name."""

    login: str
    late: bool
    user_id: int
    submission_id: int
    original: str


@dataclass(frozen=True)
class _Candidate:
    """A code file that may be a student's submission."""

    path: Path
    shown: str  # relative to the submissions folder, for messages
    original: str  # the name the student gave the file (Canvas prefix removed)
    submission_id: int  # Canvas submission id, -1 when the name is not a Canvas name
    late: bool


def parse_canvas_name(name: str) -> CanvasName | None:
    """`login[_LATE]_userid_submissionid_original` (LATE in any case) or None for other names.

    The login is everything before the FIRST `_<digits>_<digits>_` group, so logins may hold
    underscores (`mary_jane_123_456_hw03.ipynb`) and original names may hold digits.
    """
    match = _CANVAS.fullmatch(name)
    if match is None:
        return None
    return CanvasName(match["login"], match["late"] is not None, int(match["user"]), int(match["sub"]),
                      match["original"])


def safe_name(student: str) -> str:
    """A file-system-safe name, unique per student id (also on case-insensitive file systems).

    Plain lower-case ids (`[a-z0-9][a-z0-9._-]*`, at most 64 characters) are kept as they are;
    every other id becomes an ASCII slug plus `-` and 10 hex digits of its SHA-256, a form no
    plain id can take. The result never holds a path separator, never starts with a dot.
    """
    if (_PLAIN.fullmatch(student) and not student.endswith(".")
            and not _LOOKS_HASHED.fullmatch(student) and not _RESERVED.fullmatch(student)):
        return student
    ascii_name = unicodedata.normalize("NFKD", student).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._-")[:40].rstrip("._-")
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug or 'student'}-{digest}"


def discover(root: str | Path, assignment_id: str, *, unpack_dir: str | Path | None = None) -> list[Submission]:
    """One Submission per student, sorted by student id; see the module's rules below.

    `root` is a folder, or a .zip unpacked into `unpack_dir` (a new temporary folder when None;
    a zip holding a single top-level folder is read from inside that folder). Each top-level
    entry is a student folder (its top-level .py/.ipynb files, or those one level down when
    the top has none), a flat `<student>.py`/`.ipynb`, or a Canvas-named file. Raises
    DiscoveryError when `root` cannot be read.
    """
    folder = _submissions_folder(Path(root), unpack_dir)
    candidates: dict[str, list[_Candidate]] = {}
    held: dict[str, list[str]] = {}
    for entry in _entries(folder):
        if entry.is_dir():
            found, others = _folder_candidates(entry, folder)
            candidates.setdefault(entry.name, []).extend(found)
            held.setdefault(entry.name, []).extend(others)
        elif entry.is_file():
            canvas = parse_canvas_name(entry.name)
            if entry.suffix.lower() in CODE_SUFFIXES:
                student = canvas.login if canvas else entry.stem
                candidates.setdefault(student, []).append(_candidate(entry, folder, canvas))
            elif canvas is not None:  # a Canvas upload of another type: say so rather than skip it
                candidates.setdefault(canvas.login, [])
                held.setdefault(canvas.login, []).append(entry.name)
    return [_choose(student, found, held.get(student, []), assignment_id)
            for student, found in sorted(candidates.items())]


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
    unpacked = unpack_zip(root, dest)
    entries = _entries(unpacked)
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else unpacked


def _entries(folder: Path) -> list[Path]:
    """Visible entries of `folder`, sorted by name; DiscoveryError when it cannot be listed."""
    try:
        return sorted((p for p in folder.iterdir() if not _ignored(p.name)), key=lambda p: p.name)
    except OSError as err:
        raise DiscoveryError(f"cannot list {folder} ({err.strerror or err}): check its permissions") from None


def _ignored(name: str) -> bool:
    """Hidden files, caches and macOS zip debris."""
    return name.startswith(".") or name in IGNORED


def _candidate(path: Path, root: Path, canvas: CanvasName | None = None) -> _Candidate:
    """A code file as a candidate; Canvas-named files carry their submission id and late flag."""
    canvas = canvas or parse_canvas_name(path.name)
    return _Candidate(path=path, shown=path.relative_to(root).as_posix(),
                      original=canvas.original if canvas else path.name,
                      submission_id=canvas.submission_id if canvas else -1,
                      late=canvas.late if canvas else False)


def _folder_candidates(folder: Path, root: Path) -> tuple[list[_Candidate], list[str]]:
    """Code files at the top of a student folder, else one level down; plus what else it held."""
    try:
        top = _entries(folder)
        code = [p for p in top if p.is_file() and p.suffix.lower() in CODE_SUFFIXES]
        if not code:
            code = [p for sub in top if sub.is_dir() for p in _entries(sub)
                    if p.is_file() and p.suffix.lower() in CODE_SUFFIXES]
        others = [p.relative_to(root).as_posix() + ("/" if p.is_dir() else "") for p in top]
    except DiscoveryError as err:
        return [], [f"(unreadable: {err})"]
    return [_candidate(p, root) for p in code], others


def _choose(student: str, found: list[_Candidate], held: list[str], assignment_id: str) -> Submission:
    """The student's one file, or a Submission with status "ambiguous" / "no_submission"."""
    if not found:
        what = ", ".join(held[:10]) + (f" and {len(held) - 10} more" if len(held) > 10 else "") or "nothing"
        return Submission(student, None, status="no_submission",
                          problem=f"no .py or .ipynb file found (held: {what}); only .py and .ipynb files are"
                                  " graded: unzip or convert the submission and put it in place")
    if len(found) == 1:
        return Submission(student, str(found[0].path), late=found[0].late)
    named = [(c, n) for c in found if (n := _resubmission(c.original, assignment_id)) is not None]
    if named:
        newest = max(c.submission_id for c, _ in named)
        group = [(c, n) for c, n in named if c.submission_id == newest]
        best = max(n for _, n in group)
        winners = [c for c, n in group if n == best]
        same_kind = len({c.path.suffix.lower() for c, _ in group}) == 1
        if len(group) == 1 or (same_kind and len(winners) == 1):
            return Submission(student, str(winners[0].path), late=winners[0].late)
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


def unpack_zip(zip_path: str | Path, dest_dir: str | Path, *, max_bytes: int = MAX_UNZIP_BYTES,
               max_files: int = MAX_UNZIP_FILES) -> Path:
    """Extract an LMS .zip into `dest_dir` (created if needed) and return it.

    Every entry is checked before anything is written: absolute paths, drive letters, `..`
    components, symlinks, encrypted entries, more than `max_files` files or more than
    `max_bytes` declared bytes reject the whole archive. The bytes actually inflated are
    counted too (headers can lie); on any failure the files written so far are removed.
    `__MACOSX/` debris is not extracted. Raises DiscoveryError.
    """
    zip_path, dest = Path(zip_path), Path(dest_dir)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as err:
        raise DiscoveryError(f"{zip_path} is not a readable .zip archive ({err}): download it again from the"
                             " LMS, or unpack it yourself and pass the folder") from None
    with archive:
        members = _checked_members(archive, zip_path, max_bytes, max_files)
        dest.mkdir(parents=True, exist_ok=True)
        base = dest.resolve()
        written: list[Path] = []
        try:
            total = 0
            for info, parts in members:
                target = base.joinpath(*parts)
                if not target.resolve().is_relative_to(base) or target.is_symlink():
                    raise DiscoveryError(f"refusing to unpack {zip_path}: {info.filename!r} would be written"
                                         f" outside {dest} (through a link already there)")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as out:
                    written.append(target)
                    while chunk := source.read(1 << 20):
                        total += len(chunk)
                        if total > max_bytes:
                            raise DiscoveryError(f"refusing to unpack {zip_path}: it inflates to more than"
                                                 f" {max_bytes} bytes (a zip bomb or mislabelled sizes)")
                        out.write(chunk)
        except (DiscoveryError, OSError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as err:
            for path in written:
                path.unlink(missing_ok=True)
            if isinstance(err, DiscoveryError):
                raise
            raise DiscoveryError(f"could not unpack {zip_path} into {dest} ({err}): unpack it yourself and"
                                 " pass the folder") from None
    return dest


def _checked_members(archive: zipfile.ZipFile, zip_path: Path, max_bytes: int,
                     max_files: int) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """(entry, path parts) to extract, after checking the whole archive; DiscoveryError if unsafe."""
    members: list[tuple[zipfile.ZipInfo, list[str]]] = []
    files = declared = 0
    for info in archive.infolist():
        name = info.filename
        parts = [p for p in re.split(r"[\\/]+", name) if p not in ("", ".")]
        if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts or "\0" in name:
            raise DiscoveryError(f"refusing to unpack {zip_path}: entry {name!r} points outside the destination"
                                 " (absolute path or `..`); the archive is damaged or malicious")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DiscoveryError(f"refusing to unpack {zip_path}: entry {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise DiscoveryError(f"cannot unpack {zip_path}: entry {name!r} is password-protected")
        if not info.is_dir():
            files += 1
            declared += info.file_size
        if files > max_files or declared > max_bytes:
            raise DiscoveryError(f"refusing to unpack {zip_path}: more than {max_files} files or {max_bytes}"
                                 " bytes; unpack it yourself if it is genuine, or raise the limit")
        if parts and parts[0] != "__MACOSX":
            members.append((info, parts))
    return members
