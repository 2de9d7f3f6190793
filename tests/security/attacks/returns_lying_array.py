# Adversarial fixture (synthetic hw03 submission): return array-likes that lie.
# Attempts: sigmoid returns an object with __array__ and a plausible shape; tanh returns an ndarray
# subclass whose __eq__ always says yes but whose data are wrong.
# Stopped by: the student's process sends raw array bytes (never calls the grader's comparison on its objects); the array-like is not an array and fails, the subclass's real data are compared and fail.
# expect-full: unit_step, relu, relu_grad
import numpy as np


class LooksLikeAnArray:
    shape = (1,)
    dtype = np.dtype(float)

    def __array__(self, dtype=None, copy=None):
        return np.full(self.shape, 0.5)

    def __eq__(self, other):
        return True

    def __len__(self):
        return 1


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    __hash__ = None


def sigmoid(z):
    return LooksLikeAnArray()


def tanh(z):
    return np.zeros(np.shape(z)).view(AlwaysEqual)  # wrong values


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
