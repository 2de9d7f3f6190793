# Adversarial fixture (synthetic hw03 submission): read the reference solution's files.
# Attempts: read reference/activations.py at its real path, then search the file system (all but
# /usr, /proc, /sys, /dev) for an activations.py defining sigmoid and run it; a stolen sigmoid would
# score full points.
# Stopped by: the view: neither the checkout nor reference/ exists in it.
# expect-full: unit_step, relu, relu_grad
import os
import time

import numpy as np

PATHS = {}  # filled in by the test: the real folders, as an attacker who knows the layout would
STOLEN = {}


def _steal(path):
    try:
        with open(path) as handle:
            text = handle.read()
    except OSError as exc:
        print(f"reads_reference_by_path: {path}: {exc}")
        return False
    if "def sigmoid" not in text:
        return False
    exec(compile(text, path, "exec"), STOLEN)
    print(f"reads_reference_by_path: STOLE {path}")
    return True


def _search():
    if _steal(os.path.join(PATHS.get("reference", "reference"), "activations.py")):
        return
    seen, deadline = 0, time.monotonic() + 1.5  # within the time the tests allow for loading
    for folder, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev", "/usr")]
        seen += len(files)
        if "activations.py" in files and _steal(os.path.join(folder, "activations.py")):
            return
        if seen > 50_000 or time.monotonic() > deadline:  # a venv holds many files: stop in time
            break
    print(f"reads_reference_by_path: searched {seen} files, found no reference")


_search()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)


def sigmoid(z):
    return np.asarray(z, dtype=float)  # wrong on purpose: only a stolen sigmoid would pass


if "sigmoid" in STOLEN:
    sigmoid = STOLEN["sigmoid"]
