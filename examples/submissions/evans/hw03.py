"""CPE 486/586 - HW03: perceptron, activations, backprop, Jacobians, ReLU + MSE.

Pat Evans. Loops first, numpy later.
"""
import numpy as np


# =========================== Part 1: the perceptron ===========================

def unit_step(z, theta=0.0):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        if z[idx] >= theta:
            out[idx] = 1.0
    return out


def perceptron_predict(w, X, theta=0.0):
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    predictions = np.zeros(X.shape[0])
    for i in range(X.shape[0]):
        z = w[0]  # bias weight times x0 = 1
        for j in range(X.shape[1]):
            z += w[j + 1] * X[i, j]
        predictions[i] = unit_step(z, theta)
    return predictions


def perceptron_train(X, y, lr=1.0, epochs=100, theta=0.0):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n_samples, n_features = X.shape
    w = np.zeros(n_features + 1)
    errors = []
    for epoch in range(epochs):
        mistakes = 0
        for i in range(n_samples):
            x_aug = np.insert(X[i], 0, 1.0)  # x0 = 1 goes with the bias weight
            y_hat = float(unit_step(np.dot(w, x_aug), theta))
            if y_hat != y[i]:
                mistakes += 1
                w = w + lr * (y[i] - y_hat) * x_aug
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, errors


# =========================== Part 2: activations ===========================

def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape)
    for idx in np.ndindex(z.shape):
        v = z[idx]
        if v >= 0:
            out[idx] = 1.0 / (1.0 + np.exp(-v))
        else:  # exp(-v) would overflow for very negative v, so flip it around
            e = np.exp(v)
            out[idx] = e / (1.0 + e)
    return out


def sigmoid_grad(z):
    # s(z) * (1 - s(z)) and 1 - s(z) = s(-z), which keeps its digits for large z
    z = np.asarray(z, dtype=float)
    return sigmoid(z) * sigmoid(-z)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z):
    t = tanh(z)
    return 1.0 - t * t


def relu(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        if z[idx] > 0:
            out[idx] = z[idx]
    return out


def relu_grad(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        if z[idx] > 0:
            out[idx] = 1.0
    return out


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        out[idx] = z[idx] if z[idx] > 0 else alpha * z[idx]
    return out


def leaky_relu_grad(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        out[idx] = 1.0 if z[idx] > 0 else alpha
    return out


# =========================== Part 3: a small sigmoid network ===========================

def bce_loss(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    terms = y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat)
    return float(-np.sum(terms))


def bce_grad(y, y_hat):
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return -y / y_hat + (1.0 - y) / (1.0 - y_hat)


def forward(params, x):
    a = np.array(x, dtype=float)  # my own copy of the input
    zs = []
    activations = [a]
    for W, b in params:
        W = np.asarray(W, dtype=float)
        b = np.asarray(b, dtype=float)
        z = np.zeros(W.shape[0])
        for j in range(W.shape[0]):
            z[j] = np.dot(W[j], a) + b[j]
        zs.append(z)
        a = sigmoid(z)
        activations.append(a)
    return zs, activations


def backward(params, zs, activations, y):
    acts = [np.asarray(a, dtype=float) for a in activations]
    y = np.asarray(y, dtype=float)
    n_layers = len(params)
    grads = [None] * n_layers
    delta = acts[-1] - y  # dL/dz of the output layer (BCE after a sigmoid)
    for l in range(n_layers - 1, -1, -1):
        a_prev = acts[l]
        dW = np.array([[delta[j] * a_prev[i] for i in range(len(a_prev))] for j in range(len(delta))])
        grads[l] = (dW, delta.copy())
        if l > 0:
            W = np.asarray(params[l][0], dtype=float)
            delta = (W.T @ delta) * a_prev * (1.0 - a_prev)
    return grads


def sgd_step(params, grads, lr):
    new_params = []
    for (W, b), (dW, db) in zip(params, grads):
        W = np.asarray(W, dtype=float)
        b = np.asarray(b, dtype=float)
        W_new = W - lr * np.asarray(dW, dtype=float)
        b_new = b - lr * np.asarray(db, dtype=float)
        new_params.append((W_new, b_new))
    return new_params


def train(params, X, y, lr=0.1, epochs=1):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    current = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
    losses = []
    for epoch in range(epochs):
        epoch_loss = 0.0
        for i in range(X.shape[0]):
            zs, acts = forward(current, X[i])
            grads = backward(current, zs, acts, y[i])
            epoch_loss += bce_loss(y[i], acts[-1])
            current = sgd_step(current, grads, lr)
        losses.append(epoch_loss / X.shape[0])
    return current, losses


# =========================== Part 4: Jacobians ===========================

def jacobian_identity(n):
    n = int(n)
    J = np.zeros((n, n))
    for i in range(n):
        J[i, i] = 1.0
    return J


def jacobian_elementwise(op, w, x, wrt):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if op not in ("+", "-", "*", "/"):
        raise ValueError(f"unknown operator {op!r}")
    if wrt not in ("w", "x"):
        raise ValueError(f"wrt has to be 'w' or 'x', got {wrt!r}")
    n = len(x)
    J = np.zeros((n, n))
    for i in range(n):
        if op == "+":
            d = 1.0
        elif op == "-":
            d = 1.0 if wrt == "w" else -1.0
        elif op == "*":
            d = x[i] if wrt == "w" else w[i]
        else:
            d = 1.0 / x[i] if wrt == "w" else -w[i] / x[i] ** 2
        J[i, i] = d
    return J


def jacobian_scalar_add(x, z, wrt):
    n = len(x)
    if wrt == "x":
        return jacobian_identity(n)
    if wrt == "z":
        return np.ones((n, 1))
    raise ValueError(f"wrt has to be 'x' or 'z', got {wrt!r}")


def jacobian_sum(x):
    return np.ones((1, len(x)))


def chain_rule_example(x):
    x = float(x)
    return np.array([2.0 / x, 3.0 * np.cos(3.0 * x)])


def chain_jacobians(J_f, J_g):
    J_f = np.asarray(J_f, dtype=float)
    J_g = np.asarray(J_g, dtype=float)
    if J_f.ndim != 2 or J_g.ndim != 2 or J_f.shape[1] != J_g.shape[0]:
        raise ValueError(f"can't chain a {J_f.shape} Jacobian with a {J_g.shape} one")
    return J_f @ J_g


def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    columns = []
    for j in range(n):
        e_j = np.zeros(n)
        e_j[j] = eps
        f_plus = np.atleast_1d(np.asarray(f(x + e_j), dtype=float))
        f_minus = np.atleast_1d(np.asarray(f(x - e_j), dtype=float))
        columns.append((f_plus - f_minus) / (2 * eps))
    return np.column_stack(columns)


# =========================== Part 5: one ReLU neuron + MSE ===========================

def relu_neuron(w, b, X):
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    out = np.zeros(X.shape[0])
    for i in range(X.shape[0]):
        z = np.dot(X[i], w) + b
        out[i] = z if z > 0 else 0.0
    return out


def neuron_grad(w, b, x):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    z = np.dot(w, x) + b
    if z > 0:
        return x.copy(), 1.0
    return np.zeros(len(x)), 0.0


def mse_cost(w, b, X, y):
    y = np.asarray(y, dtype=float)
    predictions = relu_neuron(w, b, X)
    total = 0.0
    for i in range(len(y)):
        total += (y[i] - predictions[i]) ** 2
    return float(total / len(y))


def mse_grad(w, b, X, y):
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    N = X.shape[0]
    z = X @ w + b
    dw = np.zeros(len(w))
    db = 0.0
    for i in range(N):
        if z[i] > 0:  # an inactive sample has zero gradient
            err = z[i] - y[i]
            dw += err * X[i]
            db += err
    return 2.0 / N * dw, float(2.0 / N * db)


def gradient_descent(w, b, X, y, lr=0.01, steps=100):
    w = np.array(w, dtype=float)
    b = float(b)
    costs = []
    for step in range(steps):
        costs.append(mse_cost(w, b, X, y))
        dw, db = mse_grad(w, b, X, y)
        w = w - lr * dw
        b = b - lr * db
    return w, b, costs
