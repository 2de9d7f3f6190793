"""Turn call outcomes into scored checks: compare with the expected value, explain every failure."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from grader import describe, hints
from grader.assignment import Assignment, FunctionSpec
from grader.caps import MESSAGE_MAX, clip
from grader.compare import compare, matches
from grader.expected import Expected
from grader.model import CallOutcome, Case, Check


def verdict(spec: FunctionSpec, case: Case, outcome: CallOutcome, expected: Expected) -> tuple[bool, str]:
    """(passed, message) for one case; the message says what was wrong and how to see it."""
    fn = spec.name
    if outcome.status == "missing":
        return False, outcome.error or f"`{fn}` is not defined in your submission: check its name and that its cell ran"
    if outcome.status in ("timeout", "crashed", "skipped", "not_run"):
        return False, outcome.error or f"`{fn}` did not run ({outcome.status})"
    if outcome.status == "raised":
        raised = outcome.error.split(":", 1)[0].strip()
        if expected.raises and expected.raises[0] in (raised, *outcome.error_types):
            return True, ""  # the reference's exception type, or a subclass of it
        if raised == "NotImplementedError":
            return False, f"`{fn}` is not implemented yet (it raises NotImplementedError)"
        text = f"raised {outcome.error}"
        if expected.raises:
            text += f"; expected {expected.raises[0]} ({expected.error})"
        return False, text + (f"\n{outcome.traceback}" if outcome.traceback else "")
    if expected.raises:
        return False, (f"returned {describe.value(outcome.value, 120)} but should raise {expected.raises[0]} "
                       f"({case.note or expected.error})")
    if outcome.mutated:
        return False, (f"modified its input {', '.join(outcome.mutated)} in place; functions must not change "
                       "their inputs (work on a copy, e.g. `W - lr * dW` instead of `W -= lr * dW`)")
    if case.forbid_warnings:
        runtime = [w for w in outcome.warnings if w.startswith("RuntimeWarning")]
        if runtime:
            return False, (f"raised {runtime[0]}; this case must run without RuntimeWarning "
                           "(use a numerically stable formula)")
    problem = compare(expected.value, outcome.value, rtol=spec.rtol, atol=spec.atol,
                      names=spec.output_names if len(spec.output_names) > 1 else (),
                      name=spec.output_names[0] if len(spec.output_names) == 1 else "result")
    return (problem is None), (problem or "")


SharedCalls = Mapping[tuple[str, str], tuple[Case, str]]  # (function, case name) -> (the case, its call text)


def shared_calls(assignment: Assignment, cases: Mapping[str, Sequence[Case]]) -> SharedCalls:
    """The `call:` text of every case all students share (fixed and public random), rendered once
    per run instead of once per student who fails it."""
    specs = {f.name: f for f in assignment.functions}
    return {(c.function, c.name): (c, describe.call(c, specs[c.function].signature))
            for group in cases.values() for c in group}


def score(assignment: Assignment, cases: Sequence[Case], outcomes: Sequence[CallOutcome],
          expecteds: Sequence[Expected], seed: int, calls: SharedCalls | None = None) -> tuple[Check, ...]:
    """One Check per case; a function's points are shared among its cases by weight. A passed public
    case earns its share times the weighted fraction of that function's hidden cases passed (1 when
    there are none, as in the self-check): public data replayed from a table earns nothing. `calls`
    (from `shared_calls`) holds the call texts of the shared cases: used for those very cases only."""
    weights: dict[str, float] = {}
    for case in cases:
        weights[case.function] = weights.get(case.function, 0.0) + case.weight
    specs = {f.name: f for f in assignment.functions}
    verdicts = [_verdict(specs[c.function], c, o, e) for c, o, e in zip(cases, outcomes, expecteds, strict=True)]
    hidden = hidden_pass_rates(cases, [v[0] for v in verdicts])
    checks = []
    for case, outcome, expected, (passed, problem) in zip(cases, outcomes, expecteds, verdicts):
        spec = specs[case.function]
        max_points = spec.points * case.weight / weights[case.function]
        if passed:
            earned = max_points * hidden.get(case.function, 1.0) if case.public else max_points
            checks.append(_passed(spec.part, spec.name, case.name, case.kind, max_points, earned, case.public,
                                  outcome.status))
            continue
        hint = hints.hint(spec, case, outcome, expected)
        origin = f"case '{case.name}'" + (f" (seed {seed})" if case.kind == "random" and not case.public else "")
        note = f" -- {case.note}" if case.note else ""
        known = calls.get((case.function, case.name)) if calls and case.public else None
        call = known[1] if known and known[0] is case else describe.call(case, spec.signature)
        message = clip(f"{origin}{note}\n call: {call}\n{problem}", MESSAGE_MAX)  # its every part may be the student's
        checks.append(Check(part=spec.part, function=spec.name, case=case.name, kind=case.kind, passed=False,
                            points=0.0, max_points=max_points, message=message, fault="student",
                            public=case.public, hint=hint, outcome=outcome.status))
    return tuple(checks)


def _verdict(spec: FunctionSpec, case: Case, outcome: CallOutcome, expected: Expected) -> tuple[bool, str]:
    """`verdict`, with the common case (a value that matches, nothing else to check) decided without it."""
    if outcome.status == "returned" and not (expected.raises or outcome.mutated or case.forbid_warnings) \
            and matches(expected.value, outcome.value, spec.rtol, spec.atol):
        return True, ""  # what `verdict` says here: `compare` would find no difference
    return verdict(spec, case, outcome, expected)


def hidden_pass_rates(cases: Sequence[Case], passed: Sequence[bool]) -> dict[str, float]:
    """Per function with hidden cases: the weighted fraction of them passed (what its public cases' points are
    scaled by)."""
    total: dict[str, float] = {}
    good: dict[str, float] = {}
    for case, ok in zip(cases, passed, strict=True):
        if not case.public:
            total[case.function] = total.get(case.function, 0.0) + case.weight
            good[case.function] = good.get(case.function, 0.0) + (case.weight if ok else 0.0)
    return {name: good[name] / weight if weight else 1.0 for name, weight in total.items()}


# A passed check holds nothing of the student's: every student passing a case gets this very record.
# Module-level only because it is keyed by immutable data (the record's own fields) and bounded; Check
# is frozen, so sharing one instance among students is safe. 8192 is ten times hw03's 815 cases.
@lru_cache(maxsize=8192)
def _passed(part: str, function: str, case: str, kind: str, max_points: float, points: float, public: bool,
            outcome: str) -> Check:
    return Check(part=part, function=function, case=case, kind=kind, passed=True, points=points,
                 max_points=max_points, fault="none", public=public, outcome=outcome)


def part_totals(assignment: Assignment, checks: Sequence[Check]) -> dict[str, float]:
    """Points earned per part, in definition order."""
    totals = {p.name: 0.0 for p in assignment.parts}
    for c in checks:
        totals[c.part] += c.points
    return totals
