# Adversarial fixture (synthetic hw03 submission): kill its own process group from inside a function.
# Attempts: leaky_relu sends SIGKILL to its process group (os.killpg(0, ...)) on every call.
# Stopped by: a session and process group of its own: only the student's own call dies (crashed); a fresh process grades the rest.
# expect-full: unit_step, relu, relu_grad
import os
import signal

import numpy as np


def leaky_relu(z, alpha=0.01):
    os.killpg(0, signal.SIGKILL)


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
