"""Single-bug mutants that survived hw03's cases before the mutation campaign (docs/readme/mutation.md)
now lose points in their own function for every student, and provably equivalent variants keep full marks."""
from __future__ import annotations

import numpy as np
import pytest

from hw03_inprocess import failures

STUDENTS = ("alice", "bob", "carol")  # each student on their own: a kill must not hang on one student's draws


def _stable_sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


# --- elementwise functions that only work on arrays (the contract also allows a plain number) ------------

def _loop_unit_step_no_asarray(z, theta=0.0):
    out = np.zeros(z.shape)  # a float has no .shape
    for idx in np.ndindex(z.shape):
        out[idx] = 1.0 if z[idx] >= theta else 0.0
    return out


def _relu_negated_zeros(z):
    z = np.asarray(z, dtype=float)
    out = -np.zeros(z.shape)  # for a 0-d z this is a numpy scalar, which takes no item assignment
    for idx in np.ndindex(z.shape):
        if z[idx] > 0:
            out[idx] = z[idx]
    return out


def _sigmoid_no_asarray(z):
    out = np.empty(z.shape)
    for idx in np.ndindex(z.shape):
        e = np.exp(-abs(z[idx]))
        out[idx] = 1 / (1 + e) if z[idx] >= 0 else e / (1 + e)
    return out


def _leaky_relu_grad_no_asarray(z, alpha=0.01):
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        out[idx] = 1.0 if z[idx] > 0 else alpha
    return out


def _relu_rows(z):
    z = np.asarray(z, dtype=float)
    if z.ndim < 2:
        return np.maximum(z, 0.0)
    return np.array([[max(0.0, v) for v in row] for row in z])  # rows of numbers: a 3-d z breaks


def _bce_terms(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


# --- unknown op / wrt must raise ValueError ------------------------------------------------------------

def _elementwise_no_op_check(op, w, x, wrt):
    if wrt not in ("w", "x"):
        raise ValueError(wrt)
    d = {"+": np.ones_like(w), "-": np.ones_like(w) * (1.0 if wrt == "w" else -1.0), "*": x if wrt == "w" else w}
    return np.diag(d.get(op, 1.0 / x if wrt == "w" else -w / x**2))  # any other op is taken for "/"


def _elementwise_no_wrt_check(op, w, x, wrt):
    if op not in ("+", "-", "*", "/"):
        raise ValueError(op)
    if op == "+":
        return np.eye(len(x))
    if op == "-":
        return np.eye(len(x)) * (1.0 if wrt == "w" else -1.0)  # any other wrt is taken for "x"
    if op == "*":
        return np.diag(x if wrt == "w" else w)
    return np.diag(1.0 / x if wrt == "w" else -w / x**2)


def _elementwise_key_error(op, w, x, wrt):
    table = {("+", "w"): np.ones_like(w), ("+", "x"): np.ones_like(x), ("-", "w"): np.ones_like(w),
             ("-", "x"): -np.ones_like(x), ("*", "w"): x, ("*", "x"): w, ("/", "w"): 1 / x, ("/", "x"): -w / x**2}
    return np.diag(table[(op, wrt)])  # KeyError, not the ValueError the contract asks for


def _scalar_add_no_check(x, z, wrt):
    return np.eye(len(x)) if wrt == "x" else np.ones((len(x), 1))


# --- values truncated to int: integer test data hid these ---------------------------------------------

def _predict_int_weights(w, X, theta=0.0):
    w = np.asarray(w, dtype=int)
    return np.where(w[0] + np.asarray(X, dtype=float) @ w[1:] >= theta, 1.0, 0.0)


def _perceptron_train(X, y, lr=1.0, epochs=100, theta=0.0, to_int=False, width_row=0):
    X = np.asarray(X, dtype=int if to_int else float)
    w = np.zeros(len(X[width_row]) + 1)  # X[1] fails when X has one row
    errors = []
    for _ in range(epochs):
        wrong = 0
        for xi, yi in zip(X, y):
            xa = np.concatenate(([1.0], xi))
            y_hat = 1.0 if w @ xa >= theta else 0.0
            wrong += int(y_hat != yi)
            w = w + lr * (yi - y_hat) * xa
        errors.append(wrong)
        if wrong == 0:
            break
    return w, errors


def _neuron_grad(w, b, x, cast=float):
    w, x = np.asarray(w, dtype=cast), np.asarray(x, dtype=cast)
    return (x * 1.0, 1.0) if float(w @ x + b) > 0 else (np.zeros(len(x)), 0.0)


def _forward(params, x):
    acts, zs = [np.array(x, dtype=float)], []
    for W, b in params:
        zs.append(W @ acts[-1] + b)
        acts.append(_stable_sigmoid(zs[-1]))
    return zs, acts


def _backward(params, zs, activations, y, cast=float):
    delta = activations[-1] - np.asarray(y, dtype=cast)
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        grads[layer] = (np.outer(delta, activations[layer]), delta)
        if layer:
            a = activations[layer]
            delta = params[layer][0].T @ delta * a * (1 - a)
    return grads


def _train(params, X, y, lr=0.1, epochs=1, cast=float):
    y = np.asarray(y, dtype=cast)
    params = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
    losses = []
    for _ in range(epochs):
        total = 0.0
        for xi, yi in zip(X, y):
            zs, acts = _forward(params, xi)
            total += float(-(yi * np.log(acts[-1]) + (1 - yi) * np.log(1 - acts[-1]))[0])
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, _backward(params, zs, acts, yi))]
        losses.append(total / len(X))
    return params, losses


# --- the ReLU neuron: z == 0 at the start of gradient descent, and default arguments --------------------

def _gradient_descent(w, b, X, y, lr=0.01, steps=100, active_at_zero=False):
    w, b, costs = np.array(w, dtype=float), float(b), []
    for _ in range(steps):
        z = X @ w + b
        costs.append(float(np.mean((y - np.maximum(z, 0.0)) ** 2)))
        e = np.where(z >= 0 if active_at_zero else z > 0, z - y, 0.0)
        w, b = w - lr * 2 / len(X) * (X.T @ e), b - lr * 2 / len(X) * float(e.sum())
    return w, b, costs


def _chain_jacobians(J_f, J_g, width_row=0):
    if np.ndim(J_f) != 2 or np.ndim(J_g) != 2:
        raise ValueError("a Jacobian is 2-d")
    rows, inner, cols = len(J_f), len(J_f[0]), len(J_g[width_row])  # J_g[1] fails when J_g has one row
    if inner != len(J_g):
        raise ValueError("shapes do not chain")
    return np.array([[sum(J_f[i][k] * J_g[k][j] for k in range(inner)) for j in range(cols)] for i in range(rows)])


MUTANTS = {
    "unit_step: no asarray (a number has no .shape)": ("unit_step", _loop_unit_step_no_asarray),
    "relu: -np.zeros (0-d result is not writable)": ("relu", _relu_negated_zeros),
    "relu_grad: (z > 0).astype without asarray": ("relu_grad", lambda z: (z > 0).astype(float)),
    "sigmoid: no asarray": ("sigmoid", _sigmoid_no_asarray),
    "leaky_relu_grad: no asarray": ("leaky_relu_grad", _leaky_relu_grad_no_asarray),
    "relu: works on 2-d at most": ("relu", _relu_rows),
    "bce_loss: sum / len(y), the mean over rows": ("bce_loss", lambda y, y_hat:
                                                   float(np.sum(_bce_terms(y, y_hat)) / len(np.atleast_1d(y)))),
    "bce_loss: mean over axis 0": ("bce_loss", lambda y, y_hat: np.mean(_bce_terms(y, y_hat), axis=0)),
    "jacobian_elementwise: unknown op taken for '/'": ("jacobian_elementwise", _elementwise_no_op_check),
    "jacobian_elementwise: unknown wrt taken for 'x'": ("jacobian_elementwise", _elementwise_no_wrt_check),
    "jacobian_elementwise: KeyError instead of ValueError": ("jacobian_elementwise", _elementwise_key_error),
    "jacobian_scalar_add: unknown wrt taken for 'z'": ("jacobian_scalar_add", _scalar_add_no_check),
    "perceptron_predict: weights truncated to int": ("perceptron_predict", _predict_int_weights),
    "perceptron_train: features truncated to int": ("perceptron_train", lambda X, y, lr=1.0, epochs=100, theta=0.0:
                                                    _perceptron_train(X, y, lr, epochs, theta, to_int=True)),
    "perceptron_train: default epochs 101": ("perceptron_train", lambda X, y, lr=1.0, epochs=101, theta=0.0:
                                             _perceptron_train(X, y, lr, epochs, theta)),
    "perceptron_train: width from the second row": ("perceptron_train", lambda X, y, lr=1.0, epochs=100, theta=0.0:
                                                    _perceptron_train(X, y, lr, epochs, theta, width_row=1)),
    "backward: label truncated to int": ("backward", lambda P, zs, a, y: _backward(P, zs, a, y, cast=int)),
    "train: labels truncated to int": ("train", lambda P, X, y, lr=0.1, epochs=1: _train(P, X, y, lr, epochs, int)),
    "train: default lr 0.2": ("train", lambda P, X, y, lr=0.2, epochs=1: _train(P, X, y, lr, epochs)),
    "train: default epochs 2": ("train", lambda P, X, y, lr=0.1, epochs=2: _train(P, X, y, lr, epochs)),
    "chain_jacobians: width read from J_g's second row": ("chain_jacobians", lambda J_f, J_g:
                                                          _chain_jacobians(J_f, J_g, width_row=1)),
    # numpy's @ raises ValueError for 2-d shapes that do not chain, but takes a 1-d input
    "chain_jacobians: no check that both are 2-d": ("chain_jacobians", lambda J_f, J_g: np.asarray(J_f) @ np.asarray(J_g)),
    "chain_jacobians: np.atleast_2d instead of the check": ("chain_jacobians", lambda J_f, J_g:
                                                            np.atleast_2d(J_f) @ np.atleast_2d(J_g)),
    "neuron_grad: w truncated to int": ("neuron_grad", lambda w, b, x: _neuron_grad(w, b, x, cast=int)),
    "neuron_grad: b truncated to int": ("neuron_grad", lambda w, b, x: _neuron_grad(w, int(b), x)),
    "gradient_descent: z == 0 counted as active": ("gradient_descent", lambda w, b, X, y, lr=0.01, steps=100:
                                                   _gradient_descent(w, b, X, y, lr, steps, active_at_zero=True)),
    "gradient_descent: default steps 99": ("gradient_descent", lambda w, b, X, y, lr=0.01, steps=99:
                                           _gradient_descent(w, b, X, y, lr, steps)),
    "gradient_descent: default lr 0.1": ("gradient_descent", lambda w, b, X, y, lr=0.1, steps=100:
                                         _gradient_descent(w, b, X, y, lr, steps)),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
@pytest.mark.parametrize("student", STUDENTS)
def test_mutant_loses_points_in_its_function_for_every_student(hw03, mutant, student):
    function, impl = MUTANTS[mutant]
    assert failures(hw03, function, impl, students=(student,)), f"{mutant} survived every case of {student}"


def test_the_correct_versions_of_these_helpers_pass(hw03):
    """The mutants above differ from a correct function in their one bug only."""
    assert failures(hw03, "perceptron_train", _perceptron_train) == []
    assert failures(hw03, "neuron_grad", _neuron_grad) == []
    assert failures(hw03, "backward", _backward) == []
    assert failures(hw03, "train", _train) == []
    assert failures(hw03, "gradient_descent", _gradient_descent) == []
    assert failures(hw03, "chain_jacobians", _chain_jacobians) == []


# --- the converse: variants that are provably equivalent keep full marks -------------------------------

EQUIVALENT = {
    # y - y_hat is +1 or -1 whenever the weights change, so dividing by it is multiplying by it
    "perceptron_train: lr / (y - y_hat)": ("perceptron_train", None),
    # cos is even
    "chain_rule_example: cos(-3x)": ("chain_rule_example", lambda x: np.array([2 / x, 3 * np.cos(-3 * x)])),
    # both branches of the stable sigmoid give 0.5 at z = 0
    "sigmoid: z > 0 picks the branch": ("sigmoid", lambda z: np.where(
        np.asarray(z, dtype=float) > 0, 1 / (1 + np.exp(-np.abs(np.asarray(z, dtype=float)))),
        np.exp(-np.abs(np.asarray(z, dtype=float))) / (1 + np.exp(-np.abs(np.asarray(z, dtype=float)))))),
    # s(z) (1 - s(z)) = s(z) s(-z) is even in z
    "sigmoid_grad: of -z": ("sigmoid_grad", lambda z: _stable_sigmoid(-np.asarray(z)) * _stable_sigmoid(z)),
    # 1 - t^2 does not see the sign of t
    "tanh_grad: 1 - (-tanh z)^2": ("tanh_grad", lambda z: 1 - (-np.tanh(z)) ** 2),
    # at z = 0 both give 0 (compare does not tell -0.0 from 0.0)
    "relu: z >= 0 keeps z": ("relu", lambda z: np.where(np.asarray(z, dtype=float) >= 0, z, 0.0) * 1.0),
    "leaky_relu: z >= 0 keeps z": ("leaky_relu", lambda z, alpha=0.01: np.where(np.asarray(z) >= 0, z, alpha * z)
                                   * 1.0),
    # the values are what counts: 0/1 as ints equal 0.0/1.0
    "unit_step: astype(int)": ("unit_step", lambda z, theta=0.0: (np.asarray(z) >= theta).astype(int)),
    # an extra delta computed below the first layer is never used
    "backward: delta also at layer 0": ("backward", None),
    # returning the input itself (not a copy) changes no value
    "neuron_grad: x itself": ("neuron_grad", lambda w, b, x: (x, 1.0) if w @ x + b > 0 else (np.zeros(len(x)), 0.0)),
    # central differences are symmetric: a step of -eps gives the same quotient
    "numerical_jacobian: step -eps": ("numerical_jacobian", lambda f, x, eps=1e-6: np.column_stack(
        [(np.atleast_1d(f(x - eps * e)) - np.atleast_1d(f(x + eps * e))) / (-2 * eps) for e in np.eye(len(x))])),
}


def _perceptron_train_divide(X, y, lr=1.0, epochs=100, theta=0.0):
    w, errors = np.zeros(X.shape[1] + 1), []
    for _ in range(epochs):
        wrong = 0
        for xi, yi in zip(X, y):
            xa = np.concatenate(([1.0], xi))
            y_hat = 1.0 if w @ xa >= theta else 0.0
            if y_hat != yi:
                wrong += 1
                w = w + lr / (yi - y_hat) * xa
        errors.append(wrong)
        if wrong == 0:
            break
    return w, errors


def _backward_delta_at_zero(params, zs, activations, y):
    delta = activations[-1] - np.asarray(y, dtype=float)
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        grads[layer] = (np.outer(delta, activations[layer]), delta)
        a = activations[layer]
        delta = params[layer][0].T @ delta * a * (1 - a)
    return grads


EQUIVALENT["perceptron_train: lr / (y - y_hat)"] = ("perceptron_train", _perceptron_train_divide)
EQUIVALENT["backward: delta also at layer 0"] = ("backward", _backward_delta_at_zero)


@pytest.mark.parametrize("variant", sorted(EQUIVALENT))
def test_equivalent_variant_keeps_full_marks(hw03, variant):
    function, impl = EQUIVALENT[variant]
    assert failures(hw03, function, impl, students=STUDENTS) == []
