"""hw03's known wrong formulas, for the grader's hints: the lecture's slip in the ReLU neuron's MSE gradient."""
from __future__ import annotations

from typing import Any

import numpy as np


def lecture_mse(args: dict[str, Any]) -> list[tuple[Any, str]]:
    """mse_grad with the ReLU case split pulled outside the sum over samples (reference/ERRATA.md, F5):
    either every sample counted as active, or none."""
    X = np.asarray(args["X"], dtype=float)
    z = X @ np.asarray(args["w"], dtype=float) + float(args["b"])
    err = z - np.asarray(args["y"], dtype=float)
    n, active = X.shape[0], int(np.sum(z > 0))
    if active in (0, n):
        return []  # the loose formula is right when every sample is on the same side
    why = ("the lecture's last slides pull the case split outside the sum (reference/ERRATA.md, F5); keep it "
           f"inside: a sample counts only when its own z_i > 0 ({active} of {n} do here)")
    return [((2.0 / n * (X.T @ err), 2.0 / n * float(err.sum())),
             f"equals (2/N) sum over ALL {n} samples of e_i (x_i, 1): {why}."),
            ((np.zeros(X.shape[1]), 0.0), f"is zero, as if no sample were active: {why}.")]


# Contract function -> its known wrong formulas (see "Hints" in the README): from the case's inputs
# by parameter name, each (wrong value, what it means, completing "The result ...").
MISTAKES = {"mse_grad": lecture_mse}
