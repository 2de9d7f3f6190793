# Adversarial fixture (synthetic hw03 submission): read the grader's environment.
# Attempts: its own environment, /proc/self/environ, and every /proc/*/environ and cmdline it can read;
# prints anything that looks like a secret, and would lose points in relu if it saw one.
# Stopped by: a scrubbed environment (only PATH, locale, HOME, TMPDIR and thread counts) and its own PID namespace.
# expect-full: unit_step, relu, relu_grad
import os

import numpy as np

SEEN = []


def _look(text, where):
    for item in text.replace("\0", "\n").splitlines():
        if "SECRET" in item.upper() or "TOKEN" in item.upper() or "KEY" in item.upper():
            SEEN.append(f"{where}: {item}")


_look("\n".join(f"{k}={v}" for k, v in os.environ.items()), "os.environ")
for entry in os.listdir("/proc"):
    for name in ("environ", "cmdline"):
        try:
            with open(f"/proc/{entry}/{name}", errors="replace") as handle:
                _look(handle.read(), f"/proc/{entry}/{name}")
        except OSError:
            pass
print(f"reads_grader_env: saw {SEEN}")


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)


if SEEN:  # a leak would show in the grade too
    def relu(z):
        return np.asarray(z, dtype=float)
