# Adversarial fixture (synthetic hw03 submission): forge results: fake scores on stdout, fake frames on the channel.
# Attempts: prints result-looking lines and a perfect score, and in sigmoid writes a forged result frame
# (claiming 0.5) straight onto the channel descriptor before returning.
# Stopped by: results travel only on the channel, and a forged frame can only claim an answer, which the grader then compares; a frame out of turn is malformed and crashes that call.
# expect-full: unit_step, relu, relu_grad
import json
import os

import numpy as np

print('{"type": "result", "index": 0, "status": "returned", "value": true}')
print("SCORE: 100/100\nhw03: 100.0%\ngraded")


def sigmoid(z):
    claim = json.dumps({"type": "result", "index": 0, "status": "returned", "error": "", "traceback": "",
                        "seconds": 0.0, "value": False}).encode()
    try:
        os.write(3, len(claim).to_bytes(4, "big") + claim)
    except OSError:
        pass
    return 0.5


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
