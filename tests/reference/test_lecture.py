"""reference/lecture.py: every number the lecture prints for its 1-2-3-1 network, against the reference.

Expectations come from the lecture (the printed strings, typed in by hand in lecture.py and checked
against the lecture text itself when it is available) and from tests/reference/_hand.py, a scalar
slide-by-slide computation with math.exp that does not use the package under test.

Mutation check (each applied alone to a scratch copy of reference/, never committed; ids as in the
report): the tests below name the mutations they kill.
"""
from __future__ import annotations

import collections
import functools
import pathlib
import re

import numpy as np
import pytest

from reference.lecture import (
    FIRST_LINE,
    LAST_LINE,
    LECTURE_FILE,
    PRINTED,
    STEPS,
    Printed,
    network,
    reference_values,
)
from tests.reference._hand import lecture_values

HAND = lecture_values()


@functools.cache
def _values() -> dict[str, float]:
    """The reference's values, computed once (inside the tests, so a broken reference fails them)."""
    return reference_values()
LECTURE = pathlib.Path(LECTURE_FILE)
needs_lecture = pytest.mark.skipif(not LECTURE.exists(), reason="lecture text not available")


def _half_unit(printed: str) -> float:
    """Half a unit of the last printed decimal, from the string itself."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0 ** -decimals


def _id(row: Printed) -> str:
    return f"L{row.line}:{row.quantity}={row.printed}"


# The 13 rounding carries, with the lecture's own arithmetic typed in from the slides: the printed
# value is this arithmetic rounded, although the exact value rounds differently (ERRATA.md).
CARRIES: dict[tuple[int, str, str], float] = {
    (309, "dL/dz_2^[2]·w_12^[2]", "-0.00327"): -0.0109 * 0.3,
    (311, "dL/dz_3^[2]·w_23^[2]", "-0.00969"): -0.0323 * 0.3,
    (311, "dL/da_2^[1]", "-0.01401"): -0.00214 - 0.00218 - 0.00969,
    (315, "dL/dz_1^[1]", "-0.00264"): -0.01078 * 0.2445,
    (317, "dL/da_2^[1]", "-0.01401"): -0.00214 - 0.00218 - 0.00969,
    (323, "dL/dw_01^[1]", "-0.00264"): -0.01078 * 0.2445,
    (325, "dL/dz_1^[1]", "-0.00264"): -0.01078 * 0.2445,
    (325, "dL/dw_11^[1]", "-0.00528"): -0.00264 * 2.0,
    (385, "dL/dw_01^[1]", "-0.00264"): -0.01078 * 0.2445,
    (385, "Δw_01^[1]", "0.000264"): 0.1 * 0.00264,
    (387, "dL/dw_11^[1]", "-0.00528"): -0.00264 * 2.0,
    (387, "Δw_11^[1]", "0.000528"): 0.1 * 0.00528,
}


@pytest.mark.parametrize("row", [r for r in PRINTED if not r.erratum], ids=_id)
def test_printed_number_is_the_reference_value_rounded(row: Printed) -> None:
    """|reference - printed| <= half a unit of the printed decimals (+ 1 unit on the documented carries).

    Kills A1 sigmoid_grad = s, M1 backward without the sigmoid derivative, M2 transposed outer product,
    M3 sgd_step `+ lr`, M5 bce_grad sign, M6 delta = y - yhat, M8 forward without bias, M9 in-place
    sgd_step, M12 log10 in bce_loss, M13 bias not updated, L1 row keyed to the wrong quantity, L3 an
    erratum mark dropped, L4 verification pass on rounded weights, L5 weight naming transposed.
    """
    slack = 2 * _half_unit(row.printed) if (row.line, row.quantity, row.printed) in CARRIES else 0.0
    got = _values()[row.quantity]
    assert abs(got - float(row.printed)) <= _half_unit(row.printed) + slack + 1e-12, (got, row.printed)


@pytest.mark.parametrize("row", [r for r in PRINTED if not r.erratum], ids=_id)
def test_hand_calculation_agrees_with_the_table(row: Printed) -> None:
    """The same check with the hand calculation: the table's classification does not rest on the reference.

    Kills L1 (row keyed to the wrong quantity), L3 (erratum mark dropped).
    """
    slack = 2 * _half_unit(row.printed) if (row.line, row.quantity, row.printed) in CARRIES else 0.0
    assert abs(HAND[row.quantity] - float(row.printed)) <= _half_unit(row.printed) + slack + 1e-12


def test_agrees_with_separates_errata_from_the_rest() -> None:
    """Printed.agrees_with (used for the replay's marks) is true exactly on the non-errata rows."""
    for row in PRINTED:
        assert row.agrees_with(HAND[row.quantity]) == (row.erratum is None), _id(row)


def test_reference_equals_hand_calculation_at_full_precision() -> None:
    """Every quantity (forward, loss, all gradients of steps 1-8, updates, verification pass) to 1e-12.

    Kills A1, M1, M2, M3, M5, M6, M8, M9, M12, M13, L4, L5 (see test_printed_number_...).
    """
    values = _values()
    assert set(values) == set(HAND)
    off = {k: (values[k], HAND[k]) for k in HAND if abs(values[k] - HAND[k]) > 1e-12}
    assert not off


def test_carry_rows_are_the_lectures_own_arithmetic() -> None:
    """The slack is used exactly on the carries, each is the lecture's arithmetic, and each needs it."""
    slack_rows = collections.Counter((r.line, r.quantity, r.printed) for r in PRINTED if r.slack)
    assert set(slack_rows) == set(CARRIES)
    assert sum(slack_rows.values()) == 13
    for (line, quantity, printed), arithmetic in CARRIES.items():
        decimals = len(printed.split(".")[1])
        assert round(arithmetic, decimals) == float(printed), line
        # without the slack the row would fail: it is a carry, not a correctly rounded value
        assert abs(HAND[quantity] - float(printed)) > _half_unit(printed), line
    for row in PRINTED:
        if row.slack:
            assert row.slack <= 2 * _half_unit(row.printed) + 1e-15  # at most one unit
            assert row.erratum is None and "carry" in row.note


def test_table_has_the_lectures_key_numbers() -> None:
    """Headline numbers the brief lists, each present with its printed decimals."""
    printed = {(r.quantity, r.printed) for r in PRINTED}
    for pair in [("yhat", "0.7739"), ("L", "0.2563"), ("dL/dyhat", "-1.2921"), ("dyhat/dz^[3]", "0.1750"),
                 ("dL/dz^[3]", "-0.2261"), ("yhat new", "0.7823"), ("L new", "0.2455"), ("ΔL", "0.0108"),
                 ("ΔL/L (%)", "4.23"), ("yhat new", "0.7862"), ("a_1^[2] new", "0.6147"),
                 ("dL/dw_23^[2]", "-0.0194"), ("dL/dw_23^[2]", "-0.0193")]:
        assert pair in printed, pair


def test_counts() -> None:
    """331 printed numbers: 20 errata rows (9 slips), 13 carries, the rest exact-rounded. Kills L2, L3."""
    assert len(PRINTED) == 331
    assert sum(1 for r in PRINTED if r.erratum) == 20
    assert {r.erratum for r in PRINTED if r.erratum} == {f"N{i}" for i in range(1, 10)}


def test_rows_are_in_lecture_order_and_grouped_by_step() -> None:
    lines = [r.line for r in PRINTED]
    assert lines == sorted(lines)
    assert all(FIRST_LINE <= n <= LAST_LINE for n in lines)
    seen = [r.step for r in PRINTED]
    assert list(dict.fromkeys(seen)) == list(STEPS)  # each step is one contiguous block, in order
    assert sum(1 for a, b in zip(seen, seen[1:]) if a != b) == len(STEPS) - 1


def test_row_fields() -> None:
    for row in PRINTED:
        assert re.fullmatch(r"-?\d+\.\d+", row.printed), row
        assert row.quantity in HAND, row
        assert row.where and row.step
        assert (row.erratum is None) == (row.correct is None), row
        if row.correct is not None:
            assert len(row.correct.split(".")[1]) == row.decimals  # same number of decimals
        assert row.value == float(row.printed)
        assert row.tolerance == pytest.approx(_half_unit(row.printed) + row.slack)


@needs_lecture
def test_table_covers_every_number_the_lecture_prints() -> None:
    """Each decimal number on lines 119-471 of the lecture is a row, in the order printed (signs aside).

    Kills L2 (a row dropped from the table).
    """
    text = LECTURE.read_text(encoding="utf-8").split("\n")
    by_line: dict[int, list[str]] = collections.defaultdict(list)
    for row in PRINTED:
        by_line[row.line].append(row.printed.lstrip("-"))
    for n in range(FIRST_LINE, LAST_LINE + 1):
        assert re.findall(r"\d+\.\d+", text[n - 1]) == by_line.get(n, []), n
    # the example is self-contained: no number of the 1-2-3-1 network before or after
    assert "0.7739" not in "\n".join(text[: FIRST_LINE - 1] + text[LAST_LINE:])


@needs_lecture
def test_printed_values_are_negative_where_the_lecture_says() -> None:
    """A row printed negative appears with a minus on its line (or follows '- ' in a sum of negatives)."""
    text = LECTURE.read_text(encoding="utf-8").split("\n")
    for row in PRINTED:
        if row.printed.startswith("-"):
            assert re.search(r"-\s*" + re.escape(row.printed[1:]), text[row.line - 1]), _id(row)


def test_network_is_the_lectures_and_returns_fresh_copies() -> None:
    params, x, y, lr = network()
    expected = [
        ([[0.1], [0.1]], [0.1, 0.2]),
        ([[0.2, 0.1], [0.3, 0.2], [0.1, 0.3]], [0.3, 0.1, 0.2]),
        ([[0.4, 0.2, 0.6]], [0.5]),
    ]
    assert len(params) == 3
    for (W, b), (W_e, b_e) in zip(params, expected):
        assert W.dtype == float and b.dtype == float
        np.testing.assert_array_equal(W, W_e)
        np.testing.assert_array_equal(b, b_e)
    np.testing.assert_array_equal(x, [2.0])
    np.testing.assert_array_equal(y, [1.0])
    assert lr == 0.1
    params[0][0][0, 0] = 99.0
    x[0] = 99.0
    again, x2, _, _ = network()
    assert again[0][0][0, 0] == 0.1 and x2[0] == 2.0


def test_reference_values_does_not_depend_on_call_order() -> None:
    first = reference_values()
    first["yhat"] = -1.0
    assert reference_values()["yhat"] == pytest.approx(0.7739049, abs=1e-7)
