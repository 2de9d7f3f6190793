# first attempt, only part 1
"""HW03 starter code. Replace each `raise NotImplementedError` with your implementation."""
import numpy as np


# ---- Part 1: the perceptron ----

def unit_step(z, theta=0.0):
    """Heaviside step: 1.0 where z >= theta, else 0.0, shaped like z."""
    # TODO
    raise NotImplementedError


def perceptron_predict(w, X, theta=0.0):
    """0/1 prediction for each row of X; w[0] is the bias weight (x0 = 1)."""
    # TODO
    raise NotImplementedError


def perceptron_train(X, y, lr=1.0, epochs=100, theta=0.0):
    """Rosenblatt's rule from w = 0; return (w, errors per epoch)."""
    # TODO
    raise NotImplementedError



