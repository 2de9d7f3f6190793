"""Length-prefixed frames (4-byte big-endian length + codec bytes) on a stream socket."""
from __future__ import annotations

import socket
import time
from typing import Callable

HEADER_BYTES = 4
RUNTIME_FAILED = 70  # exit code of a student process whose sandbox runtime itself failed


class FrameError(Exception):
    """The peer sent something that is not a well-formed frame (or hung up mid-frame)."""


def pack(payload: bytes) -> bytes:
    """One frame: the payload's length as 4 big-endian bytes, then the payload."""
    if len(payload) >= 2**32:
        raise FrameError(f"frame of {len(payload)} bytes is too large")
    return len(payload).to_bytes(HEADER_BYTES, "big") + payload


def send_frame(sendall: Callable[[bytes], None], payload: bytes) -> None:
    """Send one frame through `sendall` (a socket's bound sendall, kept by the caller)."""
    sendall(pack(payload))


def _recv_exact(sock: socket.socket, size: int, deadline: float | None) -> bytes | None:
    """Exactly `size` bytes, or None on EOF before the first byte; TimeoutError past deadline."""
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no complete frame before the deadline")
            sock.settimeout(remaining)
        try:
            n = sock.recv_into(view[got:], size - got)
        except (ConnectionResetError, BrokenPipeError):
            n = 0
        if n == 0:
            if got == 0:
                return None
            raise FrameError(f"connection closed after {got} of {size} bytes")
        got += n
    return bytes(buf)


def recv_frame(sock: socket.socket, *, max_bytes: int, deadline: float | None = None) -> bytes | None:
    """Read one frame's payload; None on a clean EOF between frames.

    Raises FrameError for a frame longer than `max_bytes` (nothing of it is read) or EOF
    inside a frame, and TimeoutError when `deadline` (time.monotonic) passes first.
    """
    header = _recv_exact(sock, HEADER_BYTES, deadline)
    if header is None:
        return None
    size = int.from_bytes(header, "big")
    if size > max_bytes:
        raise FrameError(f"frame of {size} bytes exceeds the limit of {max_bytes}")
    if size == 0:
        return b""
    payload = _recv_exact(sock, size, deadline)
    if payload is None:
        raise FrameError(f"connection closed before a frame of {size} bytes")
    return payload
