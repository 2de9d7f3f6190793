# Adversarial fixture (synthetic hw03 submission): return number-likes that lie.
# Attempts: sigmoid and bce_loss return objects that convert to any float asked for, compare equal to
# everything and subtract to zero.
# Stopped by: only exact Python and numpy types are sent back; these objects fail their cases.
# expect-full: unit_step, relu, relu_grad
import numpy as np


class Chameleon:
    def __float__(self):
        return 0.5

    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __lt__(self, other):
        return True

    __le__ = __lt__
    __hash__ = object.__hash__


def sigmoid(z):
    return Chameleon()


def bce_loss(y, y_hat):
    return Chameleon()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
