# Adversarial fixture (synthetic hw03 submission): write next to the submissions (a new student, a changed peer).
# Attempts: create zz_pwned.py in the submissions folder (a new student at the next run) and append
# to a peer's submission.
# Stopped by: the read-only view: the submissions folder is not in it (the grader sends the source over the channel).
# expect-full: unit_step, relu, relu_grad
import os

import numpy as np

PATHS = {}  # filled in by the test: the real folders, as an attacker who knows the layout would


def _attack():
    folder = PATHS.get("submissions", "")
    for path, mode in ((os.path.join(folder, "zz_pwned.py"), "w"), (PATHS.get("peer", ""), "a")):
        if not path:
            continue
        try:
            with open(path, mode) as handle:
                handle.write("# pwned by writes_beside_submission\n")
            print(f"writes_beside_submission: WROTE {path}")
        except OSError as exc:
            print(f"writes_beside_submission: {path}: {exc}")


_attack()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
