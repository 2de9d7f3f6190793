"""Lecture 03's 1-2-3-1 example computed by hand: plain scalars, math.exp/log, one line per slide formula.

Independent of the package under test (no numpy, no `reference` import): it follows the lecture's
slides (steps 1-8 with the full chain dL/dyhat * dyhat/dz, not the yhat - y shortcut the reference uses)
and names each quantity like `reference.lecture.reference_values()` does, so the two can be compared key
by key.
"""
from __future__ import annotations

import math

X1, Y, LR = 2.0, 1.0, 0.1


def sig(z: float) -> float:
    """Logistic sigmoid 1 / (1 + e^-z)."""
    return 1.0 / (1.0 + math.exp(-z))


def lecture_weights() -> dict[str, float]:
    """The lecture's initial weights w_{ij}^{[l]} (from input i into neuron j; i = 0 is the bias)."""
    return {
        "w_01^[1]": 0.1, "w_11^[1]": 0.1, "w_02^[1]": 0.2, "w_12^[1]": 0.1,
        "w_01^[2]": 0.3, "w_11^[2]": 0.2, "w_21^[2]": 0.1,
        "w_02^[2]": 0.1, "w_12^[2]": 0.3, "w_22^[2]": 0.2,
        "w_03^[2]": 0.2, "w_13^[2]": 0.1, "w_23^[2]": 0.3,
        "w_0^[3]": 0.5, "w_1^[3]": 0.4, "w_2^[3]": 0.2, "w_3^[3]": 0.6,
    }


def forward_pass(w: dict[str, float], tag: str = "") -> dict[str, float]:
    """z and a of every neuron, yhat and the loss, for the weights w."""
    v: dict[str, float] = {}
    a1 = {}
    for j in (1, 2):
        z = w[f"w_0{j}^[1]"] + w[f"w_1{j}^[1]"] * X1
        a1[j] = sig(z)
        v[f"z_{j}^[1]{tag}"], v[f"a_{j}^[1]{tag}"] = z, a1[j]
    a2 = {}
    for j in (1, 2, 3):
        z = w[f"w_0{j}^[2]"] + w[f"w_1{j}^[2]"] * a1[1] + w[f"w_2{j}^[2]"] * a1[2]
        a2[j] = sig(z)
        v[f"z_{j}^[2]{tag}"], v[f"a_{j}^[2]{tag}"] = z, a2[j]
    z3 = w["w_0^[3]"] + w["w_1^[3]"] * a2[1] + w["w_2^[3]"] * a2[2] + w["w_3^[3]"] * a2[3]
    yhat = sig(z3)
    v[f"z_1^[3]{tag}"], v[f"yhat{tag}"] = z3, yhat
    v[f"L{tag}"] = -(Y * math.log(yhat) + (1.0 - Y) * math.log(1.0 - yhat))
    return v


def lecture_values() -> dict[str, float]:
    """Every quantity of the worked example at full precision, computed slide by slide."""
    w = lecture_weights()
    v: dict[str, float] = {"x_1": X1, "y": Y, "lr": LR, **w}
    v.update(forward_pass(w))
    yhat = v["yhat"]
    v["log(yhat)"] = math.log(yhat)
    v["1-yhat"] = 1.0 - yhat
    # Step 1
    v["dL/dyhat"] = -Y / yhat + (1.0 - Y) / (1.0 - yhat)
    v["dyhat/dz^[3]"] = yhat * (1.0 - yhat)
    dz3 = v["dL/dz^[3]"] = v["dL/dyhat"] * v["dyhat/dz^[3]"]
    # Step 2
    v["dL/dw_0^[3]"] = dz3
    for i in (1, 2, 3):
        v[f"dL/dw_{i}^[3]"] = dz3 * v[f"a_{i}^[2]"]
    # Steps 3 and 4
    for i in (1, 2, 3):
        a = v[f"a_{i}^[2]"]
        v[f"dL/da_{i}^[2]"] = dz3 * w[f"w_{i}^[3]"]
        v[f"1-a_{i}^[2]"] = 1.0 - a
        v[f"a_{i}^[2](1-a_{i}^[2])"] = a * (1.0 - a)
        v[f"dL/dz_{i}^[2]"] = v[f"dL/da_{i}^[2]"] * a * (1.0 - a)
    # Step 5
    for j in (1, 2, 3):
        v[f"dL/dw_0{j}^[2]"] = v[f"dL/dz_{j}^[2]"]
        for i in (1, 2):
            v[f"dL/dw_{i}{j}^[2]"] = v[f"dL/dz_{j}^[2]"] * v[f"a_{i}^[1]"]
    # Steps 6 and 7
    for i in (1, 2):
        for j in (1, 2, 3):
            v[f"dL/dz_{j}^[2]·w_{i}{j}^[2]"] = v[f"dL/dz_{j}^[2]"] * w[f"w_{i}{j}^[2]"]
        v[f"dL/da_{i}^[1]"] = sum(v[f"dL/dz_{j}^[2]·w_{i}{j}^[2]"] for j in (1, 2, 3))
        a = v[f"a_{i}^[1]"]
        v[f"1-a_{i}^[1]"] = 1.0 - a
        v[f"a_{i}^[1](1-a_{i}^[1])"] = a * (1.0 - a)
        v[f"dL/dz_{i}^[1]"] = v[f"dL/da_{i}^[1]"] * a * (1.0 - a)
    # Step 8
    for j in (1, 2):
        v[f"dL/dw_0{j}^[1]"] = v[f"dL/dz_{j}^[1]"]
        v[f"dL/dw_1{j}^[1]"] = v[f"dL/dz_{j}^[1]"] * X1
    # Updates w <- w - lr dL/dw, then the verification pass
    new = {name: value - LR * v[f"dL/d{name}"] for name, value in w.items()}
    for name, value in new.items():
        v[f"{name} new"] = value
        v[f"Δ{name}"] = value - w[name]
    v.update(forward_pass(new, " new"))
    v["ΔL"] = v["L"] - v["L new"]
    v["ΔL/L (%)"] = 100.0 * v["ΔL"] / v["L"]
    return v
