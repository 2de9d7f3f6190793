"""Length-prefixed frames (4-byte big-endian length + codec bytes) on a stream socket."""
from __future__ import annotations

import socket
import time

HEADER_BYTES = 4
RUNTIME_FAILED = 70  # exit code of a student process whose sandbox runtime itself failed
_len = len  # private: `pack` runs in the student's process, right after student code


class FrameError(Exception):
    """The peer sent something that is not a well-formed frame (or hung up mid-frame)."""


def pack(payload: bytes) -> bytes:
    """One frame: the payload's length as 4 big-endian bytes, then the payload."""
    size = _len(payload)
    if size >= 2**32:
        raise FrameError(f"frame of {size} bytes is too large")
    return size.to_bytes(HEADER_BYTES, "big") + payload


class FrameReader:
    """Reads frames from a stream socket through a buffer: one recv brings in many small frames."""

    CHUNK = 1 << 18

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()
        self._pos = 0  # start of the unread bytes in _buf

    def _fill(self, need: int, deadline: float | None) -> bool:
        """Make `need` unread bytes available; False on EOF before any new byte arrived."""
        buf = self._buf
        if self._pos and self._pos * 2 >= len(buf):  # drop what was read once it is half the buffer
            del buf[:self._pos]
            self._pos = 0
        while len(buf) - self._pos < need:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no complete frame before the deadline")
                self._sock.settimeout(remaining)
            want = max(self.CHUNK, need - (len(buf) - self._pos))
            try:
                data = self._sock.recv(want)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            if not data:
                return False
            buf += data
        return True

    def read(self, *, max_bytes: int, deadline: float | None = None) -> bytes | None:
        """The next frame's payload; None on a clean EOF between frames.

        Raises FrameError for a frame longer than `max_bytes` (nothing of it is kept) or EOF inside
        a frame, and TimeoutError when `deadline` (time.monotonic) passes first; what arrived
        stays buffered, so a later read can still complete the frame."""
        if not self._fill(HEADER_BYTES, deadline):
            if len(self._buf) == self._pos:
                return None
            raise FrameError(f"connection closed after {len(self._buf) - self._pos} of {HEADER_BYTES} bytes")
        start = self._pos
        size = int.from_bytes(self._buf[start:start + HEADER_BYTES], "big")
        if size > max_bytes:
            raise FrameError(f"frame of {size} bytes exceeds the limit of {max_bytes}")
        if not self._fill(HEADER_BYTES + size, deadline):
            got = len(self._buf) - self._pos - HEADER_BYTES
            raise FrameError(f"connection closed after {got} of {size} bytes")
        start = self._pos + HEADER_BYTES
        self._pos = start + size
        return bytes(self._buf[start:self._pos])
