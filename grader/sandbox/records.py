"""Plain records of the sandbox: a run's Limits and RunReport, and the child's records checked into outcomes."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from grader import codec
from grader.caps import ValueBudget  # noqa: F401 - the session's, imported from here with the other records
from grader.model import CallOutcome
from grader.safetext import encodable

LoadStatus = Literal["ok", "syntax_error", "load_error", "timeout", "crashed"]
RESULT_STATUSES = frozenset({"returned", "raised", "missing", "not_run"})
LOAD_STATUSES = frozenset({"ok", "syntax_error", "load_error"})


@dataclass(frozen=True)
class Limits:
    """What one student's run may use. `memory_mb` caps the whole address space (RLIMIT_AS),
    including the ~100 MB that Python and numpy take before the student's code starts."""

    timeout: float = 10.0  # seconds per call (between two frames)
    memory_mb: int = 1024
    output_bytes: int = 32 * 1024  # stdout and stderr kept per run, each
    load_timeout: float | None = None  # seconds to load the program; None = `timeout`
    processes: int = 64  # processes and threads of the student at once (RLIMIT_NPROC; see SECURITY.md)
    budget: float | None = None  # wall seconds for loading and all calls together (None: budget.default_budget)

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.memory_mb <= 0 or self.output_bytes < 0 or self.processes <= 0:
            raise ValueError(f"limits must be positive: {self}")
        if self.load_timeout is not None and self.load_timeout <= 0:
            raise ValueError(f"load_timeout must be positive: {self}")
        if self.budget is not None and not self.budget > 0:  # math.inf: no budget
            raise ValueError(f"budget must be positive: {self}")

    @property
    def loading(self) -> float:
        return self.timeout if self.load_timeout is None else self.load_timeout


@dataclass(frozen=True)
class RunReport:
    """Everything one run produced, as plain data; `outcomes` is aligned with the cases."""

    load_status: LoadStatus
    load_message: str
    load_warnings: tuple[str, ...]
    outcomes: tuple[CallOutcome, ...]
    stdout: str
    stderr: str
    restarts: int
    seconds: float = 0.0


def load_of(frame: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """(status, message, warnings) of the child's "load" record; ValueError when it is not one."""
    if (frame.get("type") != "load" or frame.get("status") not in LOAD_STATUSES
            or type(frame.get("message")) is not str):
        raise ValueError("a bad load report")
    return frame["status"], clip(frame["message"], 8000), texts(frame, "warnings")


def outcome_of(frame: dict[str, Any], index: int) -> CallOutcome:
    """The CallOutcome of the child's "result" record for call `index`; ValueError when it is not one
    (a field missing or of the wrong type, or a value that does not decode)."""
    seconds: Any = frame.get("seconds")
    status = frame.get("status")
    ok = (frame.get("type") == "result" and frame.get("index") == index and status in RESULT_STATUSES
          and type(frame.get("error")) is str and type(frame.get("traceback")) is str and "value" in frame
          and type(seconds) in (int, float) and math.isfinite(seconds) and seconds >= 0)
    if not ok:
        raise ValueError("a bad result report")
    value = None
    if status == "returned":
        try:
            value = codec.decode_tree(frame["value"])
        except RecursionError as exc:
            raise ValueError(str(exc)) from None
    warnings, mutated, types = frame.get("warnings"), frame.get("mutated"), frame.get("error_types")
    return CallOutcome(status=status, value=value, error=clip(frame["error"], 4000),
                       error_types=texts(frame, "error_types") if types else (),
                       traceback=clip(frame["traceback"], 8000),
                       warnings=texts(frame, "warnings") if warnings else (),
                       mutated=texts(frame, "mutated") if mutated else (),
                       seconds=float(seconds))


_KINDS = ((b"[", "list"), (b'{"$":"nd"', "numpy.ndarray"), (b'{"$":"tuple"', "tuple"), (b'{"$":"dict"', "dict"),
          (b'"', "str"))


def not_kept(record: bytes, why: str) -> CallOutcome:
    """The outcome of a result record too large to keep (see grader.caps.ValueBudget): a returned value
    that is only a marker, named after the kind of value the record seems to hold (never parsed)."""
    at = record.rfind(b'"value":')
    head = record[at + 8:at + 40].replace(b" ", b"") if at >= 0 else b""
    kind = next((name for start, name in _KINDS if head.startswith(start)), "value")
    text = f"not kept: {why}; return only what the function's contract asks for"
    return CallOutcome(status="returned", value=codec.Unsupported(kind, text), error=f"the result was {text}")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit`, writable as UTF-8 (a student's lone surrogate is shown as its escape)."""
    return encodable(text if len(text) <= limit else text[: limit - 30] + f"... [{len(text) - limit + 30} more]")


def texts(frame: dict[str, Any], key: str) -> tuple[str, ...]:
    """The frame's list of strings, each clipped, at most 60; a marker when it is not a list of strings."""
    items = frame.get(key)
    if type(items) is not list or any(type(t) is not str for t in items):
        return ("<malformed list from the student process>",)
    return tuple(clip(t, 500) for t in items[:60])
