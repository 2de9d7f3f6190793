"""Per-student result files under DIR/results/, written atomically; the cache behind resume."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from grader.model import Check, StudentResult

GRADER_ROOT = Path(__file__).resolve().parent


def grader_fingerprint() -> str:
    """Hash of the grader's own source: a changed grader invalidates cached results."""
    digest = hashlib.sha256()
    for f in sorted(GRADER_ROOT.rglob("*.py")):
        digest.update(str(f.relative_to(GRADER_ROOT)).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def result_key(submission: Path | None, assignment_fingerprint: str, seed: int, grader: str) -> str:
    """What a result depends on: the submission's bytes, the assignment, the seed, the grader."""
    digest = hashlib.sha256(f"{assignment_fingerprint}:{seed}:{grader}:".encode())
    if submission is not None:
        try:
            digest.update(submission.read_bytes())
        except OSError as exc:
            digest.update(f"unreadable:{exc}".encode())
    return digest.hexdigest()[:24]


def atomic_write(path: Path, text: str) -> None:
    """Write to a temp file beside `path`, fsync, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(result: StudentResult) -> str:
    return json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=1)


def from_json(text: str) -> StudentResult:
    data: dict[str, Any] = json.loads(text)
    data["checks"] = tuple(Check(**c) for c in data.get("checks", ()))
    data["load_warnings"] = tuple(data.get("load_warnings", ()))
    return StudentResult(**data)


class ResultStore:
    """DIR/results/<safe student name>.json, one file per student."""

    def __init__(self, out: Path, safe_name: Any) -> None:
        self.folder = out / "results"
        self._safe_name = safe_name

    def path(self, student: str) -> Path:
        return self.folder / f"{self._safe_name(student)}.json"

    def load(self, student: str, key: str) -> StudentResult | None:
        """The stored result when its key matches; None when absent, stale or unreadable."""
        try:
            result = from_json(self.path(student).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return result if result.key == key and result.student == student else None

    def save(self, result: StudentResult) -> Path:
        path = self.path(result.student)
        atomic_write(path, to_json(result))
        return path
