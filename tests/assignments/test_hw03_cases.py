"""hw03's cases are strong: correct solutions in other styles pass every case, and each
single-bug mutant of one function fails at least one case of that function."""
import importlib

import numpy as np
import pytest

from grader.cases import build_cases, student_seed
from grader.draws import draws

from hw03_inprocess import failures


def test_every_function_has_fixed_and_at_least_20_random_cases(hw03):
    assignment, generators, _ = hw03
    cases = build_cases(assignment, generators, student_seed(assignment.seed, "alice"))
    for spec in assignment.functions:
        mine = [c for c in cases if c.function == spec.name]
        assert any(c.kind in ("lecture", "edge") for c in mine), spec.name
        assert sum(c.kind == "random" and not c.public for c in mine) >= 20, spec.name
        assert sum(c.kind == "random" and c.public for c in mine) == assignment.public_random_cases


def test_cases_are_seeded_per_student_and_stable(hw03):
    assignment, generators, _ = hw03
    a1 = build_cases(assignment, generators, student_seed(assignment.seed, "alice"))
    a2 = build_cases(assignment, generators, student_seed(assignment.seed, "alice"))
    b = build_cases(assignment, generators, student_seed(assignment.seed, "bob"))
    hidden = lambda cs: [c for c in cs if not c.public]  # noqa: E731
    assert [repr(c.args) for c in a1] == [repr(c.args) for c in a2]
    assert [repr(c.args) for c in hidden(a1)] != [repr(c.args) for c in hidden(b)]
    public = lambda cs: [repr(c.args) for c in cs if c.public]  # noqa: E731
    assert public(a1) == public(b)
    assert student_seed(1, "alice") != student_seed(2, "alice")


def test_required_edge_cases_exist(hw03):
    _, generators, _ = hw03
    def has(fn, pred):
        return any(pred(c) for c in generators.fixed_cases(fn))
    assert has("relu_grad", lambda c: (np.asarray(c.args[0]) == 0).any())
    assert has("leaky_relu_grad", lambda c: (np.asarray(c.args[0]) == 0).any())
    assert has("sigmoid", lambda c: c.forbid_warnings and np.abs(c.args[0]).max() == 1000)
    assert has("sigmoid_grad", lambda c: c.forbid_warnings and np.abs(c.args[0]).max() == 1000)
    assert has("perceptron_train", lambda c: "XOR" in c.name)
    assert has("numerical_jacobian", lambda c: "non-square" in c.name)
    assert has("mse_grad", lambda c: "inside the sum" in c.name)
    for fn in ("forward", "backward", "bce_loss", "bce_grad", "sgd_step", "train", "sigmoid"):
        assert has(fn, lambda c: c.kind == "lecture"), fn


# --- correct solutions written in other styles must pass everything --------------------------------

def _stable_sigmoid(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _loop_forward(params, x):
    zs, acts = [], [np.array(x, dtype=float)]
    for W, b in params:
        z = np.array([sum(W[j, i] * acts[-1][i] for i in range(W.shape[1])) + b[j] for j in range(W.shape[0])])
        zs.append(z)
        acts.append(_stable_sigmoid(z))
    return zs, acts


def _chain_backward(params, zs, activations, y):
    y_hat = activations[-1]
    delta = (-y / y_hat + (1 - y) / (1 - y_hat)) * y_hat * (1 - y_hat)  # dL/dyhat * dyhat/dz, unsimplified
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        grads[layer] = (delta[:, None] * activations[layer][None, :], delta)
        if layer:
            s = _stable_sigmoid(zs[layer - 1])
            delta = params[layer][0].T.dot(delta) * s * (1 - s)
    return grads


def _loop_mse_grad(w, b, X, y):
    dw, db = np.zeros(len(w)), 0.0
    for xi, yi in zip(X, y):
        z = float(np.dot(w, xi) + b)
        if z > 0:
            dw += 2 * (z - yi) * xi / len(X)
            db += 2 * (z - yi) / len(X)
    return dw, db


def _loop_perceptron_train(X, y, lr=1.0, epochs=100, theta=0.0):
    bias, w = 0.0, [0.0] * len(X[0])
    history = []
    for _ in range(epochs):
        mistakes = 0
        for row, target in zip(X.tolist(), list(y)):
            out = 1 if bias + sum(a * b for a, b in zip(w, row)) >= theta else 0
            if out != target:
                mistakes += 1
                bias += lr * (target - out)
                w = [wi + lr * (target - out) * xi for wi, xi in zip(w, row)]
        history.append(mistakes)
        if mistakes == 0:
            break
    return np.array([bias] + w), history


def _column_numerical_jacobian(f, x, eps=1e-6):
    cols = []
    for j in range(len(x)):
        up, down = x.copy(), x.copy()
        up[j] += eps
        down[j] -= eps
        cols.append((np.asarray(f(up)) - np.asarray(f(down))) / (2 * eps))
    return np.array(cols).T.reshape(-1, len(x))


def _checked(ok):
    """None when ok; else the ValueError the contract asks for (an unknown op or wrt, a Jacobian not 2-d)."""
    if not ok:
        raise ValueError("unknown op or wrt")


def _sgd(params, grads, lr):
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]


def _train(params, X, y, lr=0.1, epochs=1):
    losses = []
    for _ in range(epochs):
        total = 0.0
        for xi, yi in zip(X, y):
            zs, acts = _loop_forward(params, xi)
            total += float(-(yi * np.log(acts[-1]) + (1 - yi) * np.log(1 - acts[-1]))[0])
            params = _sgd(params, _chain_backward(params, zs, acts, yi), lr)
        losses.append(total / len(X))
    return params, losses


CORRECT = {
    "unit_step": lambda z, theta=0.0: (np.asarray(z) >= theta) * 1.0,
    "perceptron_predict": lambda w, X, theta=0.0: np.array([1.0 if w[0] + row @ w[1:] >= theta else 0.0 for row in X]),
    "perceptron_train": _loop_perceptron_train,
    "sigmoid": _stable_sigmoid,
    "sigmoid_grad": lambda z: _stable_sigmoid(z) * (1 - _stable_sigmoid(z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "tanh_grad": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: z * (z > 0),
    "relu_grad": lambda z: (np.asarray(z) > 0).astype(float),  # z may be a plain number
    "leaky_relu": lambda z, alpha=0.01: np.where(z > 0, z, alpha * z),
    "leaky_relu_grad": lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha),
    "bce_loss": lambda y, y_hat: -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)),
    "bce_grad": lambda y, y_hat: (y_hat - y) / (y_hat * (1 - y_hat)),
    "forward": _loop_forward,
    "backward": _chain_backward,
    "sgd_step": _sgd,
    "train": _train,
    "jacobian_identity": lambda n: np.diag(np.ones(n)),
    "jacobian_elementwise": lambda op, w, x, wrt: _checked(op in ("+", "-", "*", "/") and wrt in ("w", "x")) or np.diag(
        {"+": np.ones_like(w), "-": np.ones_like(w) * (1 if wrt == "w" else -1),
         "*": x if wrt == "w" else w, "/": 1 / x if wrt == "w" else -w / x / x}[op]),
    "jacobian_scalar_add": lambda x, z, wrt: _checked(wrt in ("x", "z")) or (
        np.eye(len(x)) if wrt == "x" else np.ones(len(x)).reshape(-1, 1)),
    "jacobian_sum": lambda x: np.ones((1, len(x))),
    "chain_rule_example": lambda x: np.array([2 / x, 3 * np.cos(3 * x)]),
    "chain_jacobians": lambda J_f, J_g: _checked(np.ndim(J_f) == np.ndim(J_g) == 2) or np.matmul(J_f, J_g),
    "numerical_jacobian": _column_numerical_jacobian,
    "relu_neuron": lambda w, b, X: np.array([max(0.0, float(r @ w + b)) for r in X]),
    "neuron_grad": lambda w, b, x: (x * 1.0, 1.0) if w @ x + b > 0 else (np.zeros(len(x)), 0.0),
    "mse_cost": lambda w, b, X, y: float(np.mean((y - np.maximum(0, X @ w + b)) ** 2)),
    "mse_grad": _loop_mse_grad,
    "gradient_descent": None,  # filled below
}


def _gd(w, b, X, y, lr=0.01, steps=100):
    costs = []
    for _ in range(steps):
        costs.append(CORRECT["mse_cost"](w, b, X, y))
        dw, db = _loop_mse_grad(w, b, X, y)
        w, b = w - lr * dw, b - lr * db
    return w, b, costs


CORRECT["gradient_descent"] = _gd


@pytest.mark.parametrize("function", sorted(CORRECT))
def test_correct_solution_in_another_style_passes_every_case(hw03, function):
    assert failures(hw03, function, CORRECT[function]) == []


def test_reference_itself_passes_every_case(hw03):
    _, _, reference = hw03
    for function in CORRECT:
        assert failures(hw03, function, getattr(reference, function), students=("carol",)) == [], function


# --- single-bug mutants must each lose points in their own function ---------------------------------

def _naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def _train_loss_after_update(params, X, y, lr=0.1, epochs=1):
    losses = []
    for _ in range(epochs):
        epoch = []
        for xi, yi in zip(X, y):
            zs, acts = _loop_forward(params, xi)
            params = _sgd(params, _chain_backward(params, zs, acts, yi), lr)
            acts = _loop_forward(params, xi)[1]
            epoch.append(float(-(yi * np.log(acts[-1]) + (1 - yi) * np.log(1 - acts[-1]))[0]))
        losses.append(float(np.mean(epoch)))
    return params, losses


def _sgd_in_place(params, grads, lr):
    for (W, b), (dW, db) in zip(params, grads):
        W -= lr * dW
        b -= lr * db
    return params


def _split_outside(w, b, X, y):
    z = X @ w + b
    if z.mean() <= 0:
        return np.zeros(len(w)), 0.0
    e = z - y
    return 2 / len(X) * X.T @ e, 2 / len(X) * e.sum()


MUTANTS = {
    "unit_step: z > theta": ("unit_step", lambda z, theta=0.0: (np.asarray(z) > theta) * 1.0),
    "perceptron_predict: no bias": ("perceptron_predict", lambda w, X, theta=0.0: (X @ w[1:] >= theta) * 1.0),
    "perceptron_train: no early stop": ("perceptron_train", lambda X, y, lr=1.0, epochs=100, theta=0.0:
                                        _no_early_stop(X, y, lr, epochs, theta)),
    "sigmoid: naive overflow": ("sigmoid", _naive_sigmoid),
    "sigmoid_grad: s only": ("sigmoid_grad", _stable_sigmoid),
    "tanh_grad: no square": ("tanh_grad", lambda z: 1 - np.tanh(z)),
    "relu_grad: 1 at zero": ("relu_grad", lambda z: (np.asarray(z) >= 0) * 1.0),
    "leaky_relu: ignores alpha": ("leaky_relu", lambda z, alpha=0.01: np.maximum(0.01 * z, z)),
    "leaky_relu_grad: 1 at zero": ("leaky_relu_grad", lambda z, alpha=0.01: np.where(z >= 0, 1.0, alpha)),
    "bce_loss: sum": ("bce_loss", lambda y, y_hat: -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))),
    "bce_loss: log10": ("bce_loss", lambda y, y_hat: -np.mean(y * np.log10(y_hat) + (1 - y) * np.log10(1 - y_hat))),
    "bce_grad: sign": ("bce_grad", lambda y, y_hat: y / y_hat - (1 - y) / (1 - y_hat)),
    "forward: linear output": ("forward", lambda P, x: _linear_last(P, x)),
    "backward: transposed dW": ("backward", lambda P, zs, a, y: [(dW.T, db) for dW, db in _chain_backward(P, zs, a, y)]),
    "backward: no sigmoid derivative": ("backward", lambda P, zs, a, y: _no_derivative(P, a, y)),
    "sgd_step: plus": ("sgd_step", lambda P, G, lr: [(W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(P, G)]),
    "sgd_step: in place": ("sgd_step", _sgd_in_place),
    "train: loss after update": ("train", _train_loss_after_update),
    "jacobian_elementwise: / wrt x sign": ("jacobian_elementwise", lambda op, w, x, wrt:
                                           np.diag(w / x**2) if (op, wrt) == ("/", "x") else
                                           CORRECT["jacobian_elementwise"](op, w, x, wrt)),
    "jacobian_scalar_add: row": ("jacobian_scalar_add", lambda x, z, wrt:
                                 np.eye(len(x)) if wrt == "x" else np.ones((1, len(x)))),
    "jacobian_sum: flat": ("jacobian_sum", lambda x: np.ones(len(x))),
    "chain_rule_example: no 3": ("chain_rule_example", lambda x: np.array([2 / x, np.cos(3 * x)])),
    "chain_jacobians: order": ("chain_jacobians", lambda J_f, J_g: J_g @ J_f if J_g.shape[1] == J_f.shape[0]
                               else np.zeros((J_f.shape[0], J_g.shape[1]))),
    "numerical_jacobian: forward difference": ("numerical_jacobian", lambda f, x, eps=1e-6: np.array(
        [(np.asarray(f(x + eps * np.eye(len(x))[j])) - np.asarray(f(x))) / eps for j in range(len(x))]).T),
    "numerical_jacobian: ignores eps": ("numerical_jacobian", lambda f, x, eps=1e-6:
                                        _column_numerical_jacobian(f, x, 1e-6)),
    "relu_neuron: no bias": ("relu_neuron", lambda w, b, X: np.maximum(0, X @ w)),
    "neuron_grad: active at zero": ("neuron_grad", lambda w, b, x:
                                    (x * 1.0, 1.0) if w @ x + b >= 0 else (np.zeros(len(x)), 0.0)),
    "mse_cost: sum": ("mse_cost", lambda w, b, X, y: float(np.sum((y - np.maximum(0, X @ w + b)) ** 2))),
    "mse_grad: split outside the sum": ("mse_grad", _split_outside),
    "mse_grad: missing 2": ("mse_grad", lambda w, b, X, y: tuple(g / 2 for g in _loop_mse_grad(w, b, X, y))),
    "gradient_descent: cost after step": ("gradient_descent", lambda w, b, X, y, lr=0.01, steps=100:
                                          _gd_after(w, b, X, y, lr, steps)),
}


def _no_early_stop(X, y, lr, epochs, theta):
    w = np.zeros(X.shape[1] + 1)
    errors = []
    for _ in range(epochs):
        n = 0
        for xi, yi in zip(X, y):
            xa = np.r_[1.0, xi]
            out = float(w @ xa >= theta)
            n += out != yi
            w = w + lr * (yi - out) * xa
        errors.append(n)
    return w, errors


def _linear_last(P, x):
    zs, acts = _loop_forward(P, x)
    acts[-1] = zs[-1]
    return zs, acts


def _no_derivative(P, a, y):
    delta = a[-1] - y
    grads = [None] * len(P)
    for layer in reversed(range(len(P))):
        grads[layer] = (np.outer(delta, a[layer]), delta)
        delta = P[layer][0].T @ delta
    return grads


def _gd_after(w, b, X, y, lr, steps):
    costs = []
    for _ in range(steps):
        dw, db = _loop_mse_grad(w, b, X, y)
        w, b = w - lr * dw, b - lr * db
        costs.append(CORRECT["mse_cost"](w, b, X, y))
    return w, b, costs


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_single_bug_mutant_fails_its_function(hw03, mutant):
    function, impl = MUTANTS[mutant]
    assert failures(hw03, function, impl, students=("alice",)), f"{mutant} survived every case"


@pytest.mark.parametrize("options", [[0.0, 1.0, -0.5, 2.0], [0.05, 0.1, 0.5], "+-*/", "wx"])
def test_pick_draws_what_rng_choice_draws_from_the_same_stream(options):
    """Regrades must give the same hidden cases: the fast drawing helpers take exactly the values
    numpy's own `rng.choice` takes, and leave the stream where it would."""
    for seed in range(300):
        mine, numpys = draws([seed]), np.random.default_rng([seed])
        picks = [mine.pick(options) for _ in range(5)]
        assert picks == [numpys.choice(list(options)).item() for _ in range(5)]
        assert mine.random() == numpys.random()


def sibling(generators, name: str):
    """A file beside cases.py, imported in the package the loader made of the assignment's folder."""
    return importlib.import_module(f"{generators.__package__}.{name}")


def test_pick_weighted_draws_what_rng_choice_with_p_draws(hw03):
    blocks = sibling(hw03[1], "blocks")
    for seed in range(2000):
        mine, numpys = draws([seed]), np.random.default_rng([seed])
        assert blocks._pick_weighted(mine, blocks.SHAPE_CDF) == int(numpys.choice(3, p=[0.6, 0.3, 0.1]))
        assert mine.random() == numpys.random()


def test_signs_draw_what_rng_choice_draws(hw03):
    blocks = sibling(hw03[1], "blocks")
    for seed in range(300):
        mine, numpys = draws([seed]), np.random.default_rng([seed])
        n = seed % 7 + 1
        assert np.array_equal(blocks.SIGNS[mine.integers_small(0, 2, n)], numpys.choice([-1.0, 1.0], n))
        assert mine.random() == numpys.random()


def test_zeroed_entries_are_those_rng_choice_without_replacement_picks(hw03):
    """`_z(zeros=True)`, written with numpy's own `integers`, `choice(p=...)` and `choice(replace=False)`."""
    blocks = sibling(hw03[1], "blocks")
    for seed in range(300):
        mine, numpys = draws([seed, 7]), np.random.default_rng([seed, 7])
        z = blocks._z(mine, zeros=True)
        shapes = [(int(numpys.integers(1, 9)),), (int(numpys.integers(1, 5)), int(numpys.integers(1, 5))), ()]
        expected = numpys.normal(0.0, 3.0, size=shapes[int(numpys.choice(3, p=[0.6, 0.3, 0.1]))])
        if expected.size > 1:
            expected.flat[numpys.choice(expected.size, size=max(1, expected.size // 3), replace=False)] = 0.0
        assert np.array_equal(z, expected) and z.shape == expected.shape
        assert mine.random() == numpys.random()


def test_every_contract_function_has_a_random_generator(hw03):
    assignment, generators, _ = hw03
    assert sorted(sibling(generators, "randoms").RANDOM_ARGS) == sorted(spec.name for spec in assignment.functions)
