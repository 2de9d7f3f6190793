# Adversarial fixture (synthetic hw03 submission): unbounded recursion past the C stack.
# Attempts: sigmoid raises the recursion limit to 10**7 and recurses forever, overflowing the C stack.
# Stopped by: a process per student: the call dies (SIGSEGV, crashed) and a fresh process grades the rest.
# expect-full: unit_step, relu, relu_grad
import sys

import numpy as np


def _down(n):
    return _down(n + 1) + 1


def sigmoid(z):
    sys.setrecursionlimit(10**7)
    return _down(0)


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
