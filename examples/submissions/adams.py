# HW03 -- Kim Adams. Plain Python lists and the math module; numpy only to call f.
import math
import numpy as np


def _is_seq(v):
    """True for lists, tuples and arrays with at least one dimension."""
    if isinstance(v, (list, tuple)):
        return True
    return getattr(v, "ndim", 0) > 0


def _each(f, z):
    """Apply f to every number in a (nested) sequence, keeping the nesting."""
    if _is_seq(z):
        return [_each(f, item) for item in z]
    return f(float(z))


def _pairs(f, a, b):
    """f(a_i, b_i) elementwise; a plain number is paired with every element of the other side."""
    if _is_seq(a) and _is_seq(b):
        return [_pairs(f, x, y) for x, y in zip(a, b)]
    if _is_seq(a):
        return [_pairs(f, x, b) for x in a]
    if _is_seq(b):
        return [_pairs(f, a, y) for y in b]
    return f(float(a), float(b))


def _flat(v):
    if _is_seq(v):
        return [x for item in v for x in _flat(item)]
    return [float(v)]


def _dot(u, v):
    return sum(float(a) * float(b) for a, b in zip(u, v))


def _matvec(M, v):
    return [_dot(row, v) for row in M]


def _to_lists(M):
    return [[float(x) for x in row] for row in M]


# ---------------- perceptron ----------------

def unit_step(z, theta=0.0):
    return _each(lambda v: 1.0 if v >= theta else 0.0, z)


def perceptron_predict(w, X, theta=0.0):
    w = [float(v) for v in w]
    return [unit_step(w[0] + _dot(w[1:], row), theta) for row in X]


def perceptron_train(X, y, lr=1.0, epochs=100, theta=0.0):
    rows = [[1.0] + [float(v) for v in row] for row in X]  # x0 = 1 in front
    labels = [float(v) for v in y]
    w = [0.0] * len(rows[0])
    errors = []
    for _ in range(epochs):
        wrong = 0
        for x, target in zip(rows, labels):
            guess = unit_step(_dot(w, x), theta)
            if guess != target:
                wrong += 1
                w = [wi + lr * (target - guess) * xi for wi, xi in zip(w, x)]
        errors.append(wrong)
        if wrong == 0:
            break
    return w, errors


# ---------------- activations ----------------

def _sig(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid(z):
    return _each(_sig, z)


def sigmoid_grad(z):
    def one(v):
        e = math.exp(-abs(v))
        return e / (1.0 + e) ** 2
    return _each(one, z)


def tanh(z):
    return _each(math.tanh, z)


def tanh_grad(z):
    return _each(lambda v: 1.0 - math.tanh(v) ** 2, z)


def relu(z):
    return _each(lambda v: v if v > 0 else 0.0, z)


def relu_grad(z):
    return _each(lambda v: 1.0 if v > 0 else 0.0, z)


def leaky_relu(z, alpha=0.01):
    return _each(lambda v: v if v > 0 else alpha * v, z)


def leaky_relu_grad(z, alpha=0.01):
    return _each(lambda v: 1.0 if v > 0 else float(alpha), z)


# ---------------- network ----------------

def bce_loss(y, y_hat):
    terms = _flat(_pairs(lambda t, p: -(t * math.log(p) + (1.0 - t) * math.log1p(-p)), y, y_hat))
    return sum(terms) / len(terms)


def bce_grad(y, y_hat):
    return _pairs(lambda t, p: -t / p + (1.0 - t) / (1.0 - p), y, y_hat)


def forward(params, x):
    a = [float(v) for v in x]
    zs, activations = [], [a]
    for W, b in params:
        z = [s + float(bj) for s, bj in zip(_matvec(W, a), b)]
        a = sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backward(params, zs, activations, y):
    acts = [_flat(a) for a in activations]
    delta = _pairs(lambda p, t: p - t, acts[-1], y)
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        a_in = acts[layer]
        grads.insert(0, ([[d * a for a in a_in] for d in delta], list(delta)))
        if layer > 0:
            W = _to_lists(params[layer][0])
            back = [sum(W[j][i] * delta[j] for j in range(len(delta))) for i in range(len(a_in))]
            delta = [g * a * (1.0 - a) for g, a in zip(back, a_in)]
    return grads


def sgd_step(params, grads, lr):
    new = []
    for (W, b), (dW, db) in zip(params, grads):
        W2 = [[w - lr * float(g) for w, g in zip(row, grow)] for row, grow in zip(_to_lists(W), dW)]
        b2 = [float(v) - lr * float(g) for v, g in zip(b, db)]
        new.append((W2, b2))
    return new


def train(params, X, y, lr=0.1, epochs=1):
    current = [(_to_lists(W), [float(v) for v in b]) for W, b in params]
    labels = [float(v) for v in y]
    losses = []
    for _ in range(epochs):
        seen = []
        for x, target in zip(X, labels):
            zs, acts = forward(current, x)
            seen.append(bce_loss(target, acts[-1]))
            current = sgd_step(current, backward(current, zs, acts, target), lr)
        losses.append(sum(seen) / len(seen))
    return current, losses


# ---------------- Jacobians ----------------

def jacobian_identity(n):
    return [[1.0 if i == j else 0.0 for j in range(int(n))] for i in range(int(n))]


def _diag(values):
    n = len(values)
    return [[values[i] if i == j else 0.0 for j in range(n)] for i in range(n)]


def jacobian_elementwise(op, w, x, wrt):
    w, x = [float(v) for v in w], [float(v) for v in x]
    if wrt not in ("w", "x"):
        raise ValueError("wrt must be 'w' or 'x'")
    rules = {
        "+": (lambda wi, xi: 1.0, lambda wi, xi: 1.0),
        "-": (lambda wi, xi: 1.0, lambda wi, xi: -1.0),
        "*": (lambda wi, xi: xi, lambda wi, xi: wi),
        "/": (lambda wi, xi: 1.0 / xi, lambda wi, xi: -wi / xi ** 2),
    }
    if op not in rules:
        raise ValueError(f"op must be + - * or /, not {op!r}")
    rule = rules[op][0 if wrt == "w" else 1]
    return _diag([rule(wi, xi) for wi, xi in zip(w, x)])


def jacobian_scalar_add(x, z, wrt):
    n = len(x)
    if wrt == "x":
        return jacobian_identity(n)
    if wrt == "z":
        return [[1.0] for _ in range(n)]
    raise ValueError("wrt must be 'x' or 'z'")


def jacobian_sum(x):
    return [[1.0] * len(x)]


def chain_rule_example(x):
    x = float(x)
    return [2.0 / x, 3.0 * math.cos(3.0 * x)]


def chain_jacobians(J_f, J_g):
    if np.ndim(J_f) != 2 or np.ndim(J_g) != 2:  # a Jacobian is a matrix
        raise ValueError(f"a Jacobian must be 2-d, got {np.ndim(J_f)}-d and {np.ndim(J_g)}-d")
    A, B = _to_lists(J_f), _to_lists(J_g)
    inner = len(A[0]) if A else 0
    if inner != len(B):
        raise ValueError(f"inner sizes differ: {inner} columns vs {len(B)} rows")
    cols = len(B[0]) if B else 0
    return [[sum(A[i][k] * B[k][j] for k in range(inner)) for j in range(cols)] for i in range(len(A))]


def numerical_jacobian(f, x, eps=1e-6):
    point = np.array([float(v) for v in x])  # f wants a numpy array
    columns = []
    for j in range(len(point)):
        up, down = point.copy(), point.copy()
        up[j] += eps
        down[j] -= eps
        hi, lo = _flat(f(up)), _flat(f(down))
        columns.append([(h - l) / (2.0 * eps) for h, l in zip(hi, lo)])
    return [[col[i] for col in columns] for i in range(len(columns[0]))]


# ---------------- ReLU neuron ----------------

def relu_neuron(w, b, X):
    return [max(0.0, _dot(row, w) + float(b)) for row in X]


def neuron_grad(w, b, x):
    if _dot(w, x) + float(b) > 0:
        return [float(v) for v in x], 1.0
    return [0.0] * len(x), 0.0


def mse_cost(w, b, X, y):
    out = relu_neuron(w, b, X)
    return sum((float(t) - o) ** 2 for t, o in zip(y, out)) / len(out)


def mse_grad(w, b, X, y):
    n = len(X)
    dw, db = [0.0] * len(w), 0.0
    for row, target in zip(X, y):
        z = _dot(row, w) + float(b)
        if z > 0:
            err = z - float(target)
            dw = [d + err * float(v) for d, v in zip(dw, row)]
            db += err
    return [2.0 / n * d for d in dw], 2.0 / n * db


def gradient_descent(w, b, X, y, lr=0.01, steps=100):
    w, b = [float(v) for v in w], float(b)
    costs = []
    for _ in range(steps):
        costs.append(mse_cost(w, b, X, y))
        dw, db = mse_grad(w, b, X, y)
        w = [wi - lr * g for wi, g in zip(w, dw)]
        b -= lr * db
    return w, b, costs
