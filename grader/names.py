"""Student names: the parts of a Canvas bulk-download file name, and a file-system-safe name per student."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CanvasName", "parse_canvas_name", "safe_name"]

_CANVAS = re.compile(r"(?P<login>.+?)_(?:(?P<late>late)_)?(?P<user>\d+)_(?P<sub>\d+)_(?P<original>.+)", re.I | re.S)
_PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_LOOKS_HASHED = re.compile(r".*-[0-9a-f]{10}", re.S)
_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.I | re.S)


@dataclass(frozen=True)
class CanvasName:
    """The parts of a Canvas bulk-download file name."""

    login: str
    late: bool
    user_id: int
    submission_id: int
    original: str


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
