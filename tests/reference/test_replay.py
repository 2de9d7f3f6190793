"""`python -m reference` (console script `lecture-replay`): the replay of the worked example.

Expected strings are the lecture's printed numbers and the corrections of ERRATA.md.
Mutations killed: X1 (main returns 1): the fixture and test_main_in_process_returns_0; X2 (errata
notes not printed): test_errata_rows_are_marked_with_the_correction; and every reference mutation that
changes a printed value (M1, M2, M3, ...): test_counts_line.
"""
from __future__ import annotations

import importlib.metadata
import os
import pathlib
import re
import subprocess
import sys

import pytest

from reference.__main__ import main
from reference.lecture import STEPS

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def replay() -> str:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "reference"], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_python_m_reference_prints_the_key_values(replay: str) -> None:
    for value in ("0.5744", "0.5987", "0.6165", "0.5968", "0.6076", "1.2305", "0.7739", "0.2563", "-1.2921",
                  "0.1750", "-0.2261", "-0.1394", "-0.0904", "-0.0214", "-0.01078", "-0.00337", "0.5226",
                  "0.4139", "0.7823", "0.2455", "0.0108", "4.23"):
        assert value in replay, value
    assert all(f"== {step} ==" in replay for step in STEPS)


def _rows(replay: str, line: int, quantity: str) -> list[str]:
    return [r for r in replay.splitlines() if re.match(rf"\s*{line}\s+{re.escape(quantity)}\s", r)]


def test_rows_show_printed_rounded_reference_and_mark(replay: str) -> None:
    (row,) = _rows(replay, 144, "a_3^[2]")
    assert row.split()[2:6] == ["0.6076", "0.6076", "0.6075560", "ok"]
    (row,) = _rows(replay, 151, "yhat")
    assert row.split()[2:6] == ["0.7739", "0.7739", "0.7739049", "ok"]
    (row,) = _rows(replay, 450, "ΔL/L (%)")
    assert "4.23" in row and row.rstrip().split()[-1] != "ERRATUM"
    (row,) = _rows(replay, 315, "dL/dz_1^[1]")
    assert "-0.00264" in row and "-0.00263" in row and "carry" in row


@pytest.mark.parametrize("line, quantity, printed, correct, eid", [
    (150, "a_3^[2]", "0.6075", "0.6076", "N1"),
    (245, "yhat", "0.7740", "0.7739", "N2"),
    (253, "dL/dyhat", "-1.2922", "-1.2921", "N3"),
    (285, "dL/da_3^[2]", "-0.1356", "-0.1357", "N4"),
    (349, "dL/dw_1^[3]", "-0.1393", "-0.1394", "N5"),
    (353, "dL/dw_3^[3]", "-0.1373", "-0.1374", "N6"),
    (379, "dL/dw_23^[2]", "-0.0193", "-0.0194", "N7"),
    (431, "a_1^[2] new", "0.6147", "0.6174", "N8"),
    (470, "yhat new", "0.7862", "0.7823", "N9"),
])
def test_errata_rows_are_marked_with_the_correction(replay: str, line: int, quantity: str, printed: str,
                                                    correct: str, eid: str) -> None:
    (row,) = _rows(replay, line, quantity)
    assert printed in row and "ERRATUM" in row and f"{eid}: should be {correct}" in row


def test_counts_line(replay: str) -> None:
    assert "331 printed numbers: 298 ok, 13 rounding carry, 20 errata" in replay


def test_main_in_process_returns_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main() == 0
    out = capsys.readouterr().out
    assert "N9" in out and "0.7862 -> 0.7823" in out


def test_console_script_points_at_main() -> None:
    scripts = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="console_scripts")}
    assert scripts.get("lecture-replay") == "reference.__main__:main"
