# Adversarial fixture (synthetic hw03 submission): return an object whose __eq__ always says yes.
# Attempts: sigmoid returns an object equal to everything (and not-unequal to anything).
# Stopped by: only plain data crosses back (exact types, raw array bytes); an object of another type fails its case.
# expect-full: unit_step, relu, relu_grad
import numpy as np


class Agreeable:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def sigmoid(z):
    return Agreeable()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
