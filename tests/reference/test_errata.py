"""The lecture's errata (reference/ERRATA.md): the reference gives the correct value, not the printed one.

Each numeric erratum is re-derived by hand (scalar arithmetic with math.exp, written out below), shown
to be what the reference computes, and shown to differ from the printed number by more than its
rounding. The formula-level slips that concern computable things (F2-F5, F7-F9) are checked against
the reference and finite differences; the ReLU-MSE case split (F5) gets its own batch tests.

Mutations killed (scratch copy, ids as in the report): N1/N2 tests: M2, M8; N3: M5, M8; N4: M6, M8, M9;
N5/N6: M3, M6, M8; N7: M1, M6, M8; N8/N9: M1, M3, M6, M8, M13; erratum-row listing: L3; the others
are named in their docstrings.
"""
from __future__ import annotations

import math
import pathlib
import re

import numpy as np
import pytest

import reference
from reference import (
    backward,
    bce_grad,
    chain_jacobians,
    forward,
    jacobian_elementwise,
    jacobian_scalar_add,
    jacobian_sum,
    leaky_relu_grad,
    mse_cost,
    mse_grad,
    neuron_grad,
    relu,
    relu_grad,
    relu_neuron,
    sgd_step,
)
from reference.lecture import PRINTED, network
from tests.reference._fd import fd_gradient, fd_jacobian
from tests.reference._hand import lecture_values

ERRATA_MD = pathlib.Path(reference.__file__).with_name("ERRATA.md")


def s(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# Hand forward pass of the lecture network (slide "Forward Propagation").
A11, A12 = s(0.1 + 0.1 * 2.0), s(0.2 + 0.1 * 2.0)
A21 = s(0.3 + 0.2 * A11 + 0.1 * A12)
A22 = s(0.1 + 0.3 * A11 + 0.2 * A12)
A23 = s(0.2 + 0.1 * A11 + 0.3 * A12)
YHAT = s(0.5 + 0.4 * A21 + 0.2 * A22 + 0.6 * A23)


def _reference_pass() -> tuple[list, list, list, list]:
    params, x, y, lr = network()
    zs, acts = forward(params, x)
    grads = backward(params, zs, acts, y)
    new = sgd_step(params, grads, lr)
    return params, acts, grads, new


def _differs(value: float, printed: str) -> bool:
    decimals = len(printed.split(".")[1])
    return abs(value - float(printed)) > 0.5 * 10.0 ** -decimals


# id -> (printed strings, correct strings, lines), typed in from ERRATA.md / the lecture.
NUMERIC = {
    "N1": ({"0.6075", "0.3925"}, {"0.6076", "0.3924"}, {150, 265, 285}),
    "N2": ({"0.7740"}, {"0.7739"}, {161, 245, 249, 470}),
    "N3": ({"-1.2922"}, {"-1.2921"}, {253}),
    "N4": ({"-0.1356"}, {"-0.1357"}, {285}),
    "N5": ({"-0.1393", "0.01393"}, {"-0.1394", "0.01394"}, {349}),
    "N6": ({"-0.1373", "0.01373"}, {"-0.1374", "0.01374"}, {353}),
    "N7": ({"-0.0193", "0.00193"}, {"-0.0194", "0.00194"}, {379}),
    "N8": ({"0.6147"}, {"0.6174"}, {431}),
    "N9": ({"0.7862"}, {"0.7823"}, {470}),
}


def test_N1_a3_of_layer2_is_0_6076_not_0_6075() -> None:
    _, acts, _, _ = _reference_pass()
    assert f"{A23:.4f}" == "0.6076" and f"{1 - A23:.4f}" == "0.3924"
    assert acts[2][2] == pytest.approx(A23, abs=1e-12)
    assert _differs(acts[2][2], "0.6075") and _differs(1 - acts[2][2], "0.3925")


def test_N2_yhat_is_0_7739_not_0_7740() -> None:
    _, acts, _, _ = _reference_pass()
    assert f"{YHAT:.4f}" == "0.7739"
    assert acts[3][0] == pytest.approx(YHAT, abs=1e-12)
    assert _differs(acts[3][0], "0.7740")
    # line 161: "log(0.7740) ≈ -0.2563" is false; -0.2563 is log(yhat)
    assert f"{math.log(0.7740):.4f}" == "-0.2562" and f"{math.log(YHAT):.4f}" == "-0.2563"


def test_N3_dL_dyhat_is_minus_1_2921() -> None:
    hand = -1.0 / YHAT  # y = 1
    assert f"{hand:.4f}" == "-1.2921"
    _, acts, _, _ = _reference_pass()
    got = float(bce_grad(1.0, acts[3])[0])
    assert got == pytest.approx(hand, abs=1e-12)
    assert _differs(got, "-1.2922")


def test_N4_dL_da3_of_layer2_is_minus_0_1357() -> None:
    hand = (YHAT - 1.0) * 0.6  # dL/dz^[3] x w_3^[3]
    assert f"{hand:.4f}" == "-0.1357"
    params, acts, grads, _ = _reference_pass()
    delta3 = grads[2][1]  # dL/dz^[3] (the bias gradient of the output layer)
    got = float((params[2][0].T @ delta3)[2])
    assert got == pytest.approx(hand, abs=1e-12)
    assert _differs(got, "-0.1356")


@pytest.mark.parametrize("eid, i, printed, correct", [("N5", 0, "-0.1393", "-0.1394"), ("N6", 2, "-0.1373", "-0.1374")])
def test_N5_N6_output_weight_gradients(eid: str, i: int, printed: str, correct: str) -> None:
    hand = (YHAT - 1.0) * [A21, A22, A23][i]
    assert f"{hand:.4f}" == correct
    _, _, grads, new = _reference_pass()
    got = float(grads[2][0][0, i])
    assert got == pytest.approx(hand, abs=1e-12)
    assert _differs(got, printed)
    increment = float(new[2][0][0, i]) - [0.4, 0.2, 0.6][i]
    assert f"{-0.1 * hand:.5f}" == correct.replace("-0.", "0.0")
    assert increment == pytest.approx(-0.1 * hand, abs=1e-12)
    assert _differs(increment, printed.replace("-0.", "0.0"))


def test_N7_dL_dw23_of_layer2_is_minus_0_0194() -> None:
    dz3 = (-1.0 / YHAT) * YHAT * (1 - YHAT)  # step 1, as on the slide
    dz23 = dz3 * 0.6 * A23 * (1 - A23)  # steps 3-4
    hand = dz23 * A12  # step 5: w_23 connects a_2^[1] to neuron 3
    assert f"{hand:.4f}" == "-0.0194" and f"{-0.1 * hand:.5f}" == "0.00194"
    _, _, grads, new = _reference_pass()
    got = float(grads[1][0][2, 1])
    assert got == pytest.approx(hand, abs=1e-12)
    assert _differs(got, "-0.0193")
    assert _differs(float(new[1][0][2, 1]) - 0.3, "0.00193")


def test_N8_new_a1_of_layer2_is_0_6174_and_N9_new_prediction_is_0_7823() -> None:
    hand = lecture_values()  # slide-by-slide scalar computation (tests/reference/_hand.py)
    assert f"{hand['a_1^[2] new']:.4f}" == "0.6174"
    assert f"{hand['yhat new']:.4f}" == "0.7823"
    params, x, _, _ = network()
    _, _, _, new = _reference_pass()
    _, acts_new = forward(new, x)
    assert acts_new[2][0] == pytest.approx(hand["a_1^[2] new"], abs=1e-12)
    assert acts_new[3][0] == pytest.approx(hand["yhat new"], abs=1e-12)
    assert _differs(acts_new[2][0], "0.6147")
    assert _differs(acts_new[3][0], "0.7862")
    # the printed z_1^[3] = 1.2794 is right; with the typo 0.6147 the displayed sum would be 1.2782
    assert f"{0.5226 + 0.4139 * 0.6147 + 0.2135 * 0.5973 + 0.6137 * 0.6089:.4f}" == "1.2782"
    assert f"{hand['z_1^[3] new']:.4f}" == "1.2794"


def test_every_erratum_row_is_listed_and_the_reference_gives_the_correct_value() -> None:
    hand = lecture_values()
    for eid, (printed, correct, lines) in NUMERIC.items():
        rows = [r for r in PRINTED if r.erratum == eid]
        assert {r.printed for r in rows} == printed, eid
        assert {r.correct for r in rows} == correct, eid
        assert {r.line for r in rows} == lines, eid
        for row in rows:
            value = hand[row.quantity]
            assert f"{value:.{row.decimals}f}" == row.correct, (eid, row.quantity)
            assert _differs(value, row.printed), (eid, row.quantity)


def _errata_rows() -> dict[str, str]:
    rows = {}
    for line in ERRATA_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*([NF]\d+)\s*\|", line)
        if m:
            rows[m.group(1)] = line
    return rows


def test_errata_md_lists_every_numeric_erratum_with_printed_and_correct_values() -> None:
    rows = _errata_rows()
    assert {k for k in rows if k.startswith("N")} == set(NUMERIC)
    for eid, (printed, correct, lines) in NUMERIC.items():
        cells = [c.strip() for c in rows[eid].split("|")]
        where, shown, right = cells[2], cells[3], cells[4]
        for p in printed:
            assert p in shown, (eid, p)
        for c in correct:
            assert c in right, (eid, c)
        for n in lines:
            assert str(n) in where, (eid, n)


def test_errata_md_lists_the_formula_level_slips() -> None:
    rows = _errata_rows()
    assert {k for k in rows if k.startswith("F")} == {f"F{i}" for i in range(1, 12)}
    assert "gamma" in rows["F2"] and "0^T - du/dw" in rows["F4"]
    assert "inside the sum" in rows["F5"] and "z_i = w.x_i + b > 0" in rows["F5"]


# --- F5: the ReLU neuron's MSE gradient keeps the case split inside the sum -------------------------

# Hand example: samples 0 and 2 active (z = 1.1, 0.85), samples 1 and 3 inactive (z = -1.15, -0.9).
X4 = np.array([[1.0, 2.0], [-3.0, 1.0], [2.0, -1.0], [-1.0, -2.0]])
W4, B4 = np.array([0.5, 0.25]), 0.1
Y4 = np.array([1.0, 0.5, 2.0, -1.0])
# (2/N) sum_active e_i (x_i, 1) with e_0 = 0.1, e_2 = -1.15, 2/N = 0.5
DW4, DB4 = np.array([-1.1, 0.675]), -0.525
# the "split outside" reading with every sample's error: e = (0.1, -1.65, -1.15, 0.1)
DW4_OUTSIDE, DB4_OUTSIDE = np.array([1.325, -0.25]), -1.3


def _split_inside_loop(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    dw, db = np.zeros_like(w), 0.0
    for xi, yi in zip(X, y):
        z = float(xi @ w + b)
        if z > 0:
            dw += 2.0 / len(X) * (z - yi) * xi
            db += 2.0 / len(X) * (z - yi)
    return dw, db


def _split_outside(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Line 842 read as 'active: (2/N) sum over all i of e_i x_i'."""
    e = X @ w + b - y
    return 2.0 / len(X) * (X.T @ e), float(2.0 / len(X) * e.sum())


def test_F5_mse_grad_on_a_hand_worked_mixed_batch() -> None:
    """Kills R1 split outside the sum, R2 dropped factor 2, R6 error sign y - z, R7 division by the
    active count, R11 mse_cost without the square, R12 relu_neuron without bias."""
    dw, db = mse_grad(W4, B4, X4, Y4)
    np.testing.assert_allclose(dw, DW4, atol=1e-12)
    assert db == pytest.approx(DB4, abs=1e-12)
    np.testing.assert_allclose(_split_inside_loop(W4, B4, X4, Y4)[0], DW4, atol=1e-12)
    assert mse_cost(W4, B4, X4, Y4) == pytest.approx((0.01 + 0.25 + 1.3225 + 1.0) / 4, abs=1e-12)
    # the two readings of the slide's final formula both differ from the true gradient
    out_w, out_b = _split_outside(W4, B4, X4, Y4)
    np.testing.assert_allclose(out_w, DW4_OUTSIDE, atol=1e-12)
    assert out_b == pytest.approx(DB4_OUTSIDE, abs=1e-12)
    assert np.abs(out_w - dw).max() > 1.0 and abs(out_b - db) > 0.5
    assert np.abs(dw).max() > 0.5  # "0 unless every sample is active" would give 0 here
    # and finite differences of the cost side with mse_grad
    np.testing.assert_allclose(fd_gradient(lambda w: mse_cost(w, B4, X4, Y4), W4), DW4, atol=1e-7)
    assert fd_gradient(lambda b: mse_cost(W4, float(b[0]), X4, Y4), np.array([B4]))[0] == pytest.approx(DB4, abs=1e-7)


@pytest.mark.parametrize("seed", range(25))
def test_F5_mse_grad_keeps_the_split_per_sample_on_random_mixed_batches(seed: int) -> None:
    """Against a per-sample loop and finite differences; the outside reading differs. Kills R1, R2, R6, R7,
    R11, R12."""
    rng = np.random.default_rng(seed)
    n, N = int(rng.integers(1, 5)), int(rng.integers(4, 12))
    w, b = rng.normal(size=n), float(rng.normal())
    X = rng.normal(size=(N, n))
    z = X @ w + b
    X, z = X[np.abs(z) > 0.05], z[np.abs(z) > 0.05]  # away from the kink, for the finite differences
    if not (np.any(z > 0) and np.any(z < 0)):  # make the batch mixed
        X = np.vstack([X, (1.0 - b) * w / (w @ w), (-1.0 - b) * w / (w @ w)])
    y = rng.normal(size=X.shape[0])
    dw, db = mse_grad(w, b, X, y)
    loop_w, loop_b = _split_inside_loop(w, b, X, y)
    np.testing.assert_allclose(dw, loop_w, atol=1e-12)
    assert db == pytest.approx(loop_b, abs=1e-12)
    np.testing.assert_allclose(dw, fd_gradient(lambda v: mse_cost(v, b, X, y), w), atol=1e-6)
    assert db == pytest.approx(fd_gradient(lambda v: mse_cost(w, float(v[0]), X, y), np.array([b]))[0], abs=1e-6)
    out_w, out_b = _split_outside(w, b, X, y)
    inactive = (X @ w + b) <= 0
    # the outside reading is off by exactly the inactive samples' terms
    np.testing.assert_allclose(out_w - dw, 2.0 / len(X) * X[inactive].T @ (X[inactive] @ w + b - y[inactive]),
                               atol=1e-12)
    assert not (np.allclose(out_w, dw) and np.isclose(out_b, db))


# --- other formula-level slips --------------------------------------------------------------------

def test_F2_output_layer_gradient_uses_the_label_y() -> None:
    """(-y/yhat + (1-y)/(1-yhat)) yhat (1-yhat) a = (yhat - y) a, for a fractional label too.

    Kills M11 backward with `delta = acts[-1] - 1` (label ignored), M6 `y - yhat`, M8 forward without bias.
    """
    params, x, _, _ = network()
    zs, acts = forward(params, x)
    for y in (0.0, 0.3, 1.0):
        dW3, db3 = backward(params, zs, acts, np.array([y]))[2]
        yh = YHAT
        chain = (-y / yh + (1 - y) / (1 - yh)) * yh * (1 - yh)
        assert float(db3[0]) == pytest.approx(chain, abs=1e-12)
        np.testing.assert_allclose(dW3[0], chain * np.array([A21, A22, A23]), atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_F4_dv_dw_is_minus_du_dw(seed: int) -> None:
    """v = y - u: dv/dw = 0^T - du/dw (the slide drops the minus). Kills R12 relu_neuron without bias."""
    rng = np.random.default_rng(seed)
    w, x = rng.normal(size=3), rng.normal(size=3)
    b = 1.0 - float(w @ x)  # z = 1 > 0: active, away from the kink
    y = float(rng.normal())
    du_dw, _ = neuron_grad(w, b, x)
    dv_dw = fd_gradient(lambda v: y - relu_neuron(v, b, x[None, :])[0], w)
    np.testing.assert_allclose(dv_dw, -du_dw, atol=1e-8)
    np.testing.assert_allclose(du_dw, x)


def test_F3_derivative_wrt_the_added_scalar_is_a_column_of_ones() -> None:
    """Kills J5 (d/dz returned as a (1, n) row)."""
    x, z = np.array([1.0, -2.0, 0.5]), 0.7
    J = jacobian_scalar_add(x, z, "z")
    assert J.shape == (3, 1)
    np.testing.assert_allclose(J, fd_jacobian(lambda v: x + v[0] * np.ones(3), np.array([z])), atol=1e-9)


def test_F7_relu_derivative_is_0_at_the_kink_by_convention() -> None:
    """Kills A3 (`>=` in relu_grad), A4 (leaky_relu_grad 0 for z <= 0)."""
    assert relu_grad(np.array([0.0]))[0] == 0.0
    assert relu_grad(np.array([-1e-300, 1e-300])).tolist() == [0.0, 1.0]
    assert leaky_relu_grad(np.array([0.0]), alpha=0.2)[0] == 0.2


def test_F8_jacobian_of_broadcast_relu_is_diagonal() -> None:
    """Kills A7 (relu = |z|)."""
    x = np.array([1.5, -0.5, 0.25, -2.0])
    J = fd_jacobian(relu, x)
    assert J.shape == (4, 4)
    np.testing.assert_allclose(J, np.diag(relu_grad(x)), atol=1e-9)


def test_F9_dot_product_is_the_sum_of_the_elementwise_product() -> None:
    """d(w.x)/dw = d sum(u)/du  d(w (x) x)/dw = 1^T diag(x) = x^T (slide 'Gradient of Neuron Activation').

    Kills J3 (d(w*x)/dw = diag(w)), J4 (J_g @ J_f), J9 (jacobian_sum a column).
    """
    w, x = np.array([0.3, -1.0, 2.0]), np.array([1.5, 0.5, -4.0])
    J = chain_jacobians(jacobian_sum(w * x), jacobian_elementwise("*", w, x, "w"))
    np.testing.assert_allclose(J, x[None, :])
    np.testing.assert_allclose(J, fd_jacobian(lambda v: np.array([v @ x]), w), atol=1e-9)
