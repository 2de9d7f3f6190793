"""Properties and hand-traced cases of the reference: perceptron, activations, training loops, contracts.

Mutations killed (scratch copy, ids as in the report) are named in each test's docstring.
"""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest

import reference
from reference import (
    backward,
    bce_grad,
    bce_loss,
    chain_jacobians,
    chain_rule_example,
    forward,
    gradient_descent,
    jacobian_elementwise,
    jacobian_identity,
    jacobian_scalar_add,
    jacobian_sum,
    leaky_relu,
    leaky_relu_grad,
    mse_cost,
    mse_grad,
    neuron_grad,
    numerical_jacobian,
    perceptron_predict,
    perceptron_train,
    relu,
    relu_grad,
    relu_neuron,
    sgd_step,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
    train,
    unit_step,
)
from reference.lecture import network

SEEDS = range(25)


# --- perceptron -------------------------------------------------------------------------------------

def _separable(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Integer data labelled by an integer hyperplane, ties to class 1 (margin >= 1/2 after a shift)."""
    n, rows = int(rng.integers(1, 4)), int(rng.integers(4, 13))
    X = rng.integers(-4, 5, size=(rows, n)).astype(float)
    w = rng.integers(-3, 4, size=n + 1).astype(float)
    if not w[1:].any():
        w[1] = 1.0
    y = (w[0] + X @ w[1:] >= 0).astype(float)
    return X, y


@pytest.mark.parametrize("seed", SEEDS)
def test_perceptron_converges_on_separable_data(seed: int) -> None:
    """Kills P2 (update sign flipped), P3 (bias input x0 = 0), P4 (no early stop), P5 (predict drops the
    bias), P8 (errors as floats)."""
    rng = np.random.default_rng(seed)
    X, y = _separable(rng)
    lr = 2.0 ** int(rng.integers(-2, 3))
    w, errors = perceptron_train(X, y, lr=lr, epochs=1000)
    assert errors[-1] == 0
    assert all(e > 0 for e in errors[:-1])  # stops right after the first error-free epoch
    assert len(errors) < 1000
    assert w.shape == (X.shape[1] + 1,)
    np.testing.assert_array_equal(perceptron_predict(w, X), y)
    assert all(type(e) is int for e in errors)


@pytest.mark.parametrize("epochs", [1, 7, 60])
@pytest.mark.parametrize("lr", [1.0, 0.5, 0.25])
def test_perceptron_never_learns_xor(epochs: int, lr: float) -> None:
    """XOR is not linearly separable: every epoch has errors, so errors has length epochs."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    w, errors = perceptron_train(X, y, lr=lr, epochs=epochs)
    assert len(errors) == epochs
    assert all(e > 0 for e in errors)
    assert not np.array_equal(perceptron_predict(w, X), y)


def test_perceptron_hand_traces() -> None:
    """Traced by hand from w = 0, rows in order.

    X = [[2], [-1]], y = [0, 1], lr 1: epoch 1 row 1 z = 0 -> 1 (wrong), w = -(1, 2); row 2 z = 1 -> 1;
    epoch 2 no error. theta = 2: row 1 z = 0 -> 0; row 2 z = 0 -> 0 (wrong), w = (1, -1); epoch 2 row 2
    z = 2 >= theta -> 1. Kills P1 (`>` in unit_step), P2, P3, P4 (no early stop), P6 (lr ignored),
    P7 (theta ignored in perceptron_train).
    """
    X, y = np.array([[2.0], [-1.0]]), np.array([0.0, 1.0])
    w, errors = perceptron_train(X, y, lr=1.0, epochs=10)
    assert errors == [1, 0]
    np.testing.assert_array_equal(w, [-1.0, -2.0])
    w, errors = perceptron_train(X, y, lr=0.5, epochs=10)
    assert errors == [1, 0]
    np.testing.assert_array_equal(w, [-0.5, -1.0])
    w, errors = perceptron_train(X, y, lr=1.0, epochs=10, theta=2.0)
    assert errors == [1, 0]
    np.testing.assert_array_equal(w, [1.0, -1.0])
    w, errors = perceptron_train(np.array([[1.0]]), np.array([1.0]), epochs=5)
    assert errors == [0]  # z = 0 >= 0 predicts 1: no update at all
    np.testing.assert_array_equal(w, [0.0, 0.0])
    w, errors = perceptron_train(X, y, lr=1.0, epochs=1)
    assert errors == [1]


def test_perceptron_predict_hand_case() -> None:
    """Kills P1 (z == theta must give 1), P5 (bias w[0] dropped)."""
    w = np.array([-1.0, 2.0, 0.5])  # bias w[0]
    X = np.array([[1.0, 0.0], [0.0, 1.0], [0.25, 1.0]])  # z = 1, -0.5, 0
    np.testing.assert_array_equal(perceptron_predict(w, X), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(perceptron_predict(w, X, theta=1.0), [1.0, 0.0, 0.0])


def test_unit_step() -> None:
    """Kills P1."""
    assert unit_step(0.0) == 1.0  # z == theta gives 1
    np.testing.assert_array_equal(unit_step(np.array([-1e-12, 0.0, 3.0])), [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(unit_step(np.array([[0.5, 0.49], [2.0, -1.0]]), theta=0.5), [[1.0, 0.0], [1.0, 0.0]])
    assert unit_step(np.zeros((2, 3))).shape == (2, 3)


# --- activations ------------------------------------------------------------------------------------

def test_sigmoid_and_grads_at_plus_minus_1000_are_finite_without_warnings() -> None:
    """No overflow in e^-z: warnings are errors, numpy raises on overflow / invalid / divide.

    Underflow stays at numpy's default (ignore): e^-1000 rounds to 0.0, the correctly rounded result,
    and numpy issues no warning for it; a naive 1 / (1 + e^-z) overflows at z = -1000 instead.
    Kills A5 (naive sigmoid), A1.
    """
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s, g = sigmoid(z), sigmoid_grad(z)
            t, tg = tanh(z), tanh_grad(z)
    for arr in (s, g, t, tg):
        assert np.all(np.isfinite(arr))
    assert s[-1] == 1.0 and 0.0 <= s[0] < 1e-300 and s[2] == 0.5
    assert g[0] == 0.0 == g[-1] and g[2] == 0.25
    assert s[1] == pytest.approx(math.exp(-40.0), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_activation_identities(seed: int) -> None:
    """s(-z) = 1 - s(z), tanh(z) = 2 s(2z) - 1, relu(z) - relu(-z) = z, leaky: max(alpha z, z).

    Kills A6 (default alpha 0.1), A7 (relu = |z|).
    """
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 5, 8)
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), atol=1e-15)
    np.testing.assert_allclose(tanh(z), 2 * sigmoid(2 * z) - 1, atol=1e-12)
    np.testing.assert_allclose(sigmoid(z), [1 / (1 + math.exp(-v)) for v in z], rtol=1e-12)
    np.testing.assert_allclose(relu(z) - relu(-z), z)
    alpha = float(rng.uniform(0.01, 0.9))
    np.testing.assert_allclose(leaky_relu(z, alpha), np.where(z > 0, z, alpha * z))
    np.testing.assert_allclose(leaky_relu(z), np.where(z > 0, z, 0.01 * z))
    np.testing.assert_array_equal(relu_grad(z), (z > 0).astype(float))


# --- training loops -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_lowers_the_cost(seed: int) -> None:
    """Kills R5 (cost recorded after the step), R6 (gradient sign), R11, R12."""
    rng = np.random.default_rng(seed)
    n, N = int(rng.integers(1, 4)), int(rng.integers(3, 10))
    X = rng.normal(size=(N, n))
    y = X @ rng.normal(size=n) + 1.0 + rng.normal(0, 0.1, N)
    w0, b0 = np.abs(rng.normal(size=n)) * np.sign(X.mean(0) + 1e-9), 1.0
    w, b, costs = gradient_descent(w0, b0, X, y, lr=0.01, steps=30)
    assert len(costs) == 30 and all(type(c) is float for c in costs)
    assert costs[0] == pytest.approx(np.mean((y - np.maximum(X @ w0 + b0, 0.0)) ** 2))
    assert all(later <= earlier + 1e-12 for earlier, later in zip(costs, costs[1:]))
    assert np.mean((y - np.maximum(X @ w + b, 0.0)) ** 2) <= costs[-1] + 1e-12
    assert isinstance(b, float) and w.shape == (n,)


def test_gradient_descent_hand_trace() -> None:
    """X = [[1], [2]], y = [1, 3], w = 0.5, b = 0, lr 0.1 (both samples active).

    Step 0: e = (-0.5, -2), C = 2.125, grad (-4.5, -2.5) -> w = 0.95, b = 0.25.
    Step 1: e = (0.2, -0.85), C = 0.38125, grad (-1.5, -0.65) -> w = 1.1, b = 0.315.
    Kills R2 (dropped factor 2), R5 (costs after the step), R6, R8 (b not updated), R11, R12.
    """
    w, b, costs = gradient_descent(np.array([0.5]), 0.0, np.array([[1.0], [2.0]]), np.array([1.0, 3.0]),
                                   lr=0.1, steps=2)
    assert costs == pytest.approx([2.125, 0.38125], abs=1e-12)
    assert w == pytest.approx([1.1], abs=1e-12)
    assert b == pytest.approx(0.315, abs=1e-12)


def test_train_on_the_lecture_sample_gives_the_lectures_losses() -> None:
    """One epoch: loss 0.2563 (pre-update) and the lecture's new weights; epoch 2 starts at 0.2455.

    Kills M1, M3, M6, M7 (post-update loss recorded), M8, M12, M13.
    """
    params, x, y, lr = network()
    new, losses = train(params, x.reshape(1, 1), y, lr=lr, epochs=2)
    assert len(losses) == 2
    assert f"{losses[0]:.4f}" == "0.2563" and f"{losses[1]:.4f}" == "0.2455"
    one, _ = train(params, x.reshape(1, 1), y, lr=lr, epochs=1)
    np.testing.assert_allclose(one[2][0], [[0.4139, 0.2135, 0.6137]], atol=5e-5)
    np.testing.assert_allclose(one[2][1], [0.5226], atol=5e-5)
    np.testing.assert_allclose(one[0][0], [[0.1005], [0.1007]], atol=5e-5)


def _logistic_sgd(W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float, epochs: int):
    """Hand-written per-sample SGD of a 1-layer sigmoid network (grad (yhat - y) x), math.exp only."""
    w, c = [float(v) for v in W[0]], float(b[0])
    losses = []
    for _ in range(epochs):
        seen = []
        for xi, yi in zip(X, y):
            yh = 1 / (1 + math.exp(-(c + sum(wj * xj for wj, xj in zip(w, xi)))))
            seen.append(-(yi * math.log(yh) + (1 - yi) * math.log(1 - yh)))
            w = [wj - lr * (yh - yi) * xj for wj, xj in zip(w, xi)]
            c -= lr * (yh - yi)
        losses.append(sum(seen) / len(seen))
    return w, c, losses


@pytest.mark.parametrize("seed", range(10))
def test_train_is_per_sample_sgd_in_row_order(seed: int) -> None:
    """losses[e] = mean of the pre-update per-sample losses of epoch e.

    Kills M7 (loss after the update), M10 (losses summed), M14 (rows in reverse order), M3, M6, M11,
    M12, M13.
    """
    rng = np.random.default_rng(seed)
    n, N = int(rng.integers(1, 4)), int(rng.integers(2, 6))
    W, b = rng.normal(size=(1, n)), rng.normal(size=1)
    X, y = rng.normal(size=(N, n)), rng.integers(0, 2, N).astype(float)
    new, losses = train([(W, b)], X, y, lr=0.5, epochs=3)
    w_h, c_h, losses_h = _logistic_sgd(W, b, X, y, 0.5, 3)
    np.testing.assert_allclose(new[0][0][0], w_h, atol=1e-12)
    assert new[0][1][0] == pytest.approx(c_h, abs=1e-12)
    assert losses == pytest.approx(losses_h, abs=1e-12)
    assert all(type(v) is float for v in losses)


@pytest.mark.parametrize("seed", range(10))
def test_train_lowers_the_loss_over_epochs(seed: int) -> None:
    """Kills M3 (`+ lr`), M6 (delta sign), M11 (label ignored)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4))
    params = [(rng.normal(0, 0.5, (3, n)), rng.normal(0, 0.5, 3)), (rng.normal(0, 0.5, (1, 3)), rng.normal(0, 0.5, 1))]
    X = rng.normal(size=(8, n))
    y = (X[:, 0] > 0).astype(float)
    _, losses = train(params, X, y, lr=0.05, epochs=15)
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))


def test_sgd_step_hand_case_and_inputs_untouched() -> None:
    """Kills M3 (`+ lr`), M9 (in place), M13 (b not updated)."""
    params = [(np.array([[1.0, 2.0]]), np.array([0.5]))]
    grads = [(np.array([[0.5, -1.0]]), np.array([2.0]))]
    saved = copy.deepcopy((params, grads))
    new = sgd_step(params, grads, 0.1)
    np.testing.assert_allclose(new[0][0], [[0.95, 2.1]])
    np.testing.assert_allclose(new[0][1], [0.3])
    _assert_same((params, grads), saved)
    new[0][0][0, 0] = 42.0  # the result does not alias the input
    assert params[0][0][0, 0] == 1.0


# --- contracts: inputs never modified, output types and shapes ---------------------------------------

def _assert_same(a: object, b: object) -> None:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for u, v in zip(a, b):
            _assert_same(u, v)
    else:
        assert a == b


def _calls(rng: np.random.Generator) -> dict[str, tuple[tuple, dict]]:
    n = int(rng.integers(1, 5))
    params = [(rng.normal(size=(3, n)), rng.normal(size=3)), (rng.normal(size=(1, 3)), rng.normal(size=1))]
    x = rng.normal(size=n)
    zs, acts = forward(params, x)
    grads = backward(params, zs, acts, np.array([1.0]))
    X = rng.normal(size=(6, n))
    Xi = rng.integers(-3, 4, size=(6, n)).astype(float)
    yb = rng.integers(0, 2, 6).astype(float)
    z = rng.normal(size=(2, 3))
    w = rng.normal(size=n)
    return {
        "unit_step": ((z,), {"theta": 0.1}),
        "perceptron_predict": ((rng.normal(size=n + 1), X), {}),
        "perceptron_train": ((Xi, yb), {"epochs": 5}),
        "sigmoid": ((z,), {}), "sigmoid_grad": ((z,), {}), "tanh": ((z,), {}), "tanh_grad": ((z,), {}),
        "relu": ((z,), {}), "relu_grad": ((z,), {}),
        "leaky_relu": ((z,), {"alpha": 0.1}), "leaky_relu_grad": ((z,), {"alpha": 0.1}),
        "bce_loss": ((yb, rng.uniform(0.1, 0.9, 6)), {}), "bce_grad": ((yb, rng.uniform(0.1, 0.9, 6)), {}),
        "forward": ((params, x), {}),
        "backward": ((params, zs, acts, np.array([0.0])), {}),
        "sgd_step": ((params, grads, 0.1), {}),
        "train": ((params, X, yb), {"lr": 0.1, "epochs": 2}),
        "jacobian_identity": ((n,), {}),
        "jacobian_elementwise": (("/", w, rng.uniform(1, 2, n), "x"), {}),
        "jacobian_scalar_add": ((w, 0.5, "z"), {}),
        "jacobian_sum": ((w,), {}),
        "chain_rule_example": ((0.7,), {}),
        "chain_jacobians": ((rng.normal(size=(2, 3)), rng.normal(size=(3, n))), {}),
        "numerical_jacobian": ((np.sin, w), {}),
        "relu_neuron": ((w, 0.2, X), {}),
        "neuron_grad": ((w, 0.2, x), {}),
        "mse_cost": ((w, 0.2, X, rng.normal(size=6)), {}),
        "mse_grad": ((w, 0.2, X, rng.normal(size=6)), {}),
        "gradient_descent": ((w, 0.2, X, rng.normal(size=6)), {"lr": 0.01, "steps": 3}),
    }


def test_every_public_function_is_covered() -> None:
    assert set(_calls(np.random.default_rng(0))) == set(reference.__all__)


@pytest.mark.parametrize("seed", SEEDS)
def test_no_function_modifies_its_inputs(seed: int) -> None:
    """Kills M9 (sgd_step subtracting in place into W), J10 (numerical_jacobian stepping x in place)."""
    for name, (args, kwargs) in _calls(np.random.default_rng(seed)).items():
        saved = copy.deepcopy((args, kwargs))
        getattr(reference, name)(*args, **kwargs)
        try:
            _assert_same((args, kwargs), saved)
        except AssertionError as exc:
            raise AssertionError(f"{name} modified its inputs") from exc


def test_outputs_do_not_alias_inputs() -> None:
    """Kills R9 (neuron_grad returns x itself), R10 (gradient_descent keeps the caller's w array)."""
    x = np.array([1.0, -2.0])
    _, acts = forward([(np.eye(2), np.zeros(2))], x)
    acts[0][0] = 9.0
    assert x[0] == 1.0
    dw, _ = neuron_grad(np.array([1.0, 1.0]), 5.0, x)
    dw[0] = 9.0
    assert x[0] == 1.0
    w = np.array([0.5])
    w_new, _, _ = gradient_descent(w, 0.0, np.array([[1.0]]), np.array([1.0]), steps=0)
    w_new[0] = 9.0
    assert w[0] == 0.5


def test_output_types_and_shapes() -> None:
    """Kills M4 (bce_loss a sum), M15 (np.float64 instead of float), P8 (errors as floats), J7, J9, J12."""
    assert type(bce_loss(1.0, 0.7)) is float
    assert type(bce_loss(np.array([1.0, 0.0]), np.array([0.7, 0.2]))) is float
    assert bce_loss(np.array([1.0, 0.0]), np.array([0.7, 0.2])) == pytest.approx(-(math.log(0.7) + math.log(0.8)) / 2)
    assert bce_grad(np.array([1.0, 0.0]), np.array([0.5, 0.5])).tolist() == [-2.0, 2.0]
    X, y = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([1.0, 0.0])
    assert type(mse_cost(np.array([0.1, 0.2]), 0.3, X, y)) is float
    dw, db = mse_grad(np.array([0.1, 0.2]), 0.3, X, y)
    assert isinstance(dw, np.ndarray) and dw.shape == (2,) and type(db) is float
    dw, db = neuron_grad(np.array([0.1, 0.2]), -5.0, np.array([1.0, 1.0]))
    assert dw.tolist() == [0.0, 0.0] and db == 0.0 and type(db) is float
    np.testing.assert_array_equal(relu_neuron(np.array([1.0, -1.0]), 0.5, X), [0.0, 1.5])
    w, errors = perceptron_train(X, y, epochs=3)
    assert isinstance(errors, list) and all(type(e) is int for e in errors)
    assert isinstance(w, np.ndarray) and w.shape == (3,)
    zs, acts = forward(network()[0], np.array([2.0]))
    assert [z.shape for z in zs] == [(2,), (3,), (1,)] and [a.shape for a in acts] == [(1,), (2,), (3,), (1,)]
    np.testing.assert_array_equal(jacobian_identity(3), np.eye(3))
    assert jacobian_identity(1).shape == (1, 1)
    assert jacobian_sum(np.arange(4.0)).tolist() == [[1.0, 1.0, 1.0, 1.0]]
    assert chain_rule_example(1.0).shape == (2,)
    assert numerical_jacobian(lambda v: v[:2] * 2, np.ones(3)).shape == (2, 3)


def test_jacobian_scalar_add_shapes_and_errors() -> None:
    """Kills J5."""
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(jacobian_scalar_add(x, 2.0, "x"), np.eye(4))
    np.testing.assert_array_equal(jacobian_scalar_add(x, 2.0, "z"), np.ones((4, 1)))
    with pytest.raises(ValueError):
        jacobian_scalar_add(x, 2.0, "w")


def test_jacobian_elementwise_hand_values_and_errors() -> None:
    """Kills J1, J2, J3, J13."""
    w, x = np.array([1.0, -2.0, 3.0]), np.array([0.5, 4.0, -2.0])
    np.testing.assert_array_equal(jacobian_elementwise("-", w, x, "x"), -np.eye(3))
    np.testing.assert_array_equal(jacobian_elementwise("*", w, x, "w"), np.diag(x))
    np.testing.assert_allclose(jacobian_elementwise("/", w, x, "x"), np.diag([-4.0, 0.125, -0.75]))
    np.testing.assert_allclose(jacobian_elementwise("/", w, x, "w"), np.diag([2.0, 0.25, -0.5]))
    with pytest.raises(ValueError):
        jacobian_elementwise("^", w, x, "w")
    with pytest.raises(ValueError):
        jacobian_elementwise("+", w, x, "y")


@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((1, 4), (3, 1)), ((3,), (3, 2)), ((2, 2), (2,))])
def test_chain_jacobians_rejects_shapes_that_do_not_chain(shapes: tuple) -> None:
    """Kills J11 (shape check removed)."""
    with pytest.raises(ValueError):
        chain_jacobians(np.ones(shapes[0]), np.ones(shapes[1]))


def test_chain_jacobians_order_matters() -> None:
    """Kills J4 (J_g @ J_f)."""
    A, B = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(chain_jacobians(A, B), [[2.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(chain_jacobians(np.ones((1, 3)), np.arange(6.0).reshape(3, 2)), [[6.0, 9.0]])


def test_mse_grad_at_the_kink_takes_the_zero_branch() -> None:
    """A sample with z = 0 exactly is inactive (derivative of max(0, z) at 0 taken as 0).

    Kills R3 (`z >= 0` in mse_grad), R4 (`>=` in neuron_grad), A3 (`>=` in relu_grad), A4, R1, R2, R6, R7.
    """
    X, y = np.array([[1.0], [2.0]]), np.array([3.0, 1.0])
    dw, db = mse_grad(np.array([1.0]), -1.0, X, y)  # z = (0, 1): only sample 2 active, e = 0
    assert dw.tolist() == [0.0] and db == 0.0
    dw, db = mse_grad(np.array([1.0]), -1.0, X, np.array([3.0, 0.0]))  # e_2 = 1: (2/2) * 1 * (2, 1)
    assert dw.tolist() == [2.0] and db == 1.0
    assert neuron_grad(np.array([1.0]), -1.0, np.array([1.0]))[1] == 0.0
    assert relu_grad(0.0) == 0.0 and leaky_relu_grad(0.0, 0.3) == 0.3
