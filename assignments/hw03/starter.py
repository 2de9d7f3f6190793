"""hw03 starter: Lecture 03: Introducing Deep Learning, Neural Networks.

Replace every `raise NotImplementedError(...)` with your code. Keep the function names and
parameters exactly as they are: the grader calls them. Use numpy and the Python standard
library only, and do not modify the arrays you are given.

Check your work with `python selfcheck.py hw03.py` from the student bundle (public cases
only; the grade also counts hidden cases). This file is generated from the assignment
definition.
"""
import numpy as np


# ==========================================================================================
# Part 1: A single perceptron (15 points)
#
# **Linear model** (slide "Linear Model"): with the unit feature $x_0 = 1$ the bias $b$
# becomes the weight $w_0$,
#
# $$y = \sum_{i=0}^n w_i x_i = \mathbf{w}^\top \mathbf{x}$$
#
# **Perceptron** (slide "Perceptron"): a neuron with the unit step (Heaviside function) for
# decision making,
#
# $$g(z) = \begin{cases} 1, & \text{if } z \geq \theta \\ 0, & \text{otherwise} \end{cases}$$
#
# **Learning rule.** The lecture does not print it; the assignment fixes Rosenblatt's rule.
# Start from $\mathbf{w} = \mathbf{0}$ and visit the rows in order. After each row, with the
# prediction $\hat{y} = g(\mathbf{w}^\top [1, \mathbf{x}])$ made *before* the update,
#
# $$\mathbf{w} \leftarrow \mathbf{w} + \eta\,(y - \hat{y})\,[1, \mathbf{x}]$$
#
# Stop after the first epoch without a mistake. A single perceptron converges only on
# linearly separable classes (AND, OR), never on XOR.
# ==========================================================================================


def unit_step(z, theta=0.0):
    """z: a number or an array of any shape; theta: the threshold. Return a float array shaped
    like z (0-d for a number): 1.0 where z >= theta, 0.0 elsewhere. z == theta gives 1.0.

    In short: array shaped like z: 1.0 where z >= theta, else 0.0.
    Worth 3 points.
    """
    raise NotImplementedError("unit_step is not implemented yet")


def perceptron_predict(w, X, theta=0.0):
    """w: (n+1,) weights, w[0] the bias weight (it multiplies the unit feature x0 = 1), w[1:]
    the weights of the n features. X: (N, n), one sample per row. Return an (N,) float array
    of 0.0 and 1.0: unit_step(w[0] + X @ w[1:], theta).

    In short: (N,) array of 0/1; w: (n+1,) with w[0] the bias weight (x0 = 1); X: (N, n).
    Worth 4 points.
    """
    raise NotImplementedError("perceptron_predict is not implemented yet")


def perceptron_train(X, y, lr=1.0, epochs=100, theta=0.0):
    """X: (N, n) samples; y: (N,) labels 0/1; lr: the learning rate; epochs: the most epochs to
    run. Start from w = zeros(n + 1). In each epoch visit the rows in order: predict y_hat =
    unit_step(w @ [1, x], theta) with the current w, count a mistake when y_hat != y, then
    set w = w + lr * (y - y_hat) * [1, x]. Stop right after the first epoch with no mistake,
    or after `epochs` epochs. Return (w, errors): w an (n+1,) float array, errors a list of
    ints, the mistakes of each epoch run.

    In short: (w, errors): w starts at zeros(n+1), rows visited in order, w += lr (y -
    y_hat) [1, x]; errors[e] = misclassified rows in epoch e; stop after the first epoch
    with 0 errors.
    Worth 8 points.
    """
    raise NotImplementedError("perceptron_train is not implemented yet")


# ==========================================================================================
# Part 2: Activation functions and their derivatives (elementwise, any shape) (16 points)
#
# **Sigmoid** (range 0 to 1, for probabilities) and its derivative, written with the
# function's own value (slide "Sigmoid Activation Function and Its Derivative"):
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad \frac{d\sigma}{dz} = \sigma(z)[1 - \sigma(z)]$$
#
# **Tanh** (range -1 to 1):
#
# $$\tanh(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}, \qquad \frac{d}{dz}\tanh(z) = 1 - \tanh^2(z)$$
#
# **ReLU** and **leaky ReLU** (the lecture's leaky ReLU has $\alpha = 0.01$). The derivative
# of the max is piecewise (slide "Including Nonlinearity of the Activation Function"):
#
# $$ReLU(z) = \max(0, z), \qquad \frac{\partial}{\partial z} \max(0, z) = \begin{cases} 0 & z \leq 0 \\ \frac{dz}{dz} = 1 & z > 0 \end{cases}$$
#
# $$LeakyReLU(z) = \max(\alpha z, z), \qquad \frac{d}{dz} LeakyReLU(z) = \begin{cases} \alpha & z \leq 0 \\ 1 & z > 0 \end{cases}$$
#
# The derivatives of tanh and of the leaky ReLU follow from the definitions; the lecture
# does not print them. Every function works elementwise on a number or an array of any
# shape. At $z = 0$ the max has no derivative; like the lecture's case split, take the value
# of the $z \leq 0$ branch. $e^{-z}$ overflows at $z = -1000$, so compute the sigmoid
# without ever evaluating $e$ to a large positive power: no RuntimeWarning is allowed.
# ==========================================================================================


def sigmoid(z):
    """z: a number or an array of any shape. Return 1 / (1 + exp(-z)) elementwise, shaped like
    z. Must stay finite and raise no RuntimeWarning (overflow) for |z| up to 1000: never
    evaluate exp of a large positive number.

    In short: 1 / (1 + exp(-z)); finite and without RuntimeWarning for |z| <= 1000.
    Worth 3 points.
    """
    raise NotImplementedError("sigmoid is not implemented yet")


def sigmoid_grad(z):
    """The derivative sigmoid(z) * (1 - sigmoid(z)), elementwise, shaped like z. Finite and
    without RuntimeWarning for |z| up to 1000.

    In short: s(z) (1 - s(z)); finite and without RuntimeWarning for |z| <= 1000.
    Worth 2 points.
    """
    raise NotImplementedError("sigmoid_grad is not implemented yet")


def tanh(z):
    """(e^z - e^-z) / (e^z + e^-z) elementwise, shaped like z (np.tanh may be used).

    In short: (e^z - e^-z) / (e^z + e^-z).
    Worth 2 points.
    """
    raise NotImplementedError("tanh is not implemented yet")


def tanh_grad(z):
    """1 - tanh(z)^2 elementwise, shaped like z.

    In short: 1 - tanh(z)^2.
    Worth 2 points.
    """
    raise NotImplementedError("tanh_grad is not implemented yet")


def relu(z):
    """max(0, z) elementwise, as floats, shaped like z.

    In short: max(0, z).
    Worth 2 points.
    """
    raise NotImplementedError("relu is not implemented yet")


def relu_grad(z):
    """The derivative of max(0, z): 0.0 where z <= 0 (z == 0 included), 1.0 where z > 0; shaped
    like z.

    In short: 0 where z <= 0, 1 where z > 0.
    Worth 2 points.
    """
    raise NotImplementedError("relu_grad is not implemented yet")


def leaky_relu(z, alpha=0.01):
    """max(alpha * z, z) elementwise, for 0 < alpha < 1; shaped like z.

    In short: max(alpha z, z) for 0 < alpha < 1.
    Worth 1.5 points.
    """
    raise NotImplementedError("leaky_relu is not implemented yet")


def leaky_relu_grad(z, alpha=0.01):
    """alpha where z <= 0 (z == 0 included), 1.0 where z > 0; shaped like z.

    In short: alpha where z <= 0, 1 where z > 0.
    Worth 1.5 points.
    """
    raise NotImplementedError("leaky_relu_grad is not implemented yet")


# ==========================================================================================
# Part 3: A sigmoid network trained by backpropagation (binary cross-entropy) (38 points)
#
# **Forward propagation** (slides "Forward Propagation"), sigmoid in every layer $\ell = 1,
# \dots, L$:
#
# $$z^{[\ell]} = W^{[\ell]} a^{[\ell-1]} + b^{[\ell]}, \qquad a^{[\ell]} = \sigma(z^{[\ell]}), \qquad a^{[0]} = x, \qquad \hat{y} = a^{[L]}$$
#
# **Cross-entropy loss and its derivative** (slide "Cross-Entropy Loss and Its Derivative";
# $\log$ is the natural logarithm):
#
# $$L(y, \hat{y}) = -[y \log(\hat{y}) + (1 - y) \log(1 - \hat{y})], \qquad \frac{\partial L}{\partial \hat{y}} = -\frac{y}{\hat{y}} + \frac{1 - y}{1 - \hat{y}}$$
#
# **Chain rule in backpropagation.** With $\frac{d\sigma}{dz} = \hat{y}(1 - \hat{y})$ the
# output layer $\ell = L$ simplifies (slide "These Derivatives Are Well-Behaved"):
#
# $$\frac{\partial L}{\partial z^{[\ell]}} = \left( -\frac{y}{\hat{y}} + \frac{1-y}{1-\hat{y}} \right) \cdot \hat{y}(1-\hat{y}) = \hat{y} - y$$
#
# Going down the layers, in matrix form (the lecture does it neuron by neuron):
#
# $$\frac{\partial L}{\partial W^{[\ell]}} = \frac{\partial L}{\partial z^{[\ell]}} \left(a^{[\ell-1]}\right)^\top, \qquad \frac{\partial L}{\partial b^{[\ell]}} = \frac{\partial L}{\partial z^{[\ell]}}, \qquad \frac{\partial L}{\partial z^{[\ell-1]}} = \left( (W^{[\ell]})^\top \frac{\partial L}{\partial z^{[\ell]}} \right) \odot a^{[\ell-1]} \left(1 - a^{[\ell-1]}\right)$$
#
# The slide "Chain Rule in Backpropagation" writes $\gamma$ for the label $y$.
#
# **Gradient descent** with learning rate $\eta$ (slide "Weight Updates with Gradient
# Descent"):
#
# $$\mathbf{w}_{\text{new}} = \mathbf{w}_{\text{old}} - \eta \cdot \frac{\partial L}{\partial \mathbf{w}}$$
#
# **The worked example.** The 1-2-3-1 network with $x = 2.0$, $y = 1$ and $\eta = 0.1$
# predicts $\hat{y} = 0.7739$ with loss $0.2563$. Some slides print 0.7740; 0.7739 is right.
# ==========================================================================================


def bce_loss(y, y_hat):
    """y: labels (0/1, or fractional targets in [0, 1]); y_hat: predictions in (0, 1), shaped
    like y (numbers or arrays). Return a Python float: the mean over all elements of -[y
    log(y_hat) + (1 - y) log(1 - y_hat)], natural log.

    In short: float: -[y log y_hat + (1 - y) log(1 - y_hat)], mean over elements.
    Worth 3 points.
    """
    raise NotImplementedError("bce_loss is not implemented yet")


def bce_grad(y, y_hat):
    """dL/dy_hat = -y / y_hat + (1 - y) / (1 - y_hat) elementwise, shaped like y_hat; not
    divided by the number of elements.

    In short: dL/dy_hat = -y / y_hat + (1 - y) / (1 - y_hat), elementwise.
    Worth 3 points.
    """
    raise NotImplementedError("bce_grad is not implemented yet")


def forward(params, x):
    """params: a list of (W, b) pairs, one per layer from input to output; W is (n_out, n_in)
    with W[j, i] the weight from input i into neuron j, b is (n_out,). x: one sample,
    (n_in,). Every layer uses the sigmoid. Return (zs, activations): zs[l] = W_l @
    activations[l] + b_l, activations[0] = x (as a float array), activations[l + 1] =
    sigmoid(zs[l]); len(zs) == len(params) and len(activations) == len(params) + 1. Do not
    modify params or x.

    In short: (zs, activations): zs[l] = W_l a_l + b_l, activations[0] = x, activations[l+1]
    = sigmoid(zs[l]).
    Worth 7 points.
    """
    raise NotImplementedError("forward is not implemented yet")


def backward(params, zs, activations, y):
    """params as for forward; zs and activations as forward returns them for one sample; y:
    that sample's label (a number or a (1,) array). Return grads, a list of (dW, db) pairs
    shaped exactly like params: the gradient of bce_loss(y, activations[-1]). Start from
    delta = y_hat - y for the last layer; for layer l, dW_l = outer(delta, activations[l])
    and db_l = delta, then delta = (W_l.T @ delta) * a * (1 - a) with a = activations[l].
    Work from the zs and activations you are given.

    In short: grads: list of (dW, db) shaped like params, of bce_loss(y, activations[-1]).
    Worth 14 points.
    """
    raise NotImplementedError("backward is not implemented yet")


def sgd_step(params, grads, lr):
    """params and grads: lists of (W, b) and (dW, db) pairs of the same shapes; lr: the
    learning rate. Return the new params [(W - lr * dW, b - lr * db), ...]. Do not modify
    params or grads in place (no -=).

    In short: new params [(W - lr dW, b - lr db), ...]; inputs untouched.
    Worth 3 points.
    """
    raise NotImplementedError("sgd_step is not implemented yet")


def train(params, X, y, lr=0.1, epochs=1):
    """params: the initial (W, b) list; X: (N, n_in) samples; y: (N,) labels; lr: the learning
    rate; epochs: passes over the data. Per-sample SGD: in each epoch, for each row in
    order, run forward, record bce_loss(y_i, y_hat) before the update, run backward, then
    sgd_step. Return (params, losses): the trained params (same shapes) and losses, a list
    with one float per epoch, the mean of that epoch's recorded losses. Do not modify the
    params you are given.

    In short: (params, losses): per-sample SGD over the rows in order; losses[e] = mean of
    the pre-update losses of epoch e.
    Worth 8 points.
    """
    raise NotImplementedError("train is not implemented yet")


# ==========================================================================================
# Part 4: Matrix calculus: Jacobians in numerator layout (m, n) (15 points)
#
# **Jacobian, numerator layout** (slide "Generalization"). For $\mathbf{y} =
# \mathbf{f}(\mathbf{x})$ with $m$ outputs and $n$ inputs, row $i$ is the gradient of $f_i$,
# so the Jacobian has $m$ rows and width $n$:
#
# $$\frac{\partial \mathbf{y}}{\partial \mathbf{x}} = \begin{bmatrix} \nabla f_1(\mathbf{x}) \\ \vdots \\ \nabla f_m(\mathbf{x}) \end{bmatrix} = \begin{bmatrix} \frac{\partial f_1}{\partial x_1} & \dots & \frac{\partial f_1}{\partial x_n} \\ \vdots & & \vdots \\ \frac{\partial f_m}{\partial x_1} & \dots & \frac{\partial f_m}{\partial x_n} \end{bmatrix}$$
#
# The identity $\mathbf{f}(\mathbf{x}) = \mathbf{x}$ has the Jacobian $I$.
#
# **Elementwise binary operations** $\mathbf{y} = \mathbf{w} \bigcirc \mathbf{x}$ have
# diagonal Jacobians (slide "Results of Common Elementwise Binary Operations" gives the
# $\mathbf{w}$ column; the $\mathbf{x}$ column follows in the same way):
#
# | op | $\partial \mathbf{y} / \partial \mathbf{w}$ | $\partial \mathbf{y} / \partial \mathbf{x}$ |
# | --- | --- | --- |
# | $+$ | $I$ | $I$ |
# | $-$ | $I$ | $-I$ |
# | $\otimes$ | $\text{diag}(\mathbf{x})$ | $\text{diag}(\mathbf{w})$ |
# | $\oslash$ | $\text{diag}(\dots \frac{1}{x_i} \dots)$ | $\text{diag}(\dots \frac{-w_i}{x_i^2} \dots)$ |
#
# **Vector-scalar addition** $\mathbf{y} = \mathbf{x} + \vec{1} z$: $\partial \mathbf{y} /
# \partial \mathbf{x} = I$. The partial derivative with respect to the scalar $z$ is a
# vertical vector $\vec{1}$ ($n \times 1$), not a diagonal matrix.
#
# **Sum reduction** $y = \sum_i x_i$: $\partial y / \partial \mathbf{x} = \vec{1}^\top$, a
# row ($1 \times n$).
#
# **Vector chain rule** (slide "Vector Chain Rule"; matrix multiplication does not commute,
# so the order matters):
#
# $$\frac{\partial}{\partial \mathbf{x}} \mathbf{f}(\mathbf{g}(\mathbf{x})) = \frac{\partial \mathbf{f}}{\partial \mathbf{g}} \frac{\partial \mathbf{g}}{\partial \mathbf{x}} \qquad (m \times k \text{ times } k \times n \text{ gives } m \times n)$$
#
# The lecture's example: $\mathbf{y}(x) = [\ln(x^2), \sin(3x)]$ has $\frac{\partial
# \mathbf{y}}{\partial x} = [2/x, 3\cos(3x)]$.
#
# **Central differences**, to check a Jacobian numerically. This is not in the lecture.
# Column $j$ is
#
# $$J_{:, j} \approx \frac{\mathbf{f}(\mathbf{x} + \epsilon \mathbf{e}_j) - \mathbf{f}(\mathbf{x} - \epsilon \mathbf{e}_j)}{2\epsilon}$$
# ==========================================================================================


def jacobian_identity(n):
    """n: an int. Return the (n, n) float identity, the Jacobian of f(x) = x.

    In short: (n, n) identity.
    Worth 1 point.
    """
    raise NotImplementedError("jacobian_identity is not implemented yet")


def jacobian_elementwise(op, w, x, wrt):
    """op: one of '+', '-', '*', '/'; w, x: (n,) arrays; wrt: 'w' or 'x'. Return the (n, n)
    Jacobian of y = w op x (elementwise) with respect to w or x: a diagonal matrix (see the
    table). Raise ValueError for any other op or wrt.

    In short: (n, n) Jacobian of y = w op x, op in {'+', '-', '*', '/'}, wrt in {'w', 'x'}.
    Worth 3 points.
    """
    raise NotImplementedError("jacobian_elementwise is not implemented yet")


def jacobian_scalar_add(x, z, wrt):
    """x: (n,) array; z: a number; wrt: 'x' or 'z'. y = x + z * ones(n). For wrt 'x' return the
    (n, n) identity; for wrt 'z' an (n, 1) column of ones (a vertical vector, not (n,)).
    Raise ValueError for any other wrt.

    In short: y = x + z 1: wrt 'x' -> (n, n) identity; wrt 'z' -> (n, 1) column of ones.
    Worth 2 points.
    """
    raise NotImplementedError("jacobian_scalar_add is not implemented yet")


def jacobian_sum(x):
    """x: (n,) array. Return the Jacobian of y = sum(x): a row of ones of shape (1, n), not
    (n,).

    In short: (1, n) row of ones.
    Worth 1 point.
    """
    raise NotImplementedError("jacobian_sum is not implemented yet")


def chain_rule_example(x):
    """x: a nonzero number. For y(x) = [ln(x^2), sin(3x)] return dy/dx as a (2,) array [2 / x,
    3 cos(3x)].

    In short: array([2/x, 3 cos(3x)]).
    Worth 2 points.
    """
    raise NotImplementedError("chain_rule_example is not implemented yet")


def chain_jacobians(J_f, J_g):
    """J_f: the (m, k) Jacobian of f at g(x); J_g: the (k, n) Jacobian of g at x. Return the
    (m, n) Jacobian of f(g(x)): J_f @ J_g (the order matters). Raise ValueError when the
    shapes do not chain (the inner sizes differ, or an input is not 2-d).

    In short: J_f @ J_g; ValueError when the shapes do not chain.
    Worth 2 points.
    """
    raise NotImplementedError("chain_jacobians is not implemented yet")


def numerical_jacobian(f, x, eps=1e-6):
    """f: a function taking an (n,) array and returning an (m,) array; x: the (n,) point; eps:
    the step. Return the (m, n) Jacobian by central differences: column j is (f(x + eps e_j)
    - f(x - eps e_j)) / (2 eps). Do not modify x (build each shifted point as a new array).

    In short: (m, n) central differences of f at x (n,); f returns an (m,) array.
    Worth 4 points.
    """
    raise NotImplementedError("numerical_jacobian is not implemented yet")


# ==========================================================================================
# Part 5: One ReLU neuron and the gradient of its MSE cost (16 points)
#
# **One ReLU neuron** (slides "Gradient of Neuron Activation" to "Derivative with Respect to
# Bias"): $\text{activation}(\mathbf{x}) = \max(0, \mathbf{w} \cdot \mathbf{x} + b)$, with
#
# $$\frac{\partial\, \text{activation}}{\partial \mathbf{w}} = \begin{cases} \mathbf{0}^T & \mathbf{w} \cdot \mathbf{x} + b \leq 0 \\ \mathbf{x}^T & \mathbf{w} \cdot \mathbf{x} + b > 0 \end{cases} \qquad \frac{\partial\, \text{activation}}{\partial b} = \begin{cases} 0 & \mathbf{w} \cdot \mathbf{x} + b \leq 0 \\ 1 & \mathbf{w} \cdot \mathbf{x} + b > 0 \end{cases}$$
#
# **MSE cost** over the $N$ samples $\mathbf{x}_i$, the rows of $X$ (slide "Gradient of
# Neural Network Loss"):
#
# $$C(\mathbf{w}, b, X, \mathbf{y}) = \frac{1}{N} \sum_{i=1}^N (y_i - \max(0, \mathbf{w} \cdot \mathbf{x}_i + b))^2$$
#
# **Its gradient keeps the case split inside the sum**, as the lecture's first step does:
# each sample is active or not on its own. With $z_i = \mathbf{w} \cdot \mathbf{x}_i + b$
# and the error $e_i = z_i - y_i$:
#
# $$\frac{\partial C}{\partial \mathbf{w}} = \frac{1}{N} \sum_{i=1}^N \begin{cases} \mathbf{0}^T & z_i \leq 0 \\ 2 e_i \mathbf{x}_i^T & z_i > 0 \end{cases} = \frac{2}{N} \sum_{i:\, z_i > 0} e_i \mathbf{x}_i^T, \qquad \frac{\partial C}{\partial b} = \frac{2}{N} \sum_{i:\, z_i > 0} e_i$$
#
# **The lecture slips here.** Its last steps pull the case split outside the sum:
# "$\frac{\partial C}{\partial \mathbf{w}} = \frac{2}{N} \sum_{i=1}^N e_i \mathbf{x}_i^T$
# (for the nonzero activation case)". Outside the sum the condition has no $i$ to refer to.
# For a batch that mixes active and inactive samples, inactive samples contribute nothing,
# while the factor stays $2/N$ with $N$ counting all samples. The bias gradient is $2/N$
# times the *sum* of the active samples' errors, not a mean.
#
# **Gradient descent**, full batch: $\mathbf{w} \leftarrow \mathbf{w} - \eta \frac{\partial
# C}{\partial \mathbf{w}}$ and $b \leftarrow b - \eta \frac{\partial C}{\partial b}$.
# ==========================================================================================


def relu_neuron(w, b, X):
    """w: (n,) weights; b: the bias (a number); X: (N, n), one sample per row. Return the (N,)
    activations max(0, X @ w + b).

    In short: (N,) max(0, X @ w + b).
    Worth 2 points.
    """
    raise NotImplementedError("relu_neuron is not implemented yet")


def neuron_grad(w, b, x):
    """w: (n,); b: a number; x: ONE sample, (n,). Return (d_w, d_b), the derivative of max(0, w
    . x + b): (x, 1.0) when w . x + b > 0, else (zeros(n), 0.0). d_w is an (n,) array (the
    lecture's row x^T), d_b a float.

    In short: (d act/d w (n,), d act/d b float): (x, 1) where w.x + b > 0, else (zeros, 0).
    Worth 3 points.
    """
    raise NotImplementedError("neuron_grad is not implemented yet")


def mse_cost(w, b, X, y):
    """w: (n,); b: a number; X: (N, n); y: (N,) targets. Return a float: mean((y -
    relu_neuron(w, b, X))^2).

    In short: float: mean((y - relu_neuron(w, b, X))^2).
    Worth 3 points.
    """
    raise NotImplementedError("mse_cost is not implemented yet")


def mse_grad(w, b, X, y):
    """w, b, X, y as for mse_cost. Return (dC_dw, dC_db), an (n,) array and a float. With z_i =
    X[i] @ w + b and e_i = z_i - y_i: dC_dw = (2/N) * the sum over the samples with z_i > 0
    of e_i * X[i], and dC_db = (2/N) * the sum over the same samples of e_i. Keep the case
    split inside the sum (see the note on the lecture's slip).

    In short: (dC/dw (n,), dC/db float) = (2/N) sum over samples with z_i > 0 of (z_i - y_i)
    (x_i, 1).
    Worth 5 points.
    """
    raise NotImplementedError("mse_grad is not implemented yet")


def gradient_descent(w, b, X, y, lr=0.01, steps=100):
    """w: (n,) initial weights; b: the initial bias; X: (N, n); y: (N,); lr: the learning rate;
    steps: the number of full-batch steps. At each step record mse_cost(w, b, X, y), then
    set w = w - lr * dC_dw and b = b - lr * dC_db (mse_grad). Return (w, b, costs): the
    final (n,) weights, the final bias (a float) and costs, a list of `steps` floats where
    costs[k] is the cost before step k. Do not modify the w you are given.

    In short: (w, b, costs): costs[k] is the cost before step k.
    Worth 3 points.
    """
    raise NotImplementedError("gradient_descent is not implemented yet")
