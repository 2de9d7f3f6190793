"""The adversarial corpus (tests/security/attacks/), graded in one class with clean students.

For each attack: the grader's own probe shows the attack failed (a canary process alive, listeners
never reached, folders unchanged, no process left over, no secret in any output), the attacker is
graded as its code deserves (its header's `expect-full` functions full, all others zero), and every
clean student is graded exactly as in a run without any attacker.
These tests need namespace isolation; without it they are skipped, saying why (the `namespaces`
marker, tests/isolation_support.py): some attacks, such as kill -9 -1, must never run without it.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from attack_support import (CLEAN, FUNCTIONS, REFERENCE, REPO, Listeners, Sampler, attack_names, expected_full,
                            processes_with_cmdline, snapshot, start_canary, write_attacks, write_clean_class)

from grader.pipeline import GradeOptions, grade_class

pytestmark = pytest.mark.namespaces

SPAM = ["sleep", "31.4159"]  # what forks_spam's children become
ESCAPEE = ["sleep", "27.1828"]  # what setsid_escape's grandchild becomes
PROCESS_LIMIT = 64  # grader.sandbox.records.Limits.processes


def options(submissions: Path, out: Path) -> GradeOptions:
    return GradeOptions(submissions=submissions, out=out, timeout=4.0, memory_mb=1024, jobs=2)


def by_check(result) -> dict[tuple[str, str], tuple[bool, float, str]]:
    return {(c.function, c.case): (c.passed, c.points, c.message) for c in result.checks}


@pytest.fixture(scope="module")
def secret() -> str:
    return secrets.token_hex(12)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, secret):
    """The clean class graded alone."""
    folder = tmp_path_factory.mktemp("clean")
    write_clean_class(folder, secret)
    run = grade_class(options(folder, tmp_path_factory.mktemp("out-clean")))
    return {r.student: r for r in run.results}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, secret):
    """The clean class and every attack graded in one run, with the grader-side probes around it."""
    folder = tmp_path_factory.mktemp("mixed")
    out = tmp_path_factory.mktemp("out-mixed")
    write_clean_class(folder, secret)
    listeners = Listeners()
    paths = {"submissions": str(folder), "output": str(out), "reference": str(REFERENCE), "repo": str(REPO),
             "peer": str(folder / "clean_passes.py"), **listeners.paths()}
    write_attacks(folder, paths)
    before = {"submissions": snapshot(folder), "reference": snapshot(REFERENCE)}
    canary = start_canary()
    spam = Sampler(SPAM)
    saved = {k: os.environ.get(k) for k in ("GRADER_TEST_SECRET", "GRADER_ISOLATION")}
    os.environ["GRADER_TEST_SECRET"] = secret
    os.environ["GRADER_ISOLATION"] = "namespaces"  # never run these attacks unisolated, whatever happens
    try:
        run = grade_class(options(folder, out))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        most_spam = spam.stop()
        listeners.close()
    canary_alive = canary.poll() is None
    canary.kill()
    canary.wait()
    yield {"results": {r.student: r for r in run.results}, "run": run, "out": out, "folder": folder,
           "before": before, "after": {"submissions": snapshot(folder), "reference": snapshot(REFERENCE)},
           "canary_alive": canary_alive, "reached": list(listeners.reached), "most_spam": most_spam}


def leftovers(argv: list[str]) -> list[int]:
    """Processes with this command line still alive after a short grace period."""
    import time

    deadline = time.monotonic() + 5
    while processes_with_cmdline(argv) and time.monotonic() < deadline:
        time.sleep(0.05)
    return processes_with_cmdline(argv)


def outputs_of(result) -> str:
    return "\n".join([result.stdout, result.stderr, result.message, *(c.message for c in result.checks)])


# What each attack's own probe checks, beyond the grade. `a` is the attacked fixture.
PROBES = {
    "forks_spam": lambda a: 0 < a["most_spam"] <= PROCESS_LIMIT and not leftovers(SPAM),
    "kills_parent": lambda a: a["canary_alive"],
    "kills_process_group": lambda a: a["canary_alive"],
    "kills_everything": lambda a: a["canary_alive"],
    "writes_output_folder": lambda a: not any("pwned" in p.name for p in a["out"].rglob("*"))
    and "me,100" not in (a["out"] / "grades.csv").read_text(),
    "writes_beside_submission": lambda a: a["before"]["submissions"] == a["after"]["submissions"],
    "writes_reference": lambda a: a["before"]["reference"] == a["after"]["reference"],
    "imports_reference": lambda a: "STOLE" not in a["results"]["imports_reference"].stdout,
    "reads_reference_by_path": lambda a: "STOLE" not in a["results"]["reads_reference_by_path"].stdout,
    "reads_other_students": lambda a: "SECRET-" not in outputs_of(a["results"]["reads_other_students"]),
    "opens_network": lambda a: a["reached"] == [] and "CONNECTED" not in a["results"]["opens_network"].stdout,
    "reads_grader_env": lambda a: "GRADER_TEST_SECRET" not in outputs_of(a["results"]["reads_grader_env"]),
    "monkeypatches_numpy": lambda a: True,
    "monkeypatches_builtins": lambda a: True,
    "prints_forged_result": lambda a: "SCORE: 100/100" in a["results"]["prints_forged_result"].stdout,
    "returns_lying_eq": lambda a: True,
    "returns_lying_array": lambda a: True,
    "returns_lying_float": lambda a: True,
    "raises_in_dunder": lambda a: True,
    "recursion_bomb": lambda a: True,
    "huge_output": lambda a: len(a["results"]["huge_output"].stdout) < 40_000,
    "sleeps_in_thread": lambda a: True,
    "ignores_sigterm": lambda a: True,
    "setsid_escape": lambda a: not leftovers(ESCAPEE),
}


def test_every_attack_fixture_has_a_probe():
    assert sorted(PROBES) == attack_names()
    assert all(expected_full(name) <= set(FUNCTIONS) for name in attack_names())


@pytest.mark.parametrize("name", attack_names())
def test_attack_fails_and_changes_no_one_elses_grade(name, attacked, baseline, secret):
    results = attacked["results"]
    attacker = results[name]
    assert PROBES[name](attacked), f"the probe of {name} shows the attack worked:\n{attacker.stdout[-3000:]}"
    assert secret not in outputs_of(attacker), f"{name} saw the secret"
    # the attacker is graded as its code deserves: its header's functions full, everything else zero
    assert attacker.status == "graded", (attacker.status, attacker.message)
    full = expected_full(name)
    for part_function in FUNCTIONS:
        checks = [c for c in attacker.checks if c.function == part_function]
        earned, due = sum(c.points for c in checks), sum(c.max_points for c in checks)
        if part_function in full:
            assert earned == pytest.approx(due), (name, part_function, [c.message for c in checks if not c.passed][:2])
        else:
            assert earned == 0, (name, part_function)
    # and every clean student exactly as when graded without attackers
    for student in CLEAN:
        assert results[student].status == baseline[student].status
        assert by_check(results[student]) == by_check(baseline[student]), student
        assert results[student].total == baseline[student].total


def test_the_clean_class_is_graded_as_its_fixtures_say(baseline):
    assert baseline["clean_passes"].percent == pytest.approx(100)
    assert baseline["clean_notebook"].percent == pytest.approx(100)
    lost = {c.function for c in baseline["clean_fails_relu_grad"].checks if not c.passed}
    assert lost == {"relu_grad"}


def test_the_run_records_its_isolation(attacked):
    assert attacked["run"].isolation == "namespaces"
    assert '"isolation": "namespaces"' in (attacked["out"] / "run.json").read_text()
