"""A student's page as plain data: scores per part and function, failed cases grouped and capped."""
from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from grader.assignment import Assignment
from grader.model import Check, StudentResult
from grader.report.run import RunInfo

SHOWN_PER_FUNCTION = 5  # failed cases shown in full per function; the rest are listed by name
MAX_OUTPUT_CHARS = 8000  # of captured stdout / stderr on the page


@dataclass(frozen=True)
class FailureView:
    """One failed case (or several failing the same way), its message taken apart for display."""

    case: str
    kind: str
    public: bool
    outcome: str
    origin: str  # "case 'random 07' (seed 3394000660) -- note"
    seed: str  # "3394000660" for a hidden random case, else ""
    note: str  # what the case is about, when it says
    call: str  # the call with its inputs, abridged
    figures: str  # the numpy.testing-style lines (tolerance, mismatches, differences)
    expected: str
    got: str
    hint: str
    same_as: tuple[str, ...] = ()  # other cases failing with exactly the same text
    replay: str = ""


@dataclass(frozen=True)
class FunctionView:
    """One function on the student's page."""

    name: str
    part: str
    points: float
    max_points: float
    passed: int
    total: int
    failures: tuple[FailureView, ...]  # the first SHOWN_PER_FUNCTION groups
    more: tuple[str, ...]  # names of the failed cases not shown in full
    replay: str

    @property
    def full(self) -> bool:
        return self.passed == self.total


@dataclass(frozen=True)
class PartView:
    name: str
    title: str
    points: float
    max_points: float
    functions: tuple[FunctionView, ...]


@dataclass(frozen=True)
class StudentPage:
    result: StudentResult
    parts: tuple[PartView, ...]
    stdout: str
    stderr: str
    failed_cases: int
    public_failed: int
    hidden_failed: int

    @property
    def failed_functions(self) -> tuple[FunctionView, ...]:
        return tuple(f for p in self.parts for f in p.functions if not f.full)

    @property
    def passed_functions(self) -> tuple[FunctionView, ...]:
        return tuple(f for p in self.parts for f in p.functions if f.full)


def split_message(message: str) -> tuple[str, str, str, str, str]:
    """(origin, call, figures, expected, got) of a failure message made by grader.score."""
    lines = message.split("\n")
    origin = lines[0] if lines else ""
    rest = lines[1:]
    call = ""
    if rest and rest[0].startswith(" call: "):
        call, rest = rest[0][len(" call: "):], rest[1:]
    expected = next((ln.strip()[len("expected:"):].strip() for ln in rest if ln.strip().startswith("expected:")), "")
    got = next((ln.strip()[len("got:"):].strip() for ln in rest if ln.strip().startswith("got:")), "")
    figures = "\n".join(ln for ln in rest if not ln.strip().startswith(("expected:", "got:")))
    return origin, call, figures.strip("\n"), expected, got


def origin_parts(origin: str, case: str) -> tuple[str, str]:
    """(seed, note) from `case 'NAME' (seed N) -- note`; empty strings for the parts it lacks."""
    prefix = f"case '{case}'"
    if not origin.startswith(prefix):
        return "", origin
    match = re.match(r" \(seed (\d+)\)", origin[len(prefix):])
    rest = origin[len(prefix) + (match.end() if match else 0):]
    return (match[1] if match else ""), rest.removeprefix(" -- ").strip()


def replay_command(run: RunInfo, student: str, function: str, case: str | None = None) -> str:
    """The shell command that regrades this student with the same seed and limits and prints these failures."""
    words = ["grade", "replay", run.submissions, student, "--function", function]
    if case is not None:
        words += ["--case", case]
    return shlex.join(words + run.replay_args())


def _case_replays(run: RunInfo, student: str, function: str, cases: Sequence[str]) -> dict[str, str]:
    """replay_command(run, student, function, case) for each case, quoting the common words once."""
    head = shlex.join(["grade", "replay", run.submissions, student, "--function", function, "--case"])
    tail = shlex.join(run.replay_args())
    tail = f" {tail}" if tail else ""
    return {case: f"{head} {shlex.quote(case)}{tail}" for case in cases}


def _failures(checks: Sequence[Check], replay: dict[str, str]) -> list[FailureView]:
    """Failed checks, those failing in exactly the same way (same text, hint, outcome) merged."""
    groups: dict[tuple[str, ...], list[Check]] = {}
    views: dict[tuple[str, ...], tuple[str, str, str, str, str]] = {}
    for c in checks:
        parts = split_message(c.message)
        # a wrong value is particular to its case; a failure to run (raised, missing, timeout) is often shared
        key: tuple[str, ...] = ("case", c.case) if c.outcome == "returned" else (*parts[2:], c.hint, c.outcome)
        groups.setdefault(key, []).append(c)
        views.setdefault(key, parts)
    out = []
    for group, members in groups.items():
        first = members[0]
        origin, call, figures, expected, got = views[group]
        seed, note = origin_parts(origin, first.case)
        out.append(FailureView(case=first.case, kind=first.kind, public=first.public, outcome=first.outcome,
                               origin=origin, seed=seed, note=note, call=call, figures=figures, expected=expected,
                               got=got, hint=first.hint,
                               same_as=tuple(m.case for m in members[1:]), replay=replay.get(first.case, "")))
    return out


def _pick(groups: list[FailureView]) -> list[FailureView]:
    """The first SHOWN_PER_FUNCTION failures, the last slot given to a hidden case when none is among them."""
    shown = groups[:SHOWN_PER_FUNCTION]
    hidden = next((g for g in groups[SHOWN_PER_FUNCTION:] if not g.public), None)
    if hidden is not None and all(g.public for g in shown):
        shown = shown[:-1] + [hidden]
    return shown


def build_page(assignment: Assignment, result: StudentResult, run: RunInfo) -> StudentPage:
    """The student's page data; the run's settings go into the replay commands."""
    parts = []
    by_function: dict[str, list[Check]] = {}
    for c in result.checks:
        by_function.setdefault(c.function, []).append(c)
    for part in assignment.parts:
        functions = []
        for spec in part.functions:
            checks = by_function.get(spec.name, [])
            failed = [c for c in checks if not c.passed]
            replay = _case_replays(run, result.student, spec.name, [c.case for c in failed])
            groups = _failures(failed, replay)
            shown = _pick(groups)
            shown_names = {g.case for g in shown} | {n for g in shown for n in g.same_as}
            functions.append(FunctionView(
                name=spec.name, part=part.name, points=sum(c.points for c in checks),
                max_points=spec.points if checks else 0.0, passed=len(checks) - len(failed), total=len(checks),
                failures=tuple(shown), more=tuple(c.case for c in failed if c.case not in shown_names),
                replay=replay_command(run, result.student, spec.name)))
        parts.append(PartView(name=part.name, title=part.title, points=result.parts.get(part.name, 0.0),
                              max_points=sum(f.points for f in part.functions), functions=tuple(functions)))
    failed = [c for c in result.checks if not c.passed]
    return StudentPage(result=result, parts=tuple(parts), stdout=_clip(result.stdout), stderr=_clip(result.stderr),
                       failed_cases=len(failed), public_failed=sum(c.public for c in failed),
                       hidden_failed=sum(not c.public for c in failed))


def _clip(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    return text[:MAX_OUTPUT_CHARS] + f"\n... [{len(text) - MAX_OUTPUT_CHARS} more characters not shown on this page]"
