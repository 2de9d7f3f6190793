# Adversarial fixture (synthetic hw03 submission): open network connections.
# Attempts: TCP to a listener the test runs on the host's loopback, UDP to it, an abstract Unix socket
# the test listens on, a DNS lookup and a public address.
# Stopped by: a network namespace of its own with only a loopback that is down.
# expect-full: unit_step, relu, relu_grad
import socket

import numpy as np

PATHS = {}  # filled in by the test: the real folders, as an attacker who knows the layout would


def _try(what, action):
    try:
        action()
        print(f"opens_network: CONNECTED {what}")
    except OSError as exc:
        print(f"opens_network: {what}: {exc}")


def _tcp(host, port):
    with socket.create_connection((host, port), timeout=1) as conn:
        conn.sendall(b"pwned")


def _udp(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as conn:
        conn.sendto(b"pwned", (host, port))


def _abstract(name):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(1)
        conn.connect(b"\0" + name.encode())
        conn.sendall(b"pwned")


port = int(PATHS.get("port", 9))
_try("tcp loopback", lambda: _tcp("127.0.0.1", port))
_try("udp loopback", lambda: _udp("127.0.0.1", int(PATHS.get("udp_port", port))))
_try("abstract unix socket", lambda: _abstract(PATHS.get("abstract", "grader")))
_try("dns", lambda: socket.getaddrinfo("pypi.org", 443))
_try("public address", lambda: _tcp("1.1.1.1", 53))


def unit_step(z, theta=0.0):
    return np.where(np.asarray(z, dtype=float) >= theta, 1.0, 0.0)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, 0.0)
