# Adversarial fixture (synthetic hw03 submission): monkeypatch builtins and the standard library.
# Attempts: isinstance, len, print, float, int, json and socket patched at import, so a
# runtime trusting them would misreport results.
# Stopped by: the runtime's private references and the module guard that restores every patched module attribute around its own work.
# expect-full: unit_step, relu, relu_grad
import builtins
import json
import socket

import numpy as np

builtins.isinstance = lambda *args: True
builtins.len = lambda *args: 0
builtins.print = None
builtins.float = builtins.int = lambda *args: 1
builtins.BaseException = builtins.all = builtins.max = None
json.dumps = json.loads = None
socket.socket.sendall = None


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=np.float64) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=np.float64) > 0, 1.0, 0.0)


def sigmoid(z):
    return np.asarray(z, dtype=np.float64)  # wrong on purpose: only a stolen sigmoid would pass
