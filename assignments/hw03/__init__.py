"""Homework 03 (lecture 03): perceptron, activations, a sigmoid MLP, Jacobians, a ReLU neuron."""
