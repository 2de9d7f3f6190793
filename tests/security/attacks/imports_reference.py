# Adversarial fixture (synthetic hw03 submission): import the reference solution.
# Attempts: `import reference.activations`, the same after putting the grader's checkout on sys.path,
# and loading reference/activations.py by file location; a stolen sigmoid would score full points.
# Stopped by: the import barrier (ModuleNotFoundError for reference, assignments, grader) and the view (the files are not there).
# expect-full: unit_step, relu, relu_grad
import importlib.util
import os
import sys

import numpy as np

PATHS = {}  # filled in by the test: the real folders, as an attacker who knows the layout would
STOLEN = None

try:
    import reference.activations as STOLEN
except ImportError as exc:
    print(f"imports_reference: import: {exc}")
if STOLEN is None and PATHS.get("repo"):
    sys.path.insert(0, PATHS["repo"])
    try:
        import reference.activations as STOLEN
    except ImportError as exc:
        print(f"imports_reference: import via sys.path: {exc}")
if STOLEN is None:
    try:
        spec = importlib.util.spec_from_file_location(
            "stolen", os.path.join(PATHS.get("reference", "reference"), "activations.py"))
        STOLEN = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(STOLEN)
    except Exception as exc:
        STOLEN = None
        print(f"imports_reference: load by path: {type(exc).__name__}: {exc}")


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)


def sigmoid(z):
    return np.asarray(z, dtype=float)  # wrong on purpose: only a stolen sigmoid would pass


if STOLEN is not None:
    sigmoid = STOLEN.sigmoid
