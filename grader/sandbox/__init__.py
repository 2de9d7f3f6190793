"""Runs untrusted student code in forked, resource-limited processes and returns plain data."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.sandbox.records import Limits, RunReport
    from grader.sandbox.runner import Sandbox, SandboxError

__all__ = ["Limits", "RunReport", "Sandbox", "SandboxError"]


def __getattr__(name: str) -> Any:
    """Lazy exports: the fork server imports grader.sandbox.child without the grader side."""
    if name in ("Limits", "RunReport"):
        from grader.sandbox import records

        return getattr(records, name)
    if name in ("Sandbox", "SandboxError"):
        from grader.sandbox import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")
