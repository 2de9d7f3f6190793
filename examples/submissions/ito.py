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



# ---- Part 2: activations ----

def sigmoid(z):
    """1 / (1 + e^-z), without overflow for |z| <= 1000."""
    # TODO
    raise NotImplementedError


def sigmoid_grad(z):
    """s(z) (1 - s(z))."""
    # TODO
    raise NotImplementedError


def tanh(z):
    """Hyperbolic tangent."""
    # TODO
    raise NotImplementedError


def tanh_grad(z):
    """1 - tanh(z)^2."""
    # TODO
    raise NotImplementedError


def relu(z):
    """max(0, z)."""
    # TODO
    raise NotImplementedError


def relu_grad(z):
    """0 where z <= 0, 1 where z > 0."""
    # TODO
    raise NotImplementedError


def leaky_relu(z, alpha=0.01):
    """max(alpha z, z)."""
    # TODO
    raise NotImplementedError


def leaky_relu_grad(z, alpha=0.01):
    """alpha where z <= 0, 1 where z > 0."""
    # TODO
    raise NotImplementedError



# ---- Part 3: a sigmoid network ----

def bce_loss(y, y_hat):
    """Mean binary cross-entropy."""
    # TODO
    raise NotImplementedError


def bce_grad(y, y_hat):
    """dL/dy_hat, elementwise."""
    # TODO
    raise NotImplementedError


def forward(params, x):
    """Return (zs, activations)."""
    # TODO
    raise NotImplementedError


def backward(params, zs, activations, y):
    """Return [(dW, db), ...]."""
    # TODO
    raise NotImplementedError


def sgd_step(params, grads, lr):
    """Return new params; do not modify the inputs."""
    # TODO
    raise NotImplementedError


def train(params, X, y, lr=0.1, epochs=1):
    """Per-sample SGD; return (params, losses)."""
    # TODO
    raise NotImplementedError



# ---- Part 4: Jacobians ----

def jacobian_identity(n):
    """d x / d x."""
    # TODO
    raise NotImplementedError


def jacobian_elementwise(op, w, x, wrt):
    """Jacobian of w op x."""
    # TODO
    raise NotImplementedError


def jacobian_scalar_add(x, z, wrt):
    """Jacobian of x + z 1."""
    # TODO
    raise NotImplementedError


def jacobian_sum(x):
    """(1, n) Jacobian of sum(x)."""
    # TODO
    raise NotImplementedError


def chain_rule_example(x):
    """d/dx [ln(x^2), sin(3x)]."""
    # TODO
    raise NotImplementedError


def chain_jacobians(J_f, J_g):
    """Vector chain rule."""
    # TODO
    raise NotImplementedError


def numerical_jacobian(f, x, eps=1e-6):
    """Central differences."""
    # TODO
    raise NotImplementedError



# ---- Part 5: one ReLU neuron ----

def relu_neuron(w, b, X):
    """max(0, X @ w + b)."""
    # TODO
    raise NotImplementedError


def neuron_grad(w, b, x):
    """(d act/d w, d act/d b)."""
    # TODO
    raise NotImplementedError


def mse_cost(w, b, X, y):
    """Mean squared error of relu_neuron."""
    # TODO
    raise NotImplementedError


def mse_grad(w, b, X, y):
    """(dC/dw, dC/db)."""
    # TODO
    raise NotImplementedError


def gradient_descent(w, b, X, y, lr=0.01, steps=100):
    """Return (w, b, costs)."""
    # TODO
    raise NotImplementedError
