"""Student-facing error text: exception summaries, tracebacks limited to student frames, syntax errors."""
from __future__ import annotations

import traceback
from typing import Any, Iterable

MAX_MESSAGE = 2000
MAX_TRACEBACK = 6000
MAX_FRAMES = 25
MAX_WARNINGS = 20  # distinct warnings kept per call (plus one of each new category, up to 40)
MAX_NOTES = 50  # load warnings, mutated argument names, exception class names
MAX_NOTE = 500  # characters of one such text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 20] + f"... [{len(text) - limit + 20} more]"


def exception_name(exc: BaseException) -> str:
    """The exception class's plain name, read without running student code."""
    try:
        name = type.__dict__["__name__"].__get__(type(exc))
        return name if type(name) is str else "Exception"
    except BaseException:  # noqa: BLE001
        return "Exception"


def class_names(exc: BaseException) -> list[str]:
    """Names of the exception's classes, most specific first (its MRO), e.g. for `except` matching."""
    try:
        mro = type.__dict__["__mro__"].__get__(type(exc))
        return [type.__dict__["__name__"].__get__(cls) for cls in mro]
    except BaseException:  # noqa: BLE001
        return [exception_name(exc)]


def exception_text(exc: BaseException) -> str:
    """str(exc), or a note saying why it is unavailable (student __str__ may raise)."""
    try:
        text = str(exc)
        return _clip(text if type(text) is str else str.__str__(text), MAX_MESSAGE)
    except BaseException as inner:  # noqa: BLE001
        return f"<message unavailable: str() raised {exception_name(inner)}>"


NOT_INSTALLED = ("this module is not installed where your code is graded (the assignment allows numpy and the "
                 "Python standard library): remove the import, or keep it out of the graded code (in a .py, "
                 "under `if __name__ == \"__main__\":`)")

NO_KEYBOARD = ("input() waited for the keyboard, and nobody types when your code is graded: remove the input() "
               "call, or keep it out of the graded code (in a .py, under `if __name__ == \"__main__\":`)")


def describe(exc: BaseException, memory_mb: int | None = None, hint: bool = True) -> str:
    """'Type: message', with a plain explanation for MemoryError and for a module the grader lacks."""
    name, text = exception_name(exc), exception_text(exc)
    if issubclass(type(exc), MemoryError):
        limit = f" ({memory_mb} MB)" if memory_mb else ""
        return f"{name}: exceeded the memory limit{limit}" + (f" ({text})" if text else "")
    if hint and issubclass(type(exc), ModuleNotFoundError) and "standard library" not in text:
        return f"{name}: {text}; {NOT_INSTALLED}"
    if hint and issubclass(type(exc), EOFError) and text == "EOF when reading a line":
        return f"{name}: {text}; {NO_KEYBOARD}"
    return f"{name}: {text}" if text else name


def _student_frames(exc: BaseException, filenames: frozenset[str]) -> list[traceback.FrameSummary]:
    frames = ((f, line) for f, line in traceback.walk_tb(exc.__traceback__)
              if f.f_code.co_filename in filenames)
    return list(traceback.StackSummary.extract(frames, limit=None))


def student_traceback(exc: BaseException, filenames: Iterable[str],
                      memory_mb: int | None = None) -> str:
    """A traceback showing only frames of the student's own cells, clipped in length."""
    try:
        frames = _student_frames(exc, frozenset(filenames))
        lines = ["Traceback (most recent call last):\n"]
        if len(frames) > MAX_FRAMES:
            lines.append(f"  [... {len(frames) - MAX_FRAMES} earlier frames omitted]\n")
            frames = frames[-MAX_FRAMES:]
        lines.extend(traceback.format_list(frames))
        lines.append(describe(exc, memory_mb, hint=False) + "\n")
        text = "".join(lines)
    except BaseException as inner:  # noqa: BLE001 - a broken traceback must not break the call
        text = f"<traceback unavailable: {exception_name(inner)}>\n"
    return text if len(text) <= MAX_TRACEBACK else (
        text[:1000] + "\n[... traceback shortened ...]\n" + text[-(MAX_TRACEBACK - 1100):])


def last_line_in(exc: BaseException, filename: str) -> int | None:
    """The line of the innermost frame of `filename` in exc's traceback."""
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line


def syntax_message(exc: BaseException, where: str) -> str:
    """'hw03.py, line 3, column 9: SyntaxError: invalid syntax' plus the line and a caret."""
    if not isinstance(exc, SyntaxError):  # e.g. ValueError for null bytes in the source
        return f"{where}: {describe(exc)}"
    head = where
    if exc.lineno:
        head += f", line {exc.lineno}"
    if exc.offset:
        head += f", column {exc.offset}"
    head += f": {exception_name(exc)}: {exc.msg}"
    text = (exc.text or "").rstrip("\r\n")
    if text.strip():
        stripped = text.lstrip()
        caret = " " * max(0, (exc.offset or 1) - 1 - (len(text) - len(stripped)))
        head += f"\n    {_clip(stripped, 300)}\n    {caret}^"
    return head


def capped(texts: list[str], what: str) -> list[str]:
    """At most MAX_NOTES texts of at most MAX_NOTE characters, noting how many were left out."""
    kept = [_clip(t, MAX_NOTE) for t in texts[:MAX_NOTES]]
    if len(texts) > MAX_NOTES:
        kept.append(f"... and {len(texts) - MAX_NOTES} more {what}")
    return kept


def warning_texts(caught: list[Any]) -> list[str]:
    """'Category: message' per distinct warning; past the cap only new categories are kept."""
    texts: list[str] = []
    categories: set[str] = set()
    extra = 0
    for record in caught:
        try:
            name = exception_name(record.message)
            text = _clip(f"{name}: {exception_text(record.message)}", MAX_NOTE)
        except BaseException:  # noqa: BLE001
            name, text = "Warning", "Warning: <unreadable warning>"
        if text in texts:
            continue
        if len(texts) >= MAX_WARNINGS and (name in categories or len(texts) >= 2 * MAX_WARNINGS):
            extra += 1
            continue
        texts.append(text)
        categories.add(name)
    if extra:
        texts.append(f"... and {extra} other warnings")
    return texts


_type, _str, _tuple, _len = type, str, tuple, len  # private: `raised_key` runs right after student code, unguarded
_TRACEBACK = BaseException.__dict__["__traceback__"]  # the C getter: a student class cannot shadow it
MAX_KEY_FRAMES = 50


def raised_key(exc: BaseException) -> tuple[Any, ...] | None:
    """What decides the texts of a raised call (describe, class_names, student_traceback): the
    exception's class and message and the code and line of each frame. None when any of it cannot
    be read plainly (then the texts are built afresh)."""
    try:
        text = _str(exc)
        if _type(text) is not _str:
            return None
        frames = []
        tb = _TRACEBACK.__get__(exc)
        while tb is not None:
            if _len(frames) >= MAX_KEY_FRAMES:
                return None
            frames.append((tb.tb_frame.f_code, tb.tb_lineno))
            tb = tb.tb_next
        return (_type(exc), text, _tuple(frames))
    except BaseException:  # noqa: BLE001 - a student __str__ may raise: no key
        return None


class RaisedTexts:
    """The texts of raised calls, kept by `raised_key`: a function that raises the same way on every
    case (a starter's NotImplementedError) has them built once, not once per call. Bounded."""

    LIMIT = 256

    def __init__(self) -> None:
        self._texts: dict[tuple[Any, ...], tuple[str, list[str], str]] = {}

    def get(self, key: tuple[Any, ...] | None) -> tuple[str, list[str], str] | None:
        return None if key is None else self._texts.get(key)

    def put(self, key: tuple[Any, ...] | None, texts: tuple[str, list[str], str]) -> None:
        if key is not None:
            if len(self._texts) >= self.LIMIT:
                self._texts.clear()
            self._texts[key] = texts
