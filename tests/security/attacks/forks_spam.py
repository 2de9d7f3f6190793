# Adversarial fixture (synthetic hw03 submission): spawn processes until refused (bounded).
# Attempts: 300 forks at import, each child becoming `sleep 31.4159` (the test finds them by that).
# Without a process limit the machine would fill up with processes.
# Stopped by: RLIMIT_NPROC in the student's own user namespace (64 processes and threads).
# expect-full: unit_step, relu, relu_grad
import os
import shutil

import numpy as np

ATTEMPTS = 300  # bounded: enough to hit the limit, not enough to hurt a machine without one
SLEEP = shutil.which("sleep") or "/bin/sleep"


def _spam():
    started = 0
    for _ in range(ATTEMPTS):
        try:
            pid = os.fork()
        except OSError as exc:
            print(f"forks_spam: fork refused after {started}: {exc}")
            break
        if pid == 0:
            try:
                os.execv(SLEEP, ["sleep", "31.4159"])
            finally:
                os._exit(0)
        started += 1
    print(f"forks_spam: started {started} processes")


_spam()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
