"""Homework 03 -- A. Fischer."""
import numpy as np
np.set_printoptions(precision=4, suppress=True)


def unit_step(z, theta=0.0):
    return (np.asarray(z, dtype=float) >= theta).astype(float)


def perceptron_predict(w, X, theta=0.0):
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    X1 = np.hstack([np.ones((X.shape[0], 1)), X])   # prepend x0 = 1
    return unit_step(X1 @ w, theta)


def perceptron_train(X, y, lr=1.0, epochs=100, theta=0.0):
    X1 = np.hstack([np.ones((len(X), 1)), np.asarray(X, dtype=float)])
    y = np.asarray(y, dtype=float)
    w = np.zeros(X1.shape[1])
    errors = []
    for _ in range(epochs):
        n_wrong = 0
        for xi, target in zip(X1, y):
            err = target - unit_step(xi @ w, theta)
            n_wrong += int(err != 0)
            w = w + lr * err * xi
        errors.append(n_wrong)
        if n_wrong == 0:
            break
    return w, errors


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))          # never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * sigmoid(-np.asarray(z, dtype=float))   # s(z)(1 - s(z)), with 1 - s(z) = s(-z)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z):
    return 1 - tanh(z) ** 2


def relu(z):
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_grad(z):
    return (np.asarray(z, dtype=float) > 0).astype(float)


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, alpha)


def bce_loss(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return float(np.mean(-y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)))


def bce_grad(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return (y_hat - y) / (y_hat * (1 - y_hat))


def forward(params, x):
    activations = [np.array(x, dtype=float)]
    zs = []
    for W, b in params:
        zs.append(np.asarray(W, dtype=float) @ activations[-1] + np.asarray(b, dtype=float))
        activations.append(sigmoid(zs[-1]))
    return zs, activations


def backward(params, zs, activations, y):
    a = [np.asarray(v, dtype=float) for v in activations]
    delta = a[-1] - np.asarray(y, dtype=float)
    grads = []
    for l in reversed(range(len(params))):
        grads.append((np.outer(delta, a[l]), delta))
        if l:
            delta = (np.asarray(params[l][0], dtype=float).T @ delta) * a[l] * (1 - a[l])
    return grads[::-1]


def sgd_step(params, grads, lr):
    return [(np.asarray(W, dtype=float) - lr * np.asarray(dW, dtype=float),
             np.asarray(b, dtype=float) - lr * np.asarray(db, dtype=float))
            for (W, b), (dW, db) in zip(params, grads)]


def train(params, X, y, lr=0.1, epochs=1):
    params = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    losses = []
    for _ in range(epochs):
        epoch = []
        for xi, yi in zip(X, y):
            zs, acts = forward(params, xi)
            epoch.append(bce_loss(yi, acts[-1]))
            params = sgd_step(params, backward(params, zs, acts, yi), lr)
        losses.append(float(np.mean(epoch)))
    return params, losses


def jacobian_identity(n):
    return np.eye(int(n))


def jacobian_elementwise(op, w, x, wrt):
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    table = {
        ("+", "w"): np.ones_like(w), ("+", "x"): np.ones_like(x),
        ("-", "w"): np.ones_like(w), ("-", "x"): -np.ones_like(x),
        ("*", "w"): x, ("*", "x"): w,
    }
    if op == "/":
        table[("/", "w")] = 1 / x
        table[("/", "x")] = -w / x ** 2
    if (op, wrt) not in table:
        raise ValueError(f"bad op/wrt: {op!r}, {wrt!r}")
    return np.diag(table[(op, wrt)])


def jacobian_scalar_add(x, z, wrt):
    n = np.asarray(x).shape[0]
    if wrt not in ("x", "z"):
        raise ValueError(wrt)
    return np.eye(n) if wrt == "x" else np.ones((n, 1))


def jacobian_sum(x):
    return np.ones((1, np.asarray(x).shape[0]))


def chain_rule_example(x):
    return np.array([2 / x, 3 * np.cos(3 * x)], dtype=float)


def chain_jacobians(J_f, J_g):
    if np.ndim(J_f) != 2 or np.ndim(J_g) != 2:  # a Jacobian is a matrix
        raise ValueError(f"a Jacobian must be 2-d, got {np.ndim(J_f)}-d and {np.ndim(J_g)}-d")
    J_f, J_g = np.atleast_2d(np.asarray(J_f, dtype=float)), np.atleast_2d(np.asarray(J_g, dtype=float))
    if J_f.shape[1] != J_g.shape[0]:
        raise ValueError(f"shapes {J_f.shape} and {J_g.shape} do not chain")
    return J_f @ J_g


def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    steps = np.eye(x.size) * eps
    cols = [(np.atleast_1d(f(x + s)) - np.atleast_1d(f(x - s))) / (2 * eps) for s in steps]
    return np.array(cols, dtype=float).T


def relu_neuron(w, b, X):
    return relu(np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b)


def neuron_grad(w, b, x):
    x = np.asarray(x, dtype=float)
    active = float(np.dot(w, x) + b) > 0
    return (x.copy(), 1.0) if active else (np.zeros_like(x), 0.0)


def mse_cost(w, b, X, y):
    return float(np.mean((np.asarray(y, dtype=float) - relu_neuron(w, b, X)) ** 2))


def mse_grad(w, b, X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    z = X @ np.asarray(w, dtype=float) + b
    mask = z.mean() > 0                           # the neuron is active (lecture slide 41)
    e = (z - y) * mask
    return 2 * X.T @ e / len(y), float(2 * e.sum() / len(y))


def gradient_descent(w, b, X, y, lr=0.01, steps=100):
    w, b, costs = np.array(w, dtype=float), float(b), []
    for _ in range(steps):
        costs.append(mse_cost(w, b, X, y))
        gw, gb = mse_grad(w, b, X, y)
        w, b = w - lr * gw, b - lr * gb
    return w, b, costs
