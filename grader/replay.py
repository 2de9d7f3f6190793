"""`grade replay SUBMISSIONS STUDENT`: regrade one student exactly as `grade` does and print their failures."""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from grader.assignment import AssignmentError
from grader.discover import DiscoveryError, discover
from grader.model import Check, StudentResult
from grader.pipeline import GradeOptions, grade_submission, make_context
from grader.safetext import terminal
from grader.sandbox.runner import Sandbox


class ReplayError(Exception):
    """The student, function or case asked for does not exist (a usage error: exit status 2)."""


def regrade(options: GradeOptions, student: str) -> StudentResult:
    """Grade one student of `options.submissions` with the same seed and limits as a class run; nothing is written."""
    ctx = make_context(options)
    with tempfile.TemporaryDirectory(prefix="grade-replay-") as unzip_dir:
        submissions = discover(options.submissions, ctx.assignment.id, unpack_dir=Path(unzip_dir))
        found = next((s for s in submissions if s.student == student), None)
        if found is None:
            names = ", ".join(s.student for s in submissions[:20]) + (" ..." if len(submissions) > 20 else "")
            raise ReplayError(f"no student {student!r} in {options.submissions} (students there: {names or 'none'})")
        with Sandbox() as sandbox:
            return grade_submission(ctx, sandbox, found, key="")


def select(result: StudentResult, function: str | None, case: str | None) -> list[Check]:
    """The checks of `function` (all when None), only the case named `case` when given."""
    checks = [c for c in result.checks if function is None or c.function == function]
    if function is not None and not checks:
        raise ReplayError(f"{function!r} is not a function of this assignment")
    if case is not None:
        checks = [c for c in checks if c.case == case]
        if not checks:
            raise ReplayError(f"no case named {case!r}" + (f" for {function}" if function else ""))
    return checks


def render(result: StudentResult, checks: Sequence[Check], failures_only: bool = True) -> str:
    """Plain text: the student's status, then each selected check (failures only, unless asked); every
    control character escaped (ids, messages and tracebacks hold the student's text: see grader.safetext)."""
    lines = [f"{result.student}: {result.status}, {result.total:.2f} / {result.max_total:g} points, seed {result.seed}"]
    if result.message:
        lines.append("  " + result.message.replace("\n", "\n  "))
    failed = [c for c in checks if not c.passed]
    lines.append(f"{len(checks) - len(failed)} of {len(checks)} selected cases passed")
    for c in checks:
        if c.passed and failures_only:
            continue
        tag = "pass" if c.passed else "FAIL"
        lines.append(f"\n{tag} {c.function} / {c.case} ({'public' if c.public else 'hidden'} {c.kind}, {c.outcome})")
        if c.message:
            lines.append("  " + c.message.replace("\n", "\n  "))
        if c.hint:
            lines.append(f"  hint: {c.hint}")
    return terminal("\n".join(lines), newlines=True)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grade replay", description="Regrade one student with the same seed and print "
                                "the failed cases (of one function, or one case), messages and hints.")
    p.add_argument("submissions", type=Path, help="the folder or .zip of submissions the class was graded from")
    p.add_argument("student", help="the student id, as in grades.csv")
    p.add_argument("--function", help="only this function's cases")
    p.add_argument("--case", help="only the case with this name (e.g. 'random 07')")
    p.add_argument("--assignment", default="hw03", help="assignment name or folder (default: hw03)")
    p.add_argument("--seed", type=int, default=None, help="assignment seed, as given to grade (default: its own)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per call (default: 10)")
    p.add_argument("--memory", type=int, default=2048, metavar="MB", help="memory limit (default: 2048)")
    p.add_argument("--all", action="store_true", help="print the passed cases too")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every selected case passes, 1 when one fails, 2 for a usage error."""
    args = _parser().parse_args(argv)
    if args.timeout <= 0 or args.memory <= 0:
        print("grade replay: error: --timeout and --memory must be positive", file=sys.stderr)
        return 2
    options = GradeOptions(submissions=args.submissions, assignment=args.assignment, timeout=args.timeout,
                           memory_mb=args.memory, seed=args.seed, jobs=1)
    try:
        result = regrade(options, args.student)
        checks = select(result, args.function, args.case)
    except (ReplayError, AssignmentError, DiscoveryError) as exc:
        print(f"grade replay: error: {terminal(str(exc))}", file=sys.stderr)
        return 2
    print(render(result, checks, failures_only=not args.all))
    return 0 if all(c.passed for c in checks) else 1
