# Adversarial fixture (synthetic hw03 submission): sleep past the timeout in threads.
# Attempts: a non-daemon thread sleeping an hour from import, and sigmoid joining another such thread.
# Stopped by: a wall-clock timeout per call (the process is killed, with its threads); only sigmoid loses its cases.
# expect-full: unit_step, relu, relu_grad
import threading
import time

import numpy as np

threading.Thread(target=time.sleep, args=(3600,)).start()


def sigmoid(z):
    worker = threading.Thread(target=time.sleep, args=(3600,))
    worker.start()
    worker.join()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
