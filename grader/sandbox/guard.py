"""Student-side protections: capped output capture, an import barrier, and a module-attribute guard."""
from __future__ import annotations

import io
import operator
import os
import sys
from types import ModuleType
from typing import Any, Iterable

_write = os.write  # private: student code may replace os.write
_is = operator.is_
_len, _all, _map, _max = len, all, map, max  # the guard runs before builtins are restored
_MISSING = object()
MIN_RECURSION = 1000  # the runtime's own work needs this much, whatever the student set


class OutputCapture(io.TextIOBase):
    """A text stream that passes the first `limit` characters to `fd` and only counts the rest."""

    encoding = "utf-8"
    errors = "backslashreplace"

    def __init__(self, fd: int, name: str, limit: int) -> None:
        super().__init__()
        self._fd = fd
        self._name = name
        self._limit = limit
        self._kept = 0
        self.dropped = 0

    def write(self, s: str) -> int:
        if type(s) is not str:
            if not isinstance(s, str):
                raise TypeError(f"write() argument must be str, not {type(s).__name__}")
            s = str.__str__(s)
        n = len(s)
        if self._kept >= self._limit:  # the cheap path taken by megabytes of prints
            self.dropped += n
            return n
        room = self._limit - self._kept
        if n > room:
            self.dropped += n - room
            s = s[:room] + f"\n[sandbox: {self._name} truncated after {self._limit} characters]\n"
        self._kept += min(n, room)
        self._emit(s.encode("utf-8", "backslashreplace"))
        return n

    def _emit(self, data: bytes) -> None:
        while data:
            try:
                written = _write(self._fd, data)
            except OSError:  # fd closed by the student, or the file size limit reached
                return
            data = data[written:]

    def finish(self) -> None:
        """Note how much was dropped (called once, before the last frame goes to the grader)."""
        if self.dropped:
            self._emit(f"[sandbox: {self.dropped} more characters of {self._name} dropped]\n"
                       .encode())
            self.dropped = 0

    @property
    def buffer(self) -> _BinaryCapture:
        return _BinaryCapture(self)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def flush(self) -> None:
        return None


class _BinaryCapture:
    """`sys.stdout.buffer` stand-in: decodes bytes and forwards them to the text capture."""

    def __init__(self, text: OutputCapture) -> None:
        self._text = text

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self._text.write(chunk.decode("utf-8", "replace"))
        return len(chunk)

    def flush(self) -> None:
        return None


class ImportBarrier:
    """A sys.meta_path finder refusing the grader's own packages (a best-effort barrier)."""

    def __init__(self, blocked: Iterable[str]) -> None:
        self.blocked = frozenset(blocked)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(
                f"No module named {name!r}: the grader does not let submissions import its own "
                "packages; keep your solution self-contained (numpy and the standard library)",
                name=name)
        return None

    def invalidate_caches(self) -> None:
        return None


def forget_modules(blocked: Iterable[str]) -> None:
    """Drop already-imported modules of the blocked packages from sys.modules."""
    tops = frozenset(blocked)
    for name in [m for m in sys.modules if m.partition(".")[0] in tops]:
        del sys.modules[name]


class ModuleGuard:
    """Undoes student monkeypatching of module attributes while the runtime does its own work.

    `with guard:` puts back every attribute recorded at construction; leaving puts the
    student's versions back, so the student's code sees its own patches again.
    """

    def __init__(self, modules: Iterable[ModuleType]) -> None:
        self._saved = [(m.__dict__, dict(m.__dict__), tuple(m.__dict__), tuple(m.__dict__.values()))
                       for m in modules]
        self._changes: list[tuple[dict[str, Any], str, Any]] = []
        self._hooks: tuple[Any, Any] = (None, None)
        self._recursion = 0
        self._settrace = sys.settrace
        self._setprofile = sys.setprofile
        self._gettrace = sys.gettrace
        self._getprofile = sys.getprofile
        self._getrecursionlimit = sys.getrecursionlimit
        self._setrecursionlimit = sys.setrecursionlimit

    def __enter__(self) -> ModuleGuard:
        self._hooks = (self._gettrace(), self._getprofile())
        self._settrace(None)
        self._setprofile(None)
        self._recursion = self._getrecursionlimit()
        self._setrecursionlimit(_max(self._recursion, MIN_RECURSION))
        changes = self._changes
        for live, saved, keys, values in self._saved:
            if _len(live) == _len(keys) and _all(_map(_is, live.values(), values)) \
                    and _all(_map(_is, live, keys)):
                continue  # untouched (the common case), checked at C speed
            get = live.get
            for key in [k for k, v in saved.items() if get(k, _MISSING) is not v]:
                changes.append((live, key, get(key, _MISSING)))
                live[key] = saved[key]
        return self

    def __exit__(self, *exc: object) -> None:
        changes = self._changes
        while changes:
            live, key, value = changes.pop()
            if value is _MISSING:
                live.pop(key, None)
            else:
                live[key] = value
        try:
            self._setrecursionlimit(self._recursion)
        except RecursionError:
            pass
        self._settrace(self._hooks[0])
        self._setprofile(self._hooks[1])
