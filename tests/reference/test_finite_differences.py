"""Every derivative and Jacobian of the reference against central finite differences (tests/reference/_fd.py).

Seeded random cases (np.random.default_rng(seed), 25 seeds each); points are kept away from the kinks
of ReLU / leaky ReLU and from the poles of 1/x, ln x.
"""
from __future__ import annotations

import numpy as np
import pytest

from reference import (
    backward,
    bce_grad,
    bce_loss,
    chain_jacobians,
    chain_rule_example,
    forward,
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
    relu,
    relu_grad,
    relu_neuron,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from tests.reference._fd import fd_derivative, fd_gradient, fd_jacobian

SEEDS = range(25)


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], margin: float = 1e-3) -> np.ndarray:
    z = rng.normal(0.0, 3.0, size=shape)
    return np.where(np.abs(z) < margin, margin * 10 * np.sign(z + 0.5), z)


# --- activations ------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_and_tanh_grads(seed: int) -> None:
    """Kills A1 (sigmoid_grad = s, no (1 - s)), A2 (tanh_grad = 1 - tanh, not squared)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 3.0, size=(int(rng.integers(1, 5)), int(rng.integers(1, 5))))
    np.testing.assert_allclose(sigmoid_grad(z), fd_derivative(sigmoid, z), atol=1e-8)
    np.testing.assert_allclose(tanh_grad(z), fd_derivative(tanh, z), atol=1e-8)
    assert sigmoid_grad(z).shape == z.shape and tanh_grad(z).shape == z.shape


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_and_leaky_relu_grads_away_from_0(seed: int) -> None:
    """Kills A4 (leaky slope 0), A6 (default alpha 0.1), A7 (relu = |z|)."""
    rng = np.random.default_rng(seed)
    z = _away_from_zero(rng, (int(rng.integers(1, 12)),))
    alpha = float(rng.uniform(0.001, 0.99))
    np.testing.assert_allclose(relu_grad(z), fd_derivative(relu, z, eps=1e-5), atol=1e-8)
    np.testing.assert_allclose(leaky_relu_grad(z, alpha),
                               fd_derivative(lambda v: leaky_relu(v, alpha), z, eps=1e-5), atol=1e-8)
    np.testing.assert_allclose(leaky_relu_grad(z), fd_derivative(leaky_relu, z, eps=1e-5), atol=1e-8)


# --- cross-entropy and backpropagation --------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_bce_grad_is_the_elementwise_derivative(seed: int) -> None:
    """bce_loss is a mean over n elements, bce_grad is not divided by n: bce_grad = d(n bce_loss)/dyhat.

    Kills M4 (bce_loss a sum), M5 (bce_grad sign), M12 (log10).
    """
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    y = rng.integers(0, 2, n).astype(float) if seed % 2 else rng.uniform(0, 1, n)
    y_hat = rng.uniform(0.05, 0.95, n)
    fd = fd_gradient(lambda v: n * bce_loss(y, v), y_hat)
    np.testing.assert_allclose(bce_grad(y, y_hat), fd, rtol=1e-6, atol=1e-8)


def _random_network(rng: np.random.Generator) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """1-4 layers, hidden widths 1-6, input size 1-6, one sigmoid output; y in {0, 1} or fractional."""
    n_in = int(rng.integers(1, 7))
    widths = [n_in] + [int(rng.integers(1, 7)) for _ in range(int(rng.integers(0, 4)))] + [1]
    params = [(rng.normal(0, 1.0, (o, i)), rng.normal(0, 0.5, o)) for i, o in zip(widths, widths[1:])]
    x = rng.normal(0, 1.0, n_in)
    kind = int(rng.integers(3))
    y = np.array([float(rng.integers(2))]) if kind < 2 else np.array([float(rng.uniform(0.05, 0.95))])
    return params, x, y


@pytest.mark.parametrize("seed", SEEDS)
def test_backward_matches_finite_differences_of_the_loss(seed: int) -> None:
    """Every dW and db of backward = FD of bce_loss(y, forward(params, x)[1][-1]).

    Kills M1 (missing sigmoid derivative), M2 (transposed outer product), M6 (delta = y - yhat),
    M8 (forward without bias), M11 (label ignored), M12 (log10 in the loss).
    """
    rng = np.random.default_rng(seed)
    params, x, y = _random_network(rng)
    zs, acts = forward(params, x)
    grads = backward(params, zs, acts, y)
    assert len(grads) == len(params)

    def loss_with(layer: int, which: int, value: np.ndarray) -> float:
        trial = [(W.copy(), b.copy()) for W, b in params]
        trial[layer] = (value, trial[layer][1]) if which == 0 else (trial[layer][0], value)
        return bce_loss(y, forward(trial, x)[1][-1])

    for layer, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        assert dW.shape == W.shape and db.shape == b.shape
        np.testing.assert_allclose(dW, fd_gradient(lambda v: loss_with(layer, 0, v), W), atol=1e-7)
        np.testing.assert_allclose(db, fd_gradient(lambda v: loss_with(layer, 1, v), b), atol=1e-7)


# --- the ReLU neuron and its MSE cost ---------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_neuron_grad(seed: int) -> None:
    """(d act/dw, d act/db) = FD of relu_neuron for one sample, active or not (away from the kink). Kills R12."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    w, x = rng.normal(size=n), rng.normal(size=n)
    b = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.1, 2.0) - w @ x)  # z = b + w.x is +-[0.1, 2]
    dw, db = neuron_grad(w, b, x)
    act = lambda v, c: float(relu_neuron(v, c, x[None, :])[0])  # noqa: E731
    np.testing.assert_allclose(dw, fd_gradient(lambda v: act(v, b), w), atol=1e-8)
    assert db == pytest.approx(fd_gradient(lambda c: act(w, float(c[0])), np.array([b]))[0], abs=1e-8)
    assert isinstance(db, float) and dw.shape == w.shape


@pytest.mark.parametrize("seed", SEEDS)
def test_mse_grad(seed: int) -> None:
    """(dC/dw, dC/db) = FD of mse_cost, samples kept at |z_i| >= 0.05 from the kink.

    Kills R1 (split outside), R2 (dropped factor 2), R6 (error sign y - z), R7 (division by the number
    of active samples), R11 (mse_cost without square), R12. A `z >= 0` split only differs at the kink:
    test_properties.py::test_mse_grad_at_the_kink_takes_the_zero_branch.
    """
    rng = np.random.default_rng(seed)
    n, N = int(rng.integers(1, 5)), int(rng.integers(1, 10))
    w, b = rng.normal(size=n), float(rng.normal())
    X = rng.normal(size=(N, n))
    z = X @ w + b
    X[np.abs(z) < 0.05] += 0.2 * w / (w @ w)  # shift near-kink samples to z + 0.2
    y = rng.normal(0.0, 2.0, N)
    dw, db = mse_grad(w, b, X, y)
    np.testing.assert_allclose(dw, fd_gradient(lambda v: mse_cost(v, b, X, y), w), atol=1e-6)
    assert db == pytest.approx(fd_gradient(lambda c: mse_cost(w, float(c[0]), X, y), np.array([b]))[0], abs=1e-6)


# --- Jacobians ----------------------------------------------------------------------------------------

OPS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("wrt", ["w", "x"])
def test_jacobian_elementwise(seed: int, op: str, wrt: str) -> None:
    """Kills J1 (d(w-x)/dx = +I), J2 (d(w/x)/dx = -w/x), J3 (d(w*x)/dw = diag(w)), J13 (d(w/x)/dw = diag(x))."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    w = rng.normal(size=n)
    x = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)  # |x| >= 0.5 for w / x
    f = OPS[op]
    if wrt == "w":
        fd = fd_jacobian(lambda v: f(v, x), w)
    else:
        fd = fd_jacobian(lambda v: f(w, v), x)
    J = jacobian_elementwise(op, w, x, wrt)
    assert J.shape == (n, n)
    np.testing.assert_allclose(J, fd, atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_jacobian_scalar_add_sum_identity(seed: int) -> None:
    """Kills J5 (d/dz a row), J9 (jacobian_sum a column), J12 (identity all ones)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    x, z = rng.normal(size=n), float(rng.normal())
    np.testing.assert_allclose(jacobian_scalar_add(x, z, "x"), fd_jacobian(lambda v: v + z, x), atol=1e-9)
    np.testing.assert_allclose(jacobian_scalar_add(x, z, "z"),
                               fd_jacobian(lambda c: x + c[0], np.array([z])), atol=1e-9)
    np.testing.assert_allclose(jacobian_sum(x), fd_jacobian(lambda v: np.array([v.sum()]), x), atol=1e-9)
    np.testing.assert_allclose(jacobian_identity(n), fd_jacobian(lambda v: v, x), atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_chain_rule_example(seed: int) -> None:
    """d/dx [ln(x^2), sin(3x)] at x with |x| in [0.2, 3], both signs (ln(x^2) = 2 ln|x|). Kills J8."""
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(0.2, 3.0) * rng.choice([-1.0, 1.0]))
    fd = fd_jacobian(lambda v: np.array([np.log(v[0] ** 2), np.sin(3 * v[0])]), np.array([x]))[:, 0]
    got = chain_rule_example(x)
    assert got.shape == (2,)
    np.testing.assert_allclose(got, fd, atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_chain_jacobians_is_the_jacobian_of_the_composition(seed: int) -> None:
    """f(g(x)) with g(x) = B sin(x) (k x n) and f(u) = tanh(A u + c) (m x k), analytic J_f and J_g.

    Kills J4 (chain_jacobians returning J_g @ J_f).
    """
    rng = np.random.default_rng(seed)
    m, k, n = (int(v) for v in rng.integers(1, 6, 3))
    A, B, c = rng.normal(size=(m, k)), rng.normal(size=(k, n)), rng.normal(size=m)
    x = rng.normal(size=n)
    g = lambda v: B @ np.sin(v)  # noqa: E731
    f = lambda u: np.tanh(A @ u + c)  # noqa: E731
    J_g = B * np.cos(x)[None, :]  # B diag(cos x)
    J_f = (1.0 - np.tanh(A @ g(x) + c) ** 2)[:, None] * A  # diag(1 - tanh^2) A
    J = chain_jacobians(J_f, J_g)
    assert J.shape == (m, n)
    np.testing.assert_allclose(J, fd_jacobian(lambda v: f(g(v)), x), atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_numerical_jacobian_against_analytic_jacobians(seed: int) -> None:
    """Linear (non-square), tanh-affine, scalar quadratic (m = 1, f returns a float), exp (n = 1).

    Kills J6 (forward-difference scale: factor 2 dropped), J7 (rows stacked instead of columns).
    """
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    A, c, x = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=n)
    J = numerical_jacobian(lambda v: A @ v, x)
    assert J.shape == (m, n)
    np.testing.assert_allclose(J, A, atol=1e-8)
    np.testing.assert_allclose(numerical_jacobian(lambda v: np.tanh(A @ v + c), x),
                               (1 - np.tanh(A @ x + c) ** 2)[:, None] * A, atol=1e-8)
    Q = rng.normal(size=(n, n))
    J = numerical_jacobian(lambda v: float(v @ Q @ v), x, eps=1e-5)
    assert J.shape == (1, n)
    np.testing.assert_allclose(J[0], (Q + Q.T) @ x, atol=1e-6)
    t = float(rng.normal())
    J = numerical_jacobian(lambda v: np.exp(v), np.array([t]))
    assert J.shape == (1, 1)
    assert J[0, 0] == pytest.approx(np.exp(t), rel=1e-8)
    # a coarse eps still gives the central difference (f(x+eps) - f(x-eps)) / (2 eps), exact for cubics
    J = numerical_jacobian(lambda v: v**3, np.array([1.0]), eps=0.5)
    assert J[0, 0] == pytest.approx(((1.5**3) - (0.5**3)) / 1.0)
