"""grade release rewrites a generated file only when the definition changed it, so git status stays clean on any CPU."""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.assignment import load_assignment
from grader.expected import Expected
from grader.model import Case
from grader.publicdata import FILENAME, PublicData, decode_public, encode_public, read_public
from grader.release import generate, main, public_differences, tolerances

ASSIGNMENT = load_assignment("hw03")
GENERATED = ("starter.py", "starter.ipynb", FILENAME)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "hw03"
    shutil.copytree(ASSIGNMENT.folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {name: ((folder / name).read_bytes(), (folder / name).stat().st_mtime_ns) for name in GENERATED}


def _scaled(value: Any, factor: float) -> Any:
    """Every float in an expected value times `factor` (ints, bools and strings as they are)."""
    if type(value) is float:
        return value * factor
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value * factor
    if isinstance(value, (list, tuple)):
        return type(value)(_scaled(v, factor) for v in value)
    return value


def _rewrite_expected(folder: Path, factor: float, only: str | None = None) -> bytes:
    """Scale the expected values in the folder's public.json (of one function, or all); returns the new bytes."""
    data = read_public(folder / FILENAME)
    expected = [replace(e, value=_scaled(e.value, factor)) if only in (None, c.function) else e
                for c, e in zip(data.cases, data.expected)]
    blob = encode_public(data.assignment, data.cases, expected)
    (folder / FILENAME).write_bytes(blob)
    return blob


def test_the_smallest_grading_tolerance_is_far_above_1e_13():
    toml = tomllib.loads((ASSIGNMENT.folder / "assignment.toml").read_text(encoding="utf-8"))
    rtols = [toml["tolerance"]["rtol"]] + [f["rtol"] for p in toml["part"] for f in p["function"] if "rtol" in f]
    assert min(rtols) == 1e-6
    assert tolerances(ASSIGNMENT)["numerical_jacobian"] == (1e-6, 1e-8)  # its own, from the TOML
    assert tolerances(ASSIGNMENT)["sigmoid"] == (1e-6, 1e-9)  # the [tolerance] defaults


def test_release_leaves_an_up_to_date_folder_untouched(tmp_path, capsys):
    folder = _copy(tmp_path)
    before = _snapshot(folder)
    assert main(["--assignment", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert main(["--starters-only", "--assignment", str(folder)]) == 0
    out = capsys.readouterr().out
    assert _snapshot(folder) == before
    assert out.count("left untouched: starter.py, starter.ipynb, public.json") == 2
    assert f"wrote {folder}" not in out


@pytest.mark.parametrize("drift", [1e-13, 1e-8])  # last bits; beyond the 1e-12 once used, within every rtol
def test_expected_values_that_drift_within_the_tolerance_are_up_to_date_and_kept(tmp_path, capsys, drift):
    folder = _copy(tmp_path)
    original = (folder / FILENAME).read_bytes()
    perturbed = _rewrite_expected(folder, 1.0 + drift)
    assert perturbed != original
    before = _snapshot(folder)
    assert main(["--check", "--assignment", str(folder)]) == 0
    assert main(["--starters-only", "--assignment", str(folder)]) == 0
    assert main(["--assignment", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert _snapshot(folder) == before
    # the bundle ships the committed file, so bundles from two machines hold the same bytes
    assert (tmp_path / "out" / "hw03-student" / "_selfcheck" / "hw03" / FILENAME).read_bytes() == perturbed
    assert "up to date" in capsys.readouterr().out


def test_an_expected_value_beyond_its_tolerance_is_stale_and_rewritten(tmp_path, capsys):
    folder = _copy(tmp_path)
    _rewrite_expected(folder, 1.0 + 1e-5, only="sigmoid")  # 10 times sigmoid's rtol
    assert main(["--check", "--assignment", str(folder)]) == 1
    err = capsys.readouterr().err
    assert ("sigmoid / lecture z of every layer: the expected value differs beyond the grading tolerance "
            "(rtol 1e-06, atol 1e-09)") in err
    stale = [line for line in err.splitlines() if line.startswith("stale: ")]
    assert len(stale) == 5 and all(f"{FILENAME}: sigmoid / " in line for line in stale)  # 5 lines a file at most
    starters = {name: (folder / name).stat().st_mtime_ns for name in GENERATED[:2]}
    assert main(["--starters-only", "--assignment", str(folder)]) == 0
    assert f"wrote {folder / FILENAME}" in capsys.readouterr().out
    assert (folder / FILENAME).read_bytes() == generate(load_assignment(str(folder))).public
    assert {name: (folder / name).stat().st_mtime_ns for name in GENERATED[:2]} == starters
    assert main(["--check", "--assignment", str(folder)]) == 0


def test_a_changed_definition_rewrites_what_it_changes_and_only_that(tmp_path, capsys):
    folder = _copy(tmp_path)
    toml = folder / "assignment.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("public_random_cases = 5", "public_random_cases = 4"))
    assert main(["--check", "--assignment", str(folder)]) == 1
    assert f"public.json: {235} cases committed, {235 - 29} generated" in capsys.readouterr().err
    before = _snapshot(folder)
    assert main(["--starters-only", "--assignment", str(folder)]) == 0
    after = _snapshot(folder)
    assert after[FILENAME] != before[FILENAME] and len(decode_public(after[FILENAME][0]).cases) == 235 - 29
    assert {n: after[n] for n in GENERATED[:2]} == {n: before[n] for n in GENERATED[:2]}
    capsys.readouterr()

    toml.write_text(toml.read_text(encoding="utf-8").replace("Return the (n, n) float identity",
                                                             "Return the (n, n) identity as floats"))
    before = _snapshot(folder)
    assert main(["--starters-only", "--assignment", str(folder)]) == 0
    assert "left untouched: public.json" in capsys.readouterr().out
    after = _snapshot(folder)
    assert after[FILENAME] == before[FILENAME]
    assert all(after[n][0] != before[n][0] and b"as floats" in after[n][0] for n in GENERATED[:2])
    assert main(["--check", "--assignment", str(folder)]) == 0


def test_a_damaged_public_json_is_stale_and_rewritten(tmp_path, capsys):
    folder = _copy(tmp_path)
    (folder / FILENAME).write_bytes(b"not json")
    assert main(["--check", "--assignment", str(folder)]) == 1
    assert "public.json is damaged" in capsys.readouterr().err
    assert main(["--starters-only", "--assignment", str(folder)]) == 0
    assert main(["--check", "--assignment", str(folder)]) == 0


def _data(*items: tuple[str, tuple, Expected]) -> PublicData:
    cases = tuple(Case(fn, f"case {i}", "edge", args, public=True) for i, (fn, args, _) in enumerate(items))
    return PublicData("hw", cases, tuple(e for _, _, e in items))


@pytest.mark.parametrize("committed, fresh, problem", [
    (1.0 + 1e-6, 1.0, None),  # f: rtol 1e-3
    (1.0 + 2e-3, 1.0, "f / case 0: the expected value differs beyond the grading tolerance (rtol 0.001, atol 0)"),
    (np.array([0.0, 5e-9]), np.array([0.0, 0.0]), None),  # g: atol 1e-8
    (np.array([0.0, 5e-8]), np.array([0.0, 0.0]), "g / case 0: the expected value differs"),
    (np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]), "the expected value differs"),  # shapes never drift
])
def test_each_function_is_held_to_its_own_tolerance(committed, fresh, problem):
    function = "f" if isinstance(fresh, float) else "g"
    tolerance = {"f": (1e-3, 0.0), "g": (0.0, 1e-8)}
    found = public_differences(_data((function, (1.0,), Expected(value=committed))),
                               _data((function, (1.0,), Expected(value=fresh))), tolerance)
    assert found == [] if problem is None else (len(found) == 1 and problem in found[0])


def test_inputs_and_exceptions_must_be_identical():
    x = np.array([0.5, 0.25])
    nudged = x.copy()
    nudged[1] = np.nextafter(0.25, 1.0)  # one bit
    value = Expected(value=1.0)
    tolerance = {"f": (1.0, 1.0)}  # any value would do: only the inputs differ
    assert public_differences(_data(("f", (x,), value)), _data(("f", (nudged,), value)), tolerance) == \
        ["f / case 0: the inputs differ"]
    raised = Expected(raises=("ValueError", "Exception"), error="ValueError: no")
    assert "expected exception 'ValueError: no' committed, None generated" in \
        public_differences(_data(("f", (x,), raised)), _data(("f", (x,), value)), tolerance)[0]
    reworded = Expected(raises=("ValueError", "Exception"), error="ValueError: not so")
    assert public_differences(_data(("f", (x,), raised)), _data(("f", (x,), reworded)), tolerance) != []
    assert public_differences(_data(("f", (x,), raised)), _data(("f", (x,), raised)), tolerance) == []
