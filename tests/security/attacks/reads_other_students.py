# Adversarial fixture (synthetic hw03 submission): read other students' submissions and results.
# Attempts: read every file in the submissions folder, the output folder's results/, and the scratch
# folder; print what looks secret and run any peer code defining sigmoid (a stolen sigmoid scores full).
# Stopped by: the view (neither folder is in it) and a private, empty /tmp per student.
# expect-full: unit_step, relu, relu_grad
import os
import time

import numpy as np

PATHS = {}  # filled in by the test: the real folders, as an attacker who knows the layout would
STOLEN = {}


def _read_all(folder, deadline):
    found = []  # what looks like a secret or a peer's solution (a venv under /tmp is visible there: skip libraries)
    for root, _dirs, files in os.walk(folder):
        if time.monotonic() > deadline:  # within the time the tests allow for loading
            break
        for name in files:
            try:
                with open(os.path.join(root, name), errors="replace") as handle:
                    text = handle.read(1 << 20)
            except OSError:
                continue
            if "SECRET" in text or "def sigmoid(z" in text:
                found.append(text)
    return found


def _attack():
    texts, deadline = [], time.monotonic() + 1.5
    for folder in (PATHS.get("submissions"), PATHS.get("output"), os.getcwd(), "/tmp"):
        if folder:
            texts += _read_all(folder, deadline)
    print(f"reads_other_students: read {len(texts)} files")
    for text in texts:
        for line in text.splitlines():
            if "SECRET" in line:
                print(f"reads_other_students: {line}")
        if "def sigmoid" in text and not STOLEN:
            try:
                exec(text, STOLEN)
            except Exception:
                STOLEN.clear()


_attack()


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
