"""The self-check's data file: the public cases and their expected values, as codec JSON (never pickle).

This module is on the student side: it must not import the reference, the case generators or
anything that does. The grader writes the file (`grader.release`); the self-check reads it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import codec
from grader.expected import Expected
from grader.model import Case

FORMAT = "dl-autograder public cases v1"
FILENAME = "public.json"
MAX_BYTES = 64 * 2**20


class PublicDataError(ValueError):
    """The data file is missing, damaged or for another assignment; regenerate it with `grade release`."""


@dataclass(frozen=True)
class PublicData:
    """The public cases of one assignment, in grading order, each with the reference's expected outcome."""

    assignment: str
    cases: tuple[Case, ...]
    expected: tuple[Expected, ...]


def _case_data(case: Case, expected: Expected) -> dict[str, Any]:
    if not case.public:
        raise PublicDataError(f"case {case.name!r} of {case.function} is hidden; only public cases may be written")
    return {"function": case.function, "name": case.name, "kind": case.kind, "args": tuple(case.args),
            "kwargs": dict(case.kwargs), "weight": float(case.weight), "forbid_warnings": case.forbid_warnings,
            "note": case.note, "expected": {"value": expected.value, "raises": tuple(expected.raises),
                                            "error": expected.error}}


def encode_public(assignment: str, cases: Sequence[Case], expected: Sequence[Expected]) -> bytes:
    """The file's bytes; PublicDataError for a hidden case, WireError for a value the codec cannot carry."""
    items = [_case_data(c, e) for c, e in zip(cases, expected, strict=True)]
    return codec.encode({"format": FORMAT, "assignment": assignment, "cases": items}, strict=True,
                        max_bytes=MAX_BYTES) + b"\n"


def decode_public(data: bytes, source: str = FILENAME) -> PublicData:
    """Parse the file's bytes; PublicDataError saying what is wrong with it."""
    try:
        tree = codec.decode(data.rstrip(b"\n"), max_bytes=MAX_BYTES)
        if not isinstance(tree, dict) or tree.get("format") != FORMAT:
            raise PublicDataError(f"{source} is not a self-check data file of format {FORMAT!r}")
        cases, expected = [], []
        for item in tree["cases"]:
            exp = item["expected"]
            cases.append(Case(function=str(item["function"]), name=str(item["name"]), kind=item["kind"],
                              args=tuple(item["args"]), kwargs=dict(item["kwargs"]), weight=float(item["weight"]),
                              public=True, forbid_warnings=bool(item["forbid_warnings"]), note=str(item["note"])))
            expected.append(Expected(value=exp["value"], raises=tuple(exp["raises"]), error=str(exp["error"])))
        return PublicData(assignment=str(tree["assignment"]), cases=tuple(cases), expected=tuple(expected))
    except codec.WireError as exc:
        raise PublicDataError(f"{source} is damaged ({exc}); download the student bundle again") from None
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PublicDataError):
            raise
        raise PublicDataError(f"{source} is damaged (missing or invalid entry {exc}); "
                              "download the student bundle again") from None


def read_public(path: Path) -> PublicData:
    """Read and decode a data file; PublicDataError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PublicDataError(f"cannot read the self-check data {path} ({exc.strerror or exc}); it ships "
                              "beside the assignment definition in the student bundle") from None
    return decode_public(data, str(path))
