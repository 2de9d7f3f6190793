"""Shared helpers for the sandbox tests: Program/Case builders and a module-wide Sandbox fixture."""
from __future__ import annotations

import os
import textwrap
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
