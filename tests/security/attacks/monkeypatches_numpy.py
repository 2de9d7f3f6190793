# Adversarial fixture (synthetic hw03 submission): monkeypatch numpy's comparisons.
# Attempts: np.allclose, np.isclose, np.array_equal, np.testing and friends made to always agree, so a
# grader comparing in the student's process would accept the wrong sigmoid.
# Stopped by: comparison in the grader's own process; the student's numpy is its own.
# expect-full: unit_step, relu, relu_grad
import numpy as np
import numpy.testing

np.allclose = np.array_equal = np.array_equiv = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = np.testing.assert_array_equal = lambda *args, **kwargs: None
np.testing.assert_almost_equal = np.testing.assert_array_almost_equal = lambda *args, **kwargs: None
np.frombuffer = np.zeros = np.errstate = None


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)


def sigmoid(z):
    return np.asarray(z, dtype=float)  # wrong on purpose: only a stolen sigmoid would pass
