"""Tests that need namespace isolation carry the `namespaces` marker; where the sandbox cannot use
namespaces here they are skipped, with the reason (tests/conftest.py applies it to the whole suite)."""
from __future__ import annotations

import functools

import pytest

from grader.sandbox.runner import SandboxError, probe_isolation

MARKER = "namespaces"
DESCRIPTION = (f"{MARKER}: needs namespace isolation; skipped, saying why, where the kernel or container "
               "refuses namespaces or GRADER_ISOLATION=process asks for process isolation")


@functools.cache
def namespaces_unavailable() -> str:
    """Why a `Sandbox()` here would not use namespaces ("" when it would), probed once (about 0.1 s).

    With GRADER_ISOLATION=namespaces on a machine without them this is "": nothing is skipped, and
    the tests fail as the grader would refuse to run.
    """
    try:
        isolation = probe_isolation()
    except SandboxError:
        return ""
    if isolation.level == "namespaces":
        return ""
    return f"needs namespace isolation, which is unavailable here: {isolation.detail}"


def skip_without_namespaces(items: list[pytest.Item]) -> None:
    """Mark the collected tests that carry the `namespaces` marker as skipped where it is unavailable
    (the probe runs only when such a test was collected)."""
    marked = [item for item in items if item.get_closest_marker(MARKER) is not None]
    if marked and namespaces_unavailable():
        skip = pytest.mark.skip(reason=namespaces_unavailable())
        for item in marked:
            item.add_marker(skip)
