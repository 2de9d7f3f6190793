# Adversarial fixture (synthetic hw03 submission): write into the reference solution.
# Attempts: create a module in reference/ and open reference/activations.py for appending (it writes
# nothing to it, so even a failed defence leaves the file intact).
# Stopped by: the read-only view: reference/ (the whole grader checkout) is not in it.
# expect-full: unit_step, relu, relu_grad
import os

import numpy as np

PATHS = {}  # filled in by the test: the real folders, as an attacker who knows the layout would


def _attack():
    folder = PATHS.get("reference", "reference")
    try:
        with open(os.path.join(folder, "pwned_by_student.py"), "w") as handle:
            handle.write("PWNED = True\n")
        print("writes_reference: WROTE a new module")
    except OSError as exc:
        print(f"writes_reference: new module: {exc}")
    try:
        os.close(os.open(os.path.join(folder, "activations.py"), os.O_WRONLY | os.O_APPEND))
        print("writes_reference: OPENED activations.py for writing")
    except OSError as exc:
        print(f"writes_reference: activations.py: {exc}")


_attack()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
