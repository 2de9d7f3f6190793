# Adversarial fixture (synthetic hw03 submission): flood stdout and stderr.
# Attempts: 100 MB on stdout at import and 1 MB on stderr in every relu call.
# Stopped by: output capped at 32 KB per stream (the rest only counted) and a 64 MB file size limit.
# expect-full: unit_step, relu, relu_grad
import sys

import numpy as np

print("x" * 100_000_000)


def relu(z):
    sys.stderr.write("e" * 1_000_000)
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
