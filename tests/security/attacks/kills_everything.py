# Adversarial fixture (synthetic hw03 submission): kill -9 -1: every process it may signal.
# Attempts: os.kill(-1, SIGKILL) at import. Without isolation, run as root, this kills every process
# on the machine (never run it without namespaces: the test suite skips it then).
# Stopped by: its own PID namespace (only its init and itself are in it; kill(-1) spares both) and an unprivileged uid.
# expect-full: unit_step, relu, relu_grad
import os
import signal

import numpy as np

try:
    os.kill(-1, signal.SIGKILL)
except OSError as exc:
    print(f"kills_everything: {exc}")


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
