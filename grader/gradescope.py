"""Gradescope's `results.json` for one student: one test per function and visibility, scores adding up to the total.

Each contract function gives up to two tests: its public cases (the lecture's example, edge
cases and fixed random cases), visibility "visible", and its hidden per-student random cases,
visibility `hidden_visibility` ("after_published" by default: students see them once the
instructor publishes the grades; "hidden" never shows them; "after_due_date" after the deadline).
"""
from __future__ import annotations

from typing import Any

from grader.assignment import Assignment
from grader.model import Check, StudentResult

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
MAX_OUTPUT = 4000  # characters of failure messages per test


def _test(name: str, number: str, checks: list[Check], visibility: str) -> dict[str, Any]:
    passed = sum(c.passed for c in checks)
    lines = [f"{passed} of {len(checks)} cases passed."]
    failures = [c for c in checks if not c.passed]
    if failures:
        more = f" ({len(failures) - 1} more failing cases not shown)" if len(failures) > 1 else ""
        lines += [f"First failure{more}:", failures[0].message]
    output = "\n".join(lines)
    if len(output) > MAX_OUTPUT:
        output = output[: MAX_OUTPUT - 20] + "\n... (truncated)"
    return {"name": name, "number": number, "score": sum(c.points for c in checks),
            "max_score": sum(c.max_points for c in checks), "status": "passed" if passed == len(checks) else "failed",
            "output": output, "visibility": visibility}


def results_json(result: StudentResult, assignment: Assignment,
                 hidden_visibility: str = "after_published") -> dict[str, Any]:
    """The Gradescope results of one student; `score` is the sum of the tests' scores, the grader's total."""
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {hidden_visibility!r}")
    tests = []
    for p, part in enumerate(assignment.parts, 1):
        for f, spec in enumerate(part.functions, 1):
            checks = [c for c in result.checks if c.function == spec.name]
            for public, label, visibility in ((True, "public cases", "visible"),
                                              (False, "hidden cases", hidden_visibility)):
                group = [c for c in checks if c.public == public]
                if group:
                    tests.append(_test(f"{part.name}: {spec.name} ({label})", f"{p}.{f}{'' if public else 'h'}",
                                       group, visibility))
    head = [f"{assignment.id}: {result.status}, {result.total:.4g} / {result.max_total:g} points"
            + (" (late)" if result.late else "")]
    if result.message:
        head.append(result.message)
    if result.load_warnings:
        head += ["Warnings while loading:"] + [f"  {w}" for w in result.load_warnings]
    if result.fault == "grader":
        head.append("This is a fault of the grader, not of your work: please tell your instructor.")
    return {"score": float(sum(t["score"] for t in tests)), "output": "\n".join(head),
            "execution_time": round(result.seconds, 3), "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"student": result.student, "status": result.status, "seed": result.seed,
                           "late": result.late, "fault": result.fault}}
