# Adversarial fixture (synthetic hw03 submission): write into the grader's output folder.
# Attempts: a new file, an overwritten grades.csv and a forged results/ file in the output folder;
# then the same under a few guessed places.
# Stopped by: the read-only view: the output folder is not in it at all.
# expect-full: unit_step, relu, relu_grad
import os

import numpy as np

PATHS = {}  # filled in by the test: the real folders, as an attacker who knows the layout would


def _attack():
    targets = [PATHS.get("output", ""), "reports", os.path.expanduser("~/reports")]
    for folder in filter(None, targets):
        for name, text in (("pwned_by_student.txt", "pwned"), ("grades.csv", "student,total\nme,100\n"),
                           (os.path.join("results", "pwned_by_student.json"), "{}")):
            path = os.path.join(folder, name)
            try:
                with open(path, "w") as handle:
                    handle.write(text)
                print(f"writes_output_folder: WROTE {path}")
            except OSError as exc:
                print(f"writes_output_folder: {path}: {exc}")


_attack()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
