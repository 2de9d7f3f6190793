"""Shared helpers for the sandbox tests: Program/Case builders and a module-wide Sandbox fixture."""
from __future__ import annotations

import os
import textwrap
import time
from typing import Any, Iterator

import pytest

from grader.model import Case, Cell, Program
from grader.sandbox import Limits, RunReport, Sandbox

LIMITS = Limits(timeout=1.5, memory_mb=512)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as box:
        yield box


def py(source: str, filename: str = "hw03.py") -> Program:
    return Program(cells=(Cell(textwrap.dedent(source), filename, filename),), kind="py")


def notebook(*sources: str, name: str = "hw03.ipynb") -> Program:
    cells = tuple(Cell(textwrap.dedent(s), f"{name} [cell {i}]", f"cell {i}")
                  for i, s in enumerate(sources, start=1))
    return Program(cells=cells, kind="ipynb")


def case(function: str, *args: Any, **kwargs: Any) -> Case:
    return Case(function=function, name=f"{function}-case", kind="edge", args=args, kwargs=kwargs)


def run(box: Sandbox, program: Program, *cases: Case, limits: Limits = LIMITS) -> RunReport:
    report = box.run(program, cases, limits)
    assert len(report.outcomes) == len(cases)
    return report


def process_gone(pid: int) -> bool:
    """True when pid no longer exists or is a zombie waiting for a reaper outside our control."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def group_gone(pgid: int) -> bool:
    """True when no live (non-zombie) process is in process group pgid."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                return False
    return True


# A student function reporting who it is: its pid, PID namespace and process group, as it sees them,
# and a token drawn once per process (PID namespace numbers are reused, so they are not identities).
IDENT = """
import os as _os
_TOKEN = _os.urandom(8).hex()
def ident(*_args):
    return [_os.getpid(), _os.readlink("/proc/self/ns/pid"), _os.getpgid(0), _TOKEN]
"""


def _stat_fields(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def boot_ticks() -> int:
    """Now, in the clock ticks since boot that /proc/PID/stat uses for start times."""
    return int(time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK")) + 1


def namespace_gone(pidns: str, end: int) -> bool:
    """True when no live (non-zombie) process that started before `end` (boot ticks) is in the
    PID namespace `pidns` ("pid:[N]"); later ones belong to a namespace that reused the number."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/ns/pid") != pidns:
                    continue
            except OSError:
                continue
            fields = _stat_fields(entry)
            if fields is not None and fields[0] not in ("Z", "X") and int(fields[19]) <= end:
                return False
    return True


def run_gone(ident: list, end: int) -> bool:
    """True when nothing of the student process that reported `ident` (see IDENT) before `end`
    (boot_ticks()) is left: its PID namespace when it had its own, else its process group."""
    pid, pidns, pgid, _token = ident
    if pidns != os.readlink("/proc/self/ns/pid"):
        return namespace_gone(pidns, end)
    return group_gone(pgid)


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, their children, ...)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields is not None and fields[0] not in ("Z", "X"):
                children.setdefault(int(fields[1]), []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def wait_until(condition, seconds: float = 5.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()
