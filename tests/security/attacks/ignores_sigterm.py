# Adversarial fixture (synthetic hw03 submission): ignore polite signals and spin.
# Attempts: ignores SIGTERM, SIGINT and SIGHUP, then spins forever in sigmoid.
# Stopped by: the sandbox never asks politely: SIGKILL at the timeout.
# expect-full: unit_step, relu, relu_grad
import signal

import numpy as np

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, signal.SIG_IGN)


def sigmoid(z):
    while True:
        pass


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
