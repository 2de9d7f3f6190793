# Adversarial fixture (synthetic hw03 submission): leave a process behind that outlives grading.
# Attempts: at import, a double fork with setsid, the grandchild becoming `sleep 27.1828` (the test
# finds it by that) outside the student's session and process group.
# Stopped by: the student's PID namespace: when the student's run ends its init is killed and the kernel kills every process left in the namespace, whatever its session.
# expect-full: unit_step, relu, relu_grad
import os
import shutil

import numpy as np

SLEEP = shutil.which("sleep") or "/bin/sleep"

if os.fork() == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            os.execv(SLEEP, ["sleep", "27.1828"])
    finally:
        os._exit(0)


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
