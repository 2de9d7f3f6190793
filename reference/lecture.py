"""Lecture 03's 1-2-3-1 sigmoid worked example as data: the network, every printed number, its exact value."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference.activations import sigmoid_grad
from reference.mlp import Params, backward, bce_grad, bce_loss, forward, sgd_step

#: The lecture text this table transcribes (line numbers below refer to it).
LECTURE_FILE = "/work/shared/seeds/000_e6f92f41711917f8.txt"

#: Every printed number of the worked example sits on lines FIRST_LINE..LAST_LINE of the lecture.
FIRST_LINE, LAST_LINE = 119, 471


def network() -> tuple[Params, np.ndarray, np.ndarray, float]:
    """Fresh copies of (params, x, y, lr): W1 (2, 1), W2 (3, 2), W3 (1, 3); x = [2.0], y = [1.0], lr = 0.1."""
    params: Params = [
        (np.array([[0.1], [0.1]]), np.array([0.1, 0.2])),
        (np.array([[0.2, 0.1], [0.3, 0.2], [0.1, 0.3]]), np.array([0.3, 0.1, 0.2])),
        (np.array([[0.4, 0.2, 0.6]]), np.array([0.5])),
    ]
    return params, np.array([2.0]), np.array([1.0]), 0.1


def _weight_names(params: Params, suffix: str = "", prefix: str = "") -> dict[str, float]:
    """The lecture's names for the entries of params: w_{ij}^{[l]} = W_l[j-1, i-1], w_{0j}^{[l]} = b_l[j-1].

    The output layer has one neuron, so the lecture drops j there: w_i^{[3]}.
    """
    names: dict[str, float] = {}
    last = len(params) - 1
    for layer, (W, b) in enumerate(params):
        W = np.asarray(W, dtype=float)
        b = np.asarray(b, dtype=float)
        for j in range(W.shape[0]):
            col = "" if layer == last else str(j + 1)
            names[f"{prefix}w_0{col}^[{layer + 1}]{suffix}"] = float(b[j])
            for i in range(W.shape[1]):
                names[f"{prefix}w_{i + 1}{col}^[{layer + 1}]{suffix}"] = float(W[j, i])
    return names


def reference_values() -> dict[str, float]:
    """Exact value (float64) of every quantity the lecture prints, computed with the reference functions.

    The verification pass ("... new") is the forward pass with the exact (unrounded) weights returned
    by sgd_step; see ERRATA.md, "What is the correct value".
    """
    params, x, y, lr = network()
    zs, acts = forward(params, x)
    grads = backward(params, zs, acts, y)
    new = sgd_step(params, grads, lr)
    zs_new, acts_new = forward(new, x)

    v: dict[str, float] = {"x_1": float(x[0]), "y": float(y[0]), "lr": lr}
    v.update(_weight_names(params))
    v.update(_weight_names(grads, prefix="dL/d"))
    v.update(_weight_names(new, suffix=" new"))
    old = _weight_names(params)
    for name, value in _weight_names(new).items():
        v[f"Δ{name}"] = value - old[name]  # printed as "+ 0.0226", i.e. -lr * dL/dw

    for tag, zz, aa in (("", zs, acts), (" new", zs_new, acts_new)):
        for layer in (0, 1):
            for j in range(zz[layer].shape[0]):
                v[f"z_{j + 1}^[{layer + 1}]{tag}"] = float(zz[layer][j])
                v[f"a_{j + 1}^[{layer + 1}]{tag}"] = float(aa[layer + 1][j])
        v[f"z_1^[3]{tag}"] = float(zz[2][0])
        v[f"yhat{tag}"] = float(aa[3][0])
        v[f"L{tag}"] = bce_loss(y, aa[3])

    yhat = acts[3]
    v["log(yhat)"] = -bce_loss(1.0, yhat)  # y = 1: L = -log(yhat)
    v["1-yhat"] = float(1.0 - yhat[0])
    v["dL/dyhat"] = float(bce_grad(y, yhat)[0])
    v["dyhat/dz^[3]"] = float(sigmoid_grad(zs[2])[0])
    v["dL/dz^[3]"] = float(grads[2][1][0])  # backward's delta of the output layer

    W2, W3 = params[1][0], params[2][0]
    delta3, delta2, delta1 = grads[2][1], grads[1][1], grads[0][1]
    dL_da2 = W3.T @ delta3
    dL_da1 = W2.T @ delta2
    for layer, dL_da, delta in ((1, dL_da1, delta1), (2, dL_da2, delta2)):
        s = sigmoid_grad(zs[layer - 1])
        for j in range(delta.shape[0]):
            v[f"dL/da_{j + 1}^[{layer}]"] = float(dL_da[j])
            v[f"1-a_{j + 1}^[{layer}]"] = float(1.0 - acts[layer][j])
            v[f"a_{j + 1}^[{layer}](1-a_{j + 1}^[{layer}])"] = float(s[j])
            v[f"dL/dz_{j + 1}^[{layer}]"] = float(delta[j])
    for i in range(W2.shape[1]):  # step 6 terms: dL/dz_j^[2] * w_ij^[2]
        for j in range(W2.shape[0]):
            v[f"dL/dz_{j + 1}^[2]·w_{i + 1}{j + 1}^[2]"] = float(delta2[j] * W2[j, i])

    v["ΔL"] = v["L"] - v["L new"]
    v["ΔL/L (%)"] = 100.0 * v["ΔL"] / v["L"]
    return v


@dataclass(frozen=True)
class Printed:
    """One number as printed in the lecture, where it is, and which exact quantity it stands for."""

    line: int  # line of LECTURE_FILE
    step: str  # slide / backprop step (the replay groups by it)
    where: str  # what the line computes, in the lecture's words
    quantity: str  # key of reference_values()
    printed: str  # exactly as printed (sign included; the replay and tests take decimals from it)
    erratum: str | None = None  # id of the ERRATA.md entry when the printed number is a slip
    correct: str | None = None  # errata only: the value as it should have been printed
    slack: float = 0.0  # documented extra tolerance (rounding carried from 4-decimal inputs), else 0
    note: str = ""

    @property
    def decimals(self) -> int:
        """Number of decimals printed."""
        return len(self.printed.split(".")[1]) if "." in self.printed else 0

    @property
    def value(self) -> float:
        """The printed number as a float."""
        return float(self.printed)

    @property
    def tolerance(self) -> float:
        """Half a unit of the last printed decimal, plus the documented slack."""
        return 0.5 * 10.0 ** -self.decimals + self.slack

    def agrees_with(self, exact: float) -> bool:
        """True when the printed number is exact rounded to its decimals (within tolerance)."""
        return abs(exact - self.value) <= self.tolerance * (1 + 1e-9)


# Cells: (printed, quantity) or (printed, quantity, {erratum/correct/slack/note}).
_Cell = tuple[str, str] | tuple[str, str, dict[str, object]]

_CARRY_NOTE = "rounding carry: 5-6 decimals computed from 4-decimal inputs (slack 1 unit)"


def _slip(eid: str, correct: str, note: str) -> dict[str, object]:
    return {"erratum": eid, "correct": correct, "note": note}


def _carry(unit: float) -> dict[str, object]:
    return {"slack": unit, "note": _CARRY_NOTE}


_A3 = _slip("N1", "0.6076", "a_3^[2] is 0.6076 (printed so on the previous slide); 0.6075 is truncated")
_YHAT = _slip("N2", "0.7739", "yhat = 0.773905 rounds to 0.7739 (printed so elsewhere); 0.7740 is a slip")

# (step, [(line, where, [cells...]), ...]) in lecture order.
_SPEC: list[tuple[str, list[tuple[int, str, list[_Cell]]]]] = [
    ("Forward pass: layer 1 (slide 'Forward Propagation')", [
        (121, "first training sample", [("2.0", "x_1")]),
        (125, "neuron 1: z = 0.1 + 0.1 x 2.0, a = 1/(1+e^-z)", [
            ("0.1", "w_01^[1]"), ("0.1", "w_11^[1]"), ("2.0", "x_1"), ("0.3", "z_1^[1]"),
            ("0.3", "z_1^[1]", {"note": "printed as the exponent e^{-0.3}"}), ("0.5744", "a_1^[1]")]),
        (126, "neuron 2: z = 0.2 + 0.1 x 2.0, a = 1/(1+e^-z)", [
            ("0.2", "w_02^[1]"), ("0.1", "w_12^[1]"), ("2.0", "x_1"), ("0.4", "z_2^[1]"),
            ("0.4", "z_2^[1]", {"note": "printed as the exponent e^{-0.4}"}), ("0.5987", "a_2^[1]")]),
    ]),
    ("Forward pass: layer 2 (slide 'Forward Propagation')", [
        (134, "neuron 1: z_1^[2]", [
            ("0.3", "w_01^[2]"), ("0.2", "w_11^[2]"), ("0.5744", "a_1^[1]"), ("0.1", "w_21^[2]"),
            ("0.5987", "a_2^[1]"), ("0.4748", "z_1^[2]")]),
        (136, "neuron 1: a_1^[2] = sigma(z_1^[2])", [("0.4748", "z_1^[2]"), ("0.6165", "a_1^[2]")]),
        (138, "neuron 2: z_2^[2]", [
            ("0.1", "w_02^[2]"), ("0.3", "w_12^[2]"), ("0.5744", "a_1^[1]"), ("0.2", "w_22^[2]"),
            ("0.5987", "a_2^[1]"), ("0.3921", "z_2^[2]")]),
        (140, "neuron 2: a_2^[2] = sigma(z_2^[2])", [("0.3921", "z_2^[2]"), ("0.5968", "a_2^[2]")]),
        (142, "neuron 3: z_3^[2]", [
            ("0.2", "w_03^[2]"), ("0.1", "w_13^[2]"), ("0.5744", "a_1^[1]"), ("0.3", "w_23^[2]"),
            ("0.5987", "a_2^[1]"), ("0.4371", "z_3^[2]")]),
        (144, "neuron 3: a_3^[2] = sigma(z_3^[2])", [("0.4371", "z_3^[2]"), ("0.6076", "a_3^[2]")]),
    ]),
    ("Forward pass: output layer (slide 'Forward Propagation')", [
        (150, "z_1^[3] = 0.5 + 0.4 a_1^[2] + 0.2 a_2^[2] + 0.6 a_3^[2]", [
            ("0.5", "w_0^[3]"), ("0.4", "w_1^[3]"), ("0.6165", "a_1^[2]"), ("0.2", "w_2^[3]"),
            ("0.5968", "a_2^[2]"), ("0.6", "w_3^[3]"), ("0.6075", "a_3^[2]", _A3), ("1.2305", "z_1^[3]")]),
        (151, "a_1^[3] = sigma(z_1^[3])", [("1.2305", "z_1^[3]"), ("0.7739", "yhat")]),
        (153, "the final output yhat", [("0.7739", "yhat")]),
    ]),
    ("Loss (slide 'Cross-Entropy Loss Calculation')", [
        (157, "given y = 1 and yhat", [("0.7739", "yhat")]),
        (159, "L = -[1 log(yhat) + 0 log(1 - yhat)] = -log(yhat)", [
            ("0.7739", "yhat"), ("0.7739", "yhat", {"note": "inside log(1 - 0.7739)"}), ("0.7739", "yhat"),
            ("-0.2563", "log(yhat)"), ("0.2563", "L")]),
        (161, "'log(0.7740) ≈ -0.2563'", [
            ("0.7740", "yhat", _slip("N2", "0.7739", "log(0.7740) = -0.2562; the -0.2563 is log(0.7739)")),
            ("-0.2563", "log(yhat)")]),
    ]),
    ("Backprop step 1: output layer gradient", [
        (245, "'Recall: yhat = 0.7740'", [("0.7740", "yhat", _YHAT)]),
        (249, "dL/dyhat = -1/yhat", [
            ("0.7740", "yhat", _YHAT),
            ("-1.2921", "dL/dyhat", {"note": "right value, although -1/0.7740 = -1.2920"})]),
        (251, "dyhat/dz = yhat (1 - yhat)", [
            ("0.7739", "yhat"), ("0.2261", "1-yhat"), ("0.1750", "dyhat/dz^[3]")]),
        (253, "dL/dz^[3] = dL/dyhat x dyhat/dz", [
            ("-1.2922", "dL/dyhat", _slip("N3", "-1.2921", "dL/dyhat = -1.292148, printed -1.2921 two lines up")),
            ("0.1750", "dyhat/dz^[3]"), ("-0.2261", "dL/dz^[3]")]),
    ]),
    ("Backprop step 2: layer 3 weight gradients", [
        (259, "dL/dw_0^[3] = dL/dz^[3] x 1", [("-0.2261", "dL/dz^[3]"), ("-0.2261", "dL/dw_0^[3]")]),
        (261, "dL/dw_1^[3] = dL/dz^[3] x a_1^[2]", [
            ("0.6165", "a_1^[2]"), ("-0.2261", "dL/dz^[3]"), ("0.6165", "a_1^[2]"), ("-0.1394", "dL/dw_1^[3]")]),
        (263, "dL/dw_2^[3] = dL/dz^[3] x a_2^[2]", [
            ("0.5968", "a_2^[2]"), ("-0.2261", "dL/dz^[3]"), ("0.5968", "a_2^[2]"), ("-0.1349", "dL/dw_2^[3]")]),
        (265, "dL/dw_3^[3] = dL/dz^[3] x a_3^[2]", [
            ("0.6075", "a_3^[2]", _A3), ("-0.2261", "dL/dz^[3]"), ("0.6075", "a_3^[2]", _A3),
            ("-0.1374", "dL/dw_3^[3]")]),
    ]),
    ("Backprop step 3: backpropagate to layer 2", [
        (271, "dL/da_1^[2] = dL/dz^[3] x w_1^[3]", [
            ("-0.2261", "dL/dz^[3]"), ("0.4", "w_1^[3]"), ("-0.0904", "dL/da_1^[2]")]),
        (273, "dL/da_2^[2] = dL/dz^[3] x w_2^[3]", [
            ("-0.2261", "dL/dz^[3]"), ("0.2", "w_2^[3]"), ("-0.0452", "dL/da_2^[2]")]),
        (275, "dL/da_3^[2] = dL/dz^[3] x w_3^[3]", [
            ("-0.2261", "dL/dz^[3]"), ("0.6", "w_3^[3]"), ("-0.1357", "dL/da_3^[2]")]),
    ]),
    ("Backprop step 4: layer 2 neuron gradients", [
        (281, "dL/dz_1^[2] = dL/da_1^[2] x a(1-a)", [
            ("-0.0904", "dL/da_1^[2]"), ("0.6165", "a_1^[2]"), ("0.3835", "1-a_1^[2]"),
            ("-0.0904", "dL/da_1^[2]"), ("0.2364", "a_1^[2](1-a_1^[2])"), ("-0.0214", "dL/dz_1^[2]")]),
        (283, "dL/dz_2^[2] = dL/da_2^[2] x a(1-a)", [
            ("-0.0452", "dL/da_2^[2]"), ("0.5968", "a_2^[2]"), ("0.4032", "1-a_2^[2]"),
            ("-0.0452", "dL/da_2^[2]"), ("0.2406", "a_2^[2](1-a_2^[2])"), ("-0.0109", "dL/dz_2^[2]")]),
        (285, "dL/dz_3^[2] = dL/da_3^[2] x a(1-a)", [
            ("-0.1356", "dL/da_3^[2]", _slip("N4", "-0.1357", "dL/da_3^[2] = -0.135657, printed -0.1357 in step 3")),
            ("0.6075", "a_3^[2]", _A3),
            ("0.3925", "1-a_3^[2]", _slip("N1", "0.3924", "1 - 0.607556 = 0.392444; 0.3925 is 1 - the slip 0.6075")),
            ("-0.1356", "dL/da_3^[2]", _slip("N4", "-0.1357", "dL/da_3^[2] = -0.135657")),
            ("0.2384", "a_3^[2](1-a_3^[2])"), ("-0.0323", "dL/dz_3^[2]")]),
    ]),
    ("Backprop step 5: layer 2 weight gradients", [
        (291, "dL/dw_01^[2] = dL/dz_1^[2]", [("-0.0214", "dL/dw_01^[2]")]),
        (293, "dL/dw_11^[2] = dL/dz_1^[2] x a_1^[1]", [
            ("-0.0214", "dL/dz_1^[2]"), ("0.5744", "a_1^[1]"), ("-0.0123", "dL/dw_11^[2]")]),
        (295, "dL/dw_21^[2] = dL/dz_1^[2] x a_2^[1]", [
            ("-0.0214", "dL/dz_1^[2]"), ("0.5987", "a_2^[1]"), ("-0.0128", "dL/dw_21^[2]")]),
        (299, "neuron 2: dL/dw_02^[2], dL/dw_12^[2], dL/dw_22^[2]", [
            ("-0.0109", "dL/dw_02^[2]"), ("-0.0109", "dL/dz_2^[2]"), ("0.5744", "a_1^[1]"),
            ("-0.0063", "dL/dw_12^[2]"), ("-0.0109", "dL/dz_2^[2]"), ("0.5987", "a_2^[1]"),
            ("-0.0065", "dL/dw_22^[2]")]),
        (303, "neuron 3: dL/dw_03^[2], dL/dw_13^[2], dL/dw_23^[2]", [
            ("-0.0323", "dL/dw_03^[2]"), ("-0.0323", "dL/dz_3^[2]"), ("0.5744", "a_1^[1]"),
            ("-0.0186", "dL/dw_13^[2]"), ("-0.0323", "dL/dz_3^[2]"), ("0.5987", "a_2^[1]"),
            ("-0.0194", "dL/dw_23^[2]", {"note": "right value, although -0.0323 x 0.5987 = -0.0193"})]),
    ]),
    ("Backprop step 6: backpropagate to layer 1", [
        (309, "dL/da_1^[1] = sum_j dL/dz_j^[2] w_1j^[2]", [
            ("-0.0214", "dL/dz_1^[2]"), ("0.2", "w_11^[2]"), ("-0.0109", "dL/dz_2^[2]"), ("0.3", "w_12^[2]"),
            ("-0.0323", "dL/dz_3^[2]"), ("0.1", "w_13^[2]"),
            ("-0.00428", "dL/dz_1^[2]·w_11^[2]"), ("-0.00327", "dL/dz_2^[2]·w_12^[2]", _carry(1e-5)),
            ("-0.00323", "dL/dz_3^[2]·w_13^[2]"), ("-0.01078", "dL/da_1^[1]")]),
        (311, "dL/da_2^[1] = sum_j dL/dz_j^[2] w_2j^[2]", [
            ("-0.0214", "dL/dz_1^[2]"), ("0.1", "w_21^[2]"), ("-0.0109", "dL/dz_2^[2]"), ("0.2", "w_22^[2]"),
            ("-0.0323", "dL/dz_3^[2]"), ("0.3", "w_23^[2]"),
            ("-0.00214", "dL/dz_1^[2]·w_21^[2]"), ("-0.00218", "dL/dz_2^[2]·w_22^[2]"),
            ("-0.00969", "dL/dz_3^[2]·w_23^[2]", _carry(1e-5)), ("-0.01401", "dL/da_2^[1]", _carry(1e-5))]),
    ]),
    ("Backprop step 7: layer 1 neuron gradients", [
        (315, "dL/dz_1^[1] = dL/da_1^[1] x a(1-a)", [
            ("-0.01078", "dL/da_1^[1]"), ("0.5744", "a_1^[1]"), ("0.4256", "1-a_1^[1]"),
            ("-0.01078", "dL/da_1^[1]"), ("0.2445", "a_1^[1](1-a_1^[1])"),
            ("-0.00264", "dL/dz_1^[1]", _carry(1e-5))]),
        (317, "dL/dz_2^[1] = dL/da_2^[1] x a(1-a)", [
            ("-0.01401", "dL/da_2^[1]", _carry(1e-5)), ("0.5987", "a_2^[1]"), ("0.4013", "1-a_2^[1]"),
            ("-0.01401", "dL/da_2^[1]", _carry(1e-5)), ("0.2403", "a_2^[1](1-a_2^[1])"),
            ("-0.00337", "dL/dz_2^[1]")]),
    ]),
    ("Backprop step 8: layer 1 weight gradients", [
        (321, "input x_1 = 2.0", [("2.0", "x_1")]),
        (323, "dL/dw_01^[1] = dL/dz_1^[1]", [("-0.00264", "dL/dw_01^[1]", _carry(1e-5))]),
        (325, "dL/dw_11^[1] = dL/dz_1^[1] x x_1", [
            ("-0.00264", "dL/dz_1^[1]", _carry(1e-5)), ("2.0", "x_1"), ("-0.00528", "dL/dw_11^[1]", _carry(1e-5))]),
        (329, "dL/dw_02^[1] = dL/dz_2^[1]", [("-0.00337", "dL/dw_02^[1]")]),
        (331, "dL/dw_12^[1] = dL/dz_2^[1] x x_1", [
            ("-0.00337", "dL/dz_2^[1]"), ("2.0", "x_1"), ("-0.00674", "dL/dw_12^[1]")]),
    ]),
]


def _update(line: int, name: str, old: str, grad: str, inc: str, new: str,
            grad_kw: dict[str, object] | None = None,
            inc_kw: dict[str, object] | None = None) -> tuple[int, str, list[_Cell]]:
    """One update line: 'w_new = old - 0.1 x (grad) = old + inc = new'."""
    g: _Cell = (grad, f"dL/d{name}", grad_kw) if grad_kw else (grad, f"dL/d{name}")
    i: _Cell = (inc, f"Δ{name}", inc_kw) if inc_kw else (inc, f"Δ{name}")
    return (line, f"{name} new = {name} - 0.1 dL/d{name}",
            [(old, name), ("0.1", "lr"), g, (old, name), i, (new, f"{name} new")])


_SPEC += [
    ("Weight updates: output layer (lr = 0.1)", [
        (341, "learning rate eta", [("0.1", "lr")]),
        _update(347, "w_0^[3]", "0.5", "-0.2261", "0.0226", "0.5226"),
        _update(349, "w_1^[3]", "0.4", "-0.1393", "0.01393", "0.4139",
                _slip("N5", "-0.1394", "dL/dw_1^[3] = -0.139390, printed -0.1394 in step 2"),
                _slip("N5", "0.01394", "0.1 x 0.139390 = 0.013939 (the slip -0.1393 carried)")),
        _update(351, "w_2^[3]", "0.2", "-0.1349", "0.01349", "0.2135"),
        _update(353, "w_3^[3]", "0.6", "-0.1373", "0.01373", "0.6137",
                _slip("N6", "-0.1374", "dL/dw_3^[3] = -0.137365, printed -0.1374 in step 2"),
                _slip("N6", "0.01374", "0.1 x 0.137365 = 0.0137365 (the slip -0.1373 carried)")),
    ]),
    ("Weight updates: layer 2", [
        _update(359, "w_01^[2]", "0.3", "-0.0214", "0.00214", "0.3021"),
        _update(361, "w_11^[2]", "0.2", "-0.0123", "0.00123", "0.2012"),
        _update(363, "w_21^[2]", "0.1", "-0.0128", "0.00128", "0.1013"),
        _update(367, "w_02^[2]", "0.1", "-0.0109", "0.00109", "0.1011"),
        _update(369, "w_12^[2]", "0.3", "-0.0063", "0.00063", "0.3006"),
        _update(371, "w_22^[2]", "0.2", "-0.0065", "0.00065", "0.2007"),
        _update(375, "w_03^[2]", "0.2", "-0.0323", "0.00323", "0.2032"),
        _update(377, "w_13^[2]", "0.1", "-0.0186", "0.00186", "0.1019"),
        _update(379, "w_23^[2]", "0.3", "-0.0193", "0.00193", "0.3019",
                _slip("N7", "-0.0194", "dL/dw_23^[2] = -0.0193645, printed -0.0194 in step 5"),
                _slip("N7", "0.00194", "0.1 x 0.0193645 = 0.00193645 (the slip -0.0193 carried)")),
    ]),
    ("Weight updates: layer 1", [
        _update(385, "w_01^[1]", "0.1", "-0.00264", "0.000264", "0.1003", _carry(1e-5), _carry(1e-6)),
        _update(387, "w_11^[1]", "0.1", "-0.00528", "0.000528", "0.1005", _carry(1e-5), _carry(1e-6)),
        _update(391, "w_02^[1]", "0.2", "-0.00337", "0.000337", "0.2003"),
        _update(393, "w_12^[1]", "0.1", "-0.00674", "0.000674", "0.1007"),
    ]),
    ("Verification: forward pass with the new weights", [
        (407, "z_1^[1] = w_01 + w_11 x 2.0", [
            ("0.1003", "w_01^[1] new"), ("0.1005", "w_11^[1] new"), ("2.0", "x_1"), ("0.3013", "z_1^[1] new")]),
        (409, "a_1^[1]", [("0.5748", "a_1^[1] new")]),
        (411, "z_2^[1] = w_02 + w_12 x 2.0", [
            ("0.2003", "w_02^[1] new"), ("0.1007", "w_12^[1] new"), ("2.0", "x_1"), ("0.4017", "z_2^[1] new")]),
        (413, "a_2^[1]", [("0.5991", "a_2^[1] new")]),
        (417, "z_1^[2]", [
            ("0.3021", "w_01^[2] new"), ("0.2012", "w_11^[2] new"), ("0.5748", "a_1^[1] new"),
            ("0.1013", "w_21^[2] new"), ("0.5991", "a_2^[1] new"),
            ("0.4785", "z_1^[2] new", {"note": "right value, although the rounded terms shown sum to 0.4784"})]),
        (419, "a_1^[2]", [("0.6174", "a_1^[2] new")]),
        (421, "z_2^[2]", [
            ("0.1011", "w_02^[2] new"), ("0.3006", "w_12^[2] new"), ("0.5748", "a_1^[1] new"),
            ("0.2007", "w_22^[2] new"), ("0.5991", "a_2^[1] new"), ("0.3941", "z_2^[2] new")]),
        (423, "a_2^[2]", [("0.5973", "a_2^[2] new")]),
        (425, "z_3^[2]", [
            ("0.2032", "w_03^[2] new"), ("0.1019", "w_13^[2] new"), ("0.5748", "a_1^[1] new"),
            ("0.3019", "w_23^[2] new"), ("0.5991", "a_2^[1] new"),
            ("0.4427", "z_3^[2] new", {"note": "right value, although the rounded terms shown sum to 0.4426"})]),
        (427, "a_3^[2]", [("0.6089", "a_3^[2] new")]),
        (431, "z_1^[3] = w_0 + w_1 a_1^[2] + w_2 a_2^[2] + w_3 a_3^[2]", [
            ("0.5226", "w_0^[3] new"), ("0.4139", "w_1^[3] new"),
            ("0.6147", "a_1^[2] new", _slip("N8", "0.6174", "a_1^[2] = 0.6174 (printed so 12 lines up): digits swapped")),
            ("0.2135", "w_2^[3] new"), ("0.5973", "a_2^[2] new"), ("0.6137", "w_3^[3] new"),
            ("0.6089", "a_3^[2] new"),
            ("1.2794", "z_1^[3] new", {"note": "right value; the terms shown give 1.2782 (1.2793 with 0.6174)"})]),
        (433, "yhat_new = sigma(z_1^[3])", [("1.2794", "z_1^[3] new"), ("0.7823", "yhat new")]),
    ]),
    ("Verification: new loss", [
        (437, "original and new prediction", [("0.7739", "yhat"), ("0.7823", "yhat new")]),
        (441, "original loss -log(yhat)", [("0.7739", "yhat"), ("0.2563", "L")]),
        (445, "new loss -log(yhat_new)", [("0.7823", "yhat new"), ("0.2455", "L new")]),
        (450, "Delta L and the relative reduction", [
            ("0.2563", "L"), ("0.2455", "L new"), ("0.0108", "ΔL"),
            ("4.23", "ΔL/L (%)", {"note": "right value, although 0.0108 / 0.2563 = 4.21 %"})]),
        (454, "output increased (target 1.0)", [("0.7739", "yhat"), ("0.7823", "yhat new"), ("1.0", "y")]),
        (455, "loss decreased", [("0.2563", "L"), ("0.2455", "L new")]),
    ]),
    ("Updated network visualization", [
        (468, "output bias 0.5 -> 0.5226", [("0.5", "w_0^[3]"), ("0.5226", "w_0^[3] new")]),
        (470, "'Network now predicts 0.7862 (improved from 0.7740)'", [
            ("0.7862", "yhat new", _slip("N9", "0.7823", "the new prediction is 0.7823 (printed so on slide 'Verification')")),
            ("0.7740", "yhat", _YHAT)]),
    ]),
]


def _build() -> tuple[Printed, ...]:
    rows: list[Printed] = []
    for step, lines in _SPEC:
        for line, where, cells in lines:
            for cell in cells:
                extra = cell[2] if len(cell) == 3 else {}  # type: ignore[misc]
                rows.append(Printed(line, step, where, quantity=cell[1], printed=cell[0], **extra))  # type: ignore[arg-type]
    return tuple(rows)


#: Every number printed for the 1-2-3-1 network (lines 119-471), in lecture order.
PRINTED: tuple[Printed, ...] = _build()

#: Steps in lecture order (the replay's groups).
STEPS: tuple[str, ...] = tuple(step for step, _ in _SPEC)

#: Headline values the lecture states in prose, by quantity (convenience for the replay header).
KEY_QUANTITIES: tuple[str, ...] = ("yhat", "L", "yhat new", "L new", "ΔL", "ΔL/L (%)")
