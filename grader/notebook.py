"""Notebook JSON to code-cell sources, with IPython-only syntax (magics, shell escapes) neutralised."""
from __future__ import annotations

import json
import re
import warnings
from types import MappingProxyType
from typing import Any

import nbformat

RUN_AS_PYTHON = frozenset({"time", "timeit", "capture"})  # cell magics whose body is plain Python
_FIX = "open it in Jupyter (or Colab) and save it again, or re-export it as .ipynb"

# Significant tokens for finding where a logical line ends; everything else is skipped by the regex.
_TOKEN = re.compile(r"\n|\\\n|#[^\n]*|[(\[{]+|[)\]}]+|'''|\"\"\"|'|\"")
_STRING_END = MappingProxyType({
    "'''": re.compile(r"(?:[^'\\]++|\\.|'(?!''))*+'''", re.S),
    '"""': re.compile(r'(?:[^"\\]++|\\.|"(?!""))*+"""', re.S),
    "'": re.compile(r"(?:[^'\\\n]++|\\.)*+(?:'|(?=\n)|\Z)", re.S),
    '"': re.compile(r'(?:[^"\\\n]++|\\.)*+(?:"|(?=\n)|\Z)', re.S),
})
_ASSIGN_MAGIC = re.compile(r"([ \t]*)([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)[ \t]*=[ \t]*([!%].*)")
_HELP = re.compile(r"[ \t]*(?:\?{1,2}[A-Za-z_][\w.]*|[A-Za-z_][\w.]*\?{1,2})[ \t]*")
# every line the three patterns above (and a leading %%) can match also matches this: cells without it are plain Python
_MAYBE_IPYTHON = re.compile(r"^[ \t]*[%!?]|=[ \t]*[!%]|\?[ \t]*$", re.M)


class NotebookError(ValueError):
    """The text is not a notebook this grader can read; the message says why and what to do."""


def code_cells(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """(position among all cells, 1-based; source) of each code cell, plus what reading noticed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        hint = " (it looks like Python source: rename it to .py)" if _looks_like_python(text) else ""
        raise NotebookError(
            f"is not valid JSON ({err.msg.removesuffix(' at')} at line {err.lineno}, column {err.colno}){hint};"
            " a notebook is a"
            f" JSON file, so this one was damaged (edited as text, or cut short by an upload): {_FIX}"
        ) from None
    if not isinstance(data, dict) or not ({"cells", "worksheets", "nbformat"} & data.keys()):
        raise NotebookError(f"is valid JSON but not a Jupyter notebook (no list of cells): {_FIX}")
    major = data.get("nbformat")
    if major is None and isinstance(data.get("cells"), list):
        return _raw_cells(data["cells"], ["has no `nbformat` version field; its cells were read from the raw JSON"])
    if not isinstance(major, int) or isinstance(major, bool) or major < 1:
        raise NotebookError(f"has an invalid nbformat version {major!r}: {_FIX}")
    if major > 4:
        raise NotebookError(
            f"uses nbformat {major}, newer than the nbformat 4 this grader reads: save it as nbformat 4"
            " (`jupyter nbconvert --to notebook --nbformat 4`)"
        )
    if major == 4 and not isinstance(data.get("cells"), list):
        raise NotebookError(f"is valid JSON but not a Jupyter notebook (no list of cells): {_FIX}")
    notes = [] if major == 4 else [f"was converted from nbformat {major} to nbformat 4"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4, capture_validation_error={})
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise TypeError("no list of cells after conversion")
    except Exception as err:  # nbformat refused: recover what the raw JSON holds, if anything
        if major == 4:
            return _raw_cells(data["cells"], [f"was not accepted by nbformat ({_short(str(err), 120)}); its code"
                                              " cells were recovered from the raw JSON"])
        if major == 3 and isinstance(data.get("worksheets"), list):
            raw = [c for ws in data["worksheets"] if isinstance(ws, dict) for c in ws.get("cells") or []]
            return _raw_cells(raw, [f"is nbformat 3 and could not be converted ({_short(str(err), 120)}); its"
                                    " code cells were recovered from the raw JSON"], source_key="input")
        raise NotebookError(f"is nbformat {major} and could not be read ({_short(str(err), 160)}): {_FIX}") from None
    return _raw_cells(cells, notes)


def _raw_cells(cells: list[Any], notes: list[str], source_key: str = "source") -> tuple[list[tuple[int, str]], list[str]]:
    """Code cells from a list of cell dicts, tolerating missing keys and list-or-string sources."""
    found: list[tuple[int, str]] = []
    for position, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get(source_key, cell.get("source", ""))
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            notes.append(f"cell {position}: the code is not text ({type(source).__name__}), so the cell was skipped")
            continue
        found.append((position, source.replace("\r\n", "\n").replace("\r", "\n")))
    if not found:
        notes.append("has no code cells")
    return found, notes


def neutralise(source: str, where: str) -> tuple[str | None, list[str]]:
    """Replace IPython-only lines by plain Python, line for line; None when the whole cell is skipped.

    `where` (e.g. "hw03.ipynb cell 3") prefixes each warning. Nothing is compiled or run.
    """
    if not _MAYBE_IPYTHON.search(source):
        return source, []
    lines = source.split("\n")
    notes: list[str] = []
    first = next((k for k, line in enumerate(lines) if line.strip()), None)
    start = 0
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()
        name = magic[2:].split(None, 1)[0] if len(magic) > 2 else ""
        if name not in RUN_AS_PYTHON:
            return None, [f"{where}: cell magic `{_short(magic)}` was not run (the whole cell was skipped)"]
        lines[first] = f"# cell magic not run: {magic}"
        notes.append(f"{where}, line {first + 1}: cell magic `{_short(magic)}` was not run;"
                     " the cell's code ran once as plain Python")
        start = first + 1
    offsets = _line_offsets(source)
    i = start
    while i < len(lines):
        replaced = _replace_magic_line(lines[i])
        if replaced is not None:
            original = lines[i]
            lines[i], what = replaced
            notes.append(f"{where}, line {i + 1}: {what}")
            while original.rstrip().endswith("\\") and i + 1 < len(lines):  # continued magic command
                i += 1
                original, lines[i] = lines[i], ""
            i += 1
            continue
        end = _logical_line_end(source, offsets[i])
        i += 1 + source.count("\n", offsets[i], end)
    return "\n".join(lines), notes


def _replace_magic_line(line: str) -> tuple[str, str] | None:
    """(replacement, warning) when `line`, at the start of a logical line, is IPython syntax."""
    body = line.lstrip(" \t")
    indent = line[: len(line) - len(body)]
    if body.startswith(("%", "!")):
        kind = "shell command" if body[0] == "!" else "IPython magic"
        return f"{indent}pass  # {kind} not run: {body}", f"{kind} `{_short(body.rstrip())}` was not run"
    match = _ASSIGN_MAGIC.fullmatch(line)
    if match:
        targets = [t.strip() for t in match.group(2).split(",")]
        rhs = match.group(3).rstrip()
        kind = "shell command" if rhs[0] == "!" else "IPython magic"
        values = ", ".join("None" for _ in targets)
        return (f"{indent}{', '.join(targets)} = {values}  # {kind} not run: {rhs}",
                f"{kind} `{_short(body.rstrip())}` was not run; {', '.join(targets)} set to None")
    if _HELP.fullmatch(line):
        return f"{indent}pass  # IPython help not shown: {body}", f"IPython help `{_short(body.strip())}` was not shown"
    return None


def _logical_line_end(source: str, pos: int) -> int:
    """Offset of the newline ending the logical line that starts at `pos` (brackets, strings, `\\`)."""
    depth = 0
    while True:
        match = _TOKEN.search(source, pos)
        if match is None:
            return len(source)
        token, pos = match.group(), match.end()
        first = token[0]
        if first == "\n":
            if depth == 0:
                return match.start()
        elif first in "([{":
            depth += len(token)
        elif first in ")]}":
            depth = max(0, depth - len(token))
        elif first in "'\"":
            end = _STRING_END[token].match(source, pos)
            if end is None:  # unterminated triple-quoted string: the rest of the cell is inside it
                return len(source)
            pos = end.end()


def _line_offsets(source: str) -> list[int]:
    """Offset of the first character of each physical line."""
    offsets = [0]
    offsets.extend(match.end() for match in re.finditer("\n", source))
    return offsets


def _looks_like_python(text: str) -> bool:
    """True when a non-JSON .ipynb starts like a Python script."""
    head = text.lstrip()[:200]
    return bool(re.match(r"(import |from |def |class |#|\"\"\"|print\()", head))


def _short(text: str, limit: int = 80) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
