"""Plain records of the sandbox: the Limits of one run and the RunReport it produces."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grader.model import CallOutcome

LoadStatus = Literal["ok", "syntax_error", "load_error", "timeout", "crashed"]


@dataclass(frozen=True)
class Limits:
    """What one student's run may use. `memory_mb` caps the whole address space (RLIMIT_AS),
    including the ~100 MB that Python and numpy take before the student's code starts."""

    timeout: float = 10.0  # seconds per call (between two frames)
    memory_mb: int = 1024
    output_bytes: int = 32 * 1024  # stdout and stderr kept per run, each
    load_timeout: float | None = None  # seconds to load the program; None = `timeout`
    processes: int = 64  # processes and threads of the student at once (RLIMIT_NPROC; see SECURITY.md)

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.memory_mb <= 0 or self.output_bytes < 0 or self.processes <= 0:
            raise ValueError(f"limits must be positive: {self}")
        if self.load_timeout is not None and self.load_timeout <= 0:
            raise ValueError(f"load_timeout must be positive: {self}")

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
