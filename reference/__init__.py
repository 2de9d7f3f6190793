"""Trusted reference solution of lecture 03 (the student contract, one module per part)."""
from reference.activations import (
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from reference.jacobian import (
    chain_jacobians,
    chain_rule_example,
    jacobian_elementwise,
    jacobian_identity,
    jacobian_scalar_add,
    jacobian_sum,
    numerical_jacobian,
)
from reference.mlp import backward, bce_grad, bce_loss, forward, sgd_step, train
from reference.perceptron import perceptron_predict, perceptron_train, unit_step
from reference.relu_mse import gradient_descent, mse_cost, mse_grad, neuron_grad, relu_neuron

__all__ = [
    "unit_step", "perceptron_predict", "perceptron_train",
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad",
    "bce_loss", "bce_grad", "forward", "backward", "sgd_step", "train",
    "jacobian_identity", "jacobian_elementwise", "jacobian_scalar_add", "jacobian_sum",
    "chain_rule_example", "chain_jacobians", "numerical_jacobian",
    "relu_neuron", "neuron_grad", "mse_cost", "mse_grad", "gradient_descent",
]
