"""Resume: what a stored result depends on (submission bytes, assignment, seed, grader) and when it is reused."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from grader.safefs import Refused, digest_into

__all__ = ["GRADER_ROOT", "grader_fingerprint", "package_fingerprint", "result_key", "reusable"]

GRADER_ROOT = Path(__file__).resolve().parent


class Stored(Protocol):
    """What `reusable` reads of a stored result (a StudentResult or a store.ResultSummary)."""

    @property
    def student(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def fault(self) -> str: ...


def grader_fingerprint() -> str:
    """Hash of the grader's own source: a changed grader invalidates cached results."""
    digest = hashlib.sha256()
    for f in sorted(GRADER_ROOT.rglob("*.py")):
        digest.update(str(f.relative_to(GRADER_ROOT)).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def package_fingerprint() -> str:
    """Hash of every file of the grader package (code, templates, scripts): what the reports look like."""
    digest = hashlib.sha256()
    for f in sorted(GRADER_ROOT.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            digest.update(str(f.relative_to(GRADER_ROOT)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def result_key(submission: Path | None, assignment_fingerprint: str, seed: int, grader: str, *,
               within: Path | None = None) -> str:
    """What a result depends on: the submission's bytes, the assignment, the seed, the grader.

    The bytes are read as the loader reads them (grader.safefs: no link below `within`, a regular file
    within the size limit) and hashed a chunk at a time; a file that is refused is keyed by why.
    """
    digest = hashlib.sha256(f"{assignment_fingerprint}:{seed}:{grader}:".encode())
    if submission is not None:
        content = hashlib.sha256()
        try:
            digest_into(content, submission, within)
        except Refused as refused:
            content = hashlib.sha256(f"unreadable:{refused.message}".encode())
        digest.update(content.digest())
    return digest.hexdigest()[:24]


def reusable(stored: Stored, student: str, key: str) -> bool:
    """Whether a stored result stands for `student` at `key`: same student and key, and not the grader's
    fault (a `grader_error` or fault="grader" result is always regraded, so a grader bug never sticks;
    a result that is the student's own fault is reused like a clean one)."""
    return (stored.key == key and stored.student == student and stored.fault != "grader"
            and stored.status != "grader_error")
