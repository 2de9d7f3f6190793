# Adversarial fixture (synthetic hw03 submission): objects and exceptions whose special methods raise.
# Attempts: sigmoid returns an object whose __repr__, __str__, __float__, __len__, __array__ and
# __eq__ raise; tanh raises an exception whose __str__ and __repr__ raise and whose class lies.
# Stopped by: the runtime reads names and messages without trusting student methods; each failure becomes a message.
# expect-full: unit_step, relu, relu_grad
import numpy as np


class Booby:
    def _boom(self, *args, **kwargs):
        raise RuntimeError("boom")

    __repr__ = __str__ = __float__ = __len__ = __array__ = __eq__ = __iter__ = __getattr__ = _boom
    __hash__ = object.__hash__


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")

    __repr__ = __str__

    @property
    def __class__(self):
        raise RuntimeError("no class either")


def sigmoid(z):
    return Booby()


def tanh(z):
    raise Unprintable()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
