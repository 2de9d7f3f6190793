"""`selfcheck FILE`: a student's file through the grader's loader and sandbox, on the public cases only.

Student side: this module and everything it imports ship in the student bundle, so nothing here
may import the reference, the case generators (assignments/*/cases.py) or grader modules that do.
The expected values come precomputed from the data file (`grader.publicdata`).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment, AssignmentError, find_folder, load_assignment
from grader.imports import foreign_imports
from grader.load import LoadError, load
from grader.model import Check
from grader.publicdata import FILENAME, PublicData, PublicDataError, read_public
from grader.sandbox.runner import Limits, Sandbox, SandboxError
from grader.score import score
from grader.versions import FILENAME as ENVIRONMENT, Environment, drift_notes, newer_syntax, read_environment

STATUS = {"ok": "graded", "load_error": "import_error"}
MAX_MESSAGE_LINES = 25


@dataclass(frozen=True)
class SelfCheck:
    """What the self-check found: the load status and one Check per public case."""

    file: str
    status: str  # graded, import_error, syntax_error, timeout, crashed, unreadable
    message: str
    checks: tuple[Check, ...]
    load_warnings: tuple[str, ...] = ()
    stdout: str = ""
    stderr: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "graded" and bool(self.checks) and all(c.passed for c in self.checks)


def run_selfcheck(path: Path, assignment: Assignment, data: PublicData, limits: Limits,
                  sandbox: Sandbox | None = None, grader: Environment | None = None) -> SelfCheck:
    """Load and run `path` in the sandbox on the public cases; compare with the stored expected values.

    A new sandbox is started (and stopped) unless one is given. With the `grader`'s environment,
    syntax newer than the grader's Python is flagged among the load warnings.
    """
    try:
        program = load(path)
    except LoadError as exc:
        return SelfCheck(path.name, exc.status, exc.message, ())
    newer: list[str] = []
    if grader is not None:
        for cell in program.cells:
            newer += [f"{line}; the grader runs Python {grader.minor('python')}, where this is a syntax error"
                      for line in newer_syntax(cell.source, grader.python_target(), cell.label)]
    if sandbox is None:
        with Sandbox(warn=_note) as own:
            report = own.run(program, data.cases, limits)
    else:
        report = sandbox.run(program, data.cases, limits)
    checks = score(assignment, data.cases, report.outcomes, data.expected, 0)
    return SelfCheck(path.name, STATUS.get(report.load_status, report.load_status), report.load_message, checks,
                     tuple(newer) + tuple(program.warnings) + tuple(report.load_warnings)
                     + tuple(foreign_imports(program)),
                     report.stdout, report.stderr)


def _note(message: str) -> None:
    """The sandbox's warning, for a student: the grader's banner speaks to instructors grading exams."""
    del message  # why namespaces are unavailable: an instructor's concern, not the student's
    print("note: your code runs with less isolation here than on the grader (no Linux namespaces on this "
          "machine); this changes no result of ordinary code", file=sys.stderr)


def _num(x: float) -> str:
    return f"{round(x, 2):g}"


def _clip(text: str, lines: int) -> str:
    parts = text.rstrip("\n").splitlines()
    if len(parts) <= lines:
        return "\n".join(parts)
    return "\n".join(parts[:lines] + [f"... ({len(parts) - lines} more lines; run with --verbose to see them)"])


def format_report(result: SelfCheck, assignment: Assignment, *, verbose: bool = False) -> str:
    """The terminal report: load problems, a per-function table, then the first failure of each function."""
    out = [f"Self-check of {result.file} for {assignment.id} (public cases only: the lecture's example, "
           f"the edge cases and {assignment.public_random_cases} fixed random cases per function)", ""]
    if result.status != "graded" or result.message:
        out += [f"Loading your file: {result.status}", _clip(result.message, MAX_MESSAGE_LINES), ""]
    if result.load_warnings:
        out += ["Warnings while loading:"] + [f"  {w}" for w in result.load_warnings] + [""]
    if not result.checks:
        return "\n".join(out + ["Nothing was checked: fix the problem above and run the self-check again."])
    by_function: dict[str, list[Check]] = {}
    for c in result.checks:
        by_function.setdefault(c.function, []).append(c)
    rows = [("part", "function", "cases", "points*", "")]
    last_part = None
    for spec in assignment.functions:
        checks = by_function.get(spec.name, [])
        passed = sum(c.passed for c in checks)
        rows.append((spec.part if spec.part != last_part else "", spec.name, f"{passed}/{len(checks)}",
                     f"{_num(sum(c.points for c in checks))}/{_num(spec.points)}",
                     "ok" if checks and passed == len(checks) else "FAIL"))
        last_part = spec.part
    total_passed = sum(c.passed for c in result.checks)
    rows.append(("total", "", f"{total_passed}/{len(result.checks)}",
                 f"{_num(sum(c.points for c in result.checks))}/{_num(assignment.max_total)}", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for i, row in enumerate(rows):
        if i == len(rows) - 1:
            out.append("  ".join("-" * w for w in widths[:4]))
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths[:4]))
    out.append("* points if only these public cases counted")
    failing = [f for f in assignment.functions if any(not c.passed for c in by_function.get(f.name, []))]
    groups = {"Not defined in your file (check the name, and that its cell runs)": "missing",
              "Not implemented yet (raises NotImplementedError)": "NotImplementedError"}
    for label, marker in groups.items():
        names = [f for f in failing if all(c.outcome == marker or (c.outcome == "raised" and marker in c.message)
                                           for c in by_function[f.name])]
        if names:
            out += ["", f"{label}: " + ", ".join(f.name for f in names) + "."]
            failing = [f for f in failing if f not in names]
    if failing:
        out += ["", f"{len(failing)} function{'s' if len(failing) != 1 else ''} fail{'' if len(failing) != 1 else 's'} "
                    f"a public case. {'Every failure' if verbose else 'The first failure of each'}:"]
        for spec in failing:
            bad = [c for c in by_function[spec.name] if not c.passed]
            out += ["", f"[{spec.name}] {len(bad)} of {len(by_function[spec.name])} public cases fail"]
            for c in bad if verbose else bad[:1]:
                out.append(c.message if verbose else _clip(c.message, MAX_MESSAGE_LINES))
    elif all(c.passed for c in result.checks):
        out += ["", "Every public case passes."]
    if verbose:
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if text.strip():
                out += ["", f"Your code's {name}:", text.rstrip()]
    elif result.stdout.strip() or result.stderr.strip():
        out += ["", "Your code printed output (run with --verbose to see it)."]
    out += ["", f"Your grade also counts {assignment.random_cases} hidden random cases per function, drawn for "
                "each student and never shown here: passing every public case does not guarantee full marks."]
    return "\n".join(out)


def _parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog, description="Check a homework file on the public cases, with the grader's own loader and sandbox.",
        epilog="Exit status: 0 when every public case passes, 1 when one fails (or the file cannot be loaded), "
               "2 for a usage error, 3 when the self-check itself fails (not your code).")
    p.add_argument("file", type=Path, help="your .py or .ipynb file")
    p.add_argument("--assignment", default="hw03", help="assignment name or folder holding assignment.toml")
    p.add_argument("--data", type=Path, default=None,
                   help=f"the public cases file (default: {FILENAME} beside assignment.toml)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="limit for loading the file and for each call (default: 10)")
    p.add_argument("--memory", type=int, default=2048, metavar="MB", help="memory limit (default: 2048)")
    p.add_argument("--verbose", "-v", action="store_true", help="every failure in full, and what your code printed")
    return p


def environment_notes(grader: Environment | None, here: Environment | None = None) -> str:
    """The paragraph opening the report when this Python or numpy differs from the grader's."""
    if grader is None:
        return ""
    notes = drift_notes(grader, here or Environment.current())
    return "\n".join(f"Note: {n}" for n in notes)


def main(argv: Sequence[str] | None = None, prog: str = "selfcheck") -> int:
    """Run the self-check and print the report; the exit status says whether every public case passed."""
    args = _parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv))
    if not sys.platform.startswith("linux"):
        print(f"{prog}: error: the self-check runs your code in the grader's Linux sandbox; on Windows run it "
              "inside WSL, on macOS inside a Linux container or on the course's Linux machines", file=sys.stderr)
        return 2
    if not args.file.is_file():
        print(f"{prog}: error: {args.file} is not a file (give your .py or .ipynb)", file=sys.stderr)
        return 2
    if args.file.suffix.lower() not in (".py", ".ipynb"):
        print(f"{prog}: error: {args.file.name} is not a .py or .ipynb file", file=sys.stderr)
        return 2
    if args.timeout <= 0 or args.memory <= 0:
        print(f"{prog}: error: --timeout and --memory must be positive", file=sys.stderr)
        return 2
    try:
        assignment = load_assignment(args.assignment, need_cases=False)
        grader = read_environment(find_folder(args.assignment) / ENVIRONMENT)
        data = read_public(args.data or find_folder(args.assignment) / FILENAME)
        if data.assignment != assignment.id:
            raise PublicDataError(f"the data file is for {data.assignment}, not {assignment.id}")
    except (AssignmentError, PublicDataError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    try:
        result = run_selfcheck(args.file, assignment, data, Limits(timeout=args.timeout, memory_mb=args.memory),
                               grader=grader)
    except SandboxError as exc:
        print(f"{prog}: the self-check itself failed, not your code: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted; nothing was checked to the end. If your code seemed stuck, a function "
              f"may loop forever: --timeout (now {args.timeout:g} s) stops each call that runs longer, and "
              "the report then names it.", file=sys.stderr)
        return 130
    note = environment_notes(grader)
    print((note + "\n\n" if note else "") + format_report(result, assignment, verbose=args.verbose))
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
