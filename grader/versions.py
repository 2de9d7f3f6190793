"""The grading environment as part of the contract: the Python and numpy a release was made with, and drift from them.

Student side (ships in the bundle): standard library only, so that any Python can run it.
"""
from __future__ import annotations

import ast
import importlib.metadata
import io
import json
import sys
import token
import tokenize
from dataclasses import dataclass
from pathlib import Path

FILENAME = "environment.json"
FORMAT = "dl-autograder environment v1"


@dataclass(frozen=True)
class Environment:
    """Full version strings of Python and numpy; `minor()` is what the contract names."""

    python: str
    numpy: str

    @staticmethod
    def current() -> Environment:
        try:
            numpy = importlib.metadata.version("numpy")
        except importlib.metadata.PackageNotFoundError:
            numpy = "not installed"
        return Environment(".".join(map(str, sys.version_info[:3])), numpy)

    def minor(self, which: str) -> str:
        """'3.11' of '3.11.7', '2.4' of '2.4.6rc1'."""
        return ".".join(getattr(self, which).split(".")[:2])

    def python_target(self) -> tuple[int, int]:
        """(3, 11) of '3.11.7', for ast.parse's feature_version."""
        major, minor = (_numbers(self.python) + (0, 0))[:2]
        return major, minor

    def sentence(self) -> str:
        return f"Python {self.minor('python')} and numpy {self.minor('numpy')}"

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "python": self.python, "numpy": self.numpy}, indent=1).encode() + b"\n"


def read_environment(path: Path) -> Environment | None:
    """The environment a bundle was released with; None when the file is missing or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        return Environment(str(data["python"]), str(data["numpy"]))
    except (OSError, ValueError, KeyError, AttributeError):
        return None


def _numbers(version: str) -> tuple[int, ...]:
    out = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit()) if part[:1].isdigit() else ""
        out.append(int(digits[:4] or 0))
    return tuple(out)


def drift_notes(grader: Environment, here: Environment) -> list[str]:
    """What the student should know when their Python or numpy minor version differs from the grader's."""
    notes = []
    if _numbers(here.python) != _numbers(grader.python):
        g, h = grader.minor("python"), here.minor("python")
        newer = _numbers(here.python) > _numbers(grader.python)
        why = (f"syntax and functions new since Python {g} work here but fail on the grader"
               if newer else f"code that runs here should also run there, but test with Python {g} if you can")
        notes.append(f"You run Python {h}; the grader runs Python {g}: {why}.")
    if _numbers(here.numpy) != _numbers(grader.numpy):
        g, h = grader.minor("numpy"), here.minor("numpy")
        notes.append(f"You run numpy {h}; the grader runs numpy {g}: numpy changes behaviour between versions "
                     f"(functions deprecated, then removed or made to raise), so a function that passes here "
                     f"can fail there. To check with the grader's version: pip install 'numpy=={g}.*'")
    return notes


def newer_syntax(source: str, target: tuple[int, int], where: str) -> list[str]:
    """Syntax that parses on this Python but not on Python `target` (type parameters, `type` statements,
    the f-strings of Python 3.12 that reuse their quotes, hold a backslash or a comment in a field...)."""
    if sys.version_info[:2] <= target:
        return []
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return []  # the sandbox's compiler reports it
    found = []
    try:
        ast.parse(source, feature_version=target)
    except SyntaxError as exc:
        found.append(f"{where}, line {exc.lineno}: {exc.msg}")
    if target < (3, 12):
        found += [f"{where}, line {line}: {what}" for line, what in _new_fstrings(source)]
    return found


def _new_fstrings(source: str) -> list[tuple[int, str]]:
    """(line, what) for each f-string that only Python 3.12+ reads (PEP 701): before 3.12 an f-string
    ended at the first repeat of its quotes, and its braces could hold no backslash, comment or line break."""
    start_type = getattr(token, "FSTRING_START", None)
    if start_type is None:
        return []
    middle_type, end_type = getattr(token, "FSTRING_MIDDLE"), getattr(token, "FSTRING_END")
    found: list[tuple[int, str]] = []
    stack: list[tuple[str, int, list[str]]] = []  # (quotes, line, problems) of each open f-string
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == end_type and stack:
                _quotes, line, problems = stack.pop()
                found += [(line, f"{p} (this needs Python 3.12 or newer)") for p in dict.fromkeys(problems)]
            if not stack or tok.type == middle_type:
                if tok.type == start_type:
                    stack.append((tok.string.lstrip("rRfFbBuU"), tok.start[0], []))
                continue
            for quotes, _line, problems in stack:  # inside braces: what the old tokenizer refused
                if quotes in tok.string:
                    problems.append("an f-string with its own quotes inside its braces")
                elif tok.type == tokenize.COMMENT:
                    problems.append("an f-string with a comment inside its braces")
                elif "\\" in tok.string:
                    problems.append("an f-string with a backslash inside its braces")
                elif tok.type in (tokenize.NL, tokenize.NEWLINE) and len(quotes) == 1:
                    problems.append("a one-line f-string whose braces span lines")
            if tok.type == start_type:
                stack.append((tok.string.lstrip("rRfFbBuU"), tok.start[0], []))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found
