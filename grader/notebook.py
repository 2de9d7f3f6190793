"""Notebook JSON to code-cell sources, with IPython-only syntax (magics, shell escapes) neutralised."""
from __future__ import annotations

import json
import re
import warnings
from types import MappingProxyType
from typing import Any

import nbformat

from grader import magics
from grader.caps import json_structure, json_structure_outside_strings, megabytes

STRUCTURE_MAX = 32 * 2**20  # estimated bytes of a notebook's lists, objects and items once read (grader.caps)
MAX_NESTED = 8  # cell magics inside cell magics (%%capture then %%time) followed this deep; the rest are line magics
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
    structure = json_structure(text)
    if structure > STRUCTURE_MAX and (structure := json_structure_outside_strings(text, STRUCTURE_MAX)) > STRUCTURE_MAX:
        raise NotebookError(
            f"holds too many JSON values to be read (about {megabytes(structure)} of lists, objects and items once"
            f" read, more than the {megabytes(STRUCTURE_MAX)} a notebook may take): clear its outputs (Edit > Clear"
            " All Outputs, or Kernel > Restart & Clear Output) and save it again")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        hint = " (it looks like Python source: rename it to .py)" if _looks_like_python(text) else ""
        raise NotebookError(
            f"is not valid JSON ({err.msg.removesuffix(' at')} at line {err.lineno}, column {err.colno}){hint};"
            " a notebook is a"
            f" JSON file, so this one was damaged (edited as text, or cut short by an upload): {_FIX}"
        ) from None
    except RecursionError:
        raise NotebookError("has lists or objects nested too deeply to be read (more than about 1,000 levels, which"
                            f" Jupyter never writes), so it was made or edited by hand: {_FIX}") from None
    except ValueError as err:  # Python reads integers of at most 4,300 digits (sys.get_int_max_str_digits)
        raise NotebookError(f"holds a value that cannot be read ({_short(str(err).split(';')[0], 120)}), which"
                            f" Jupyter never writes, so it was made or edited by hand: {_FIX}") from None
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


def neutralise(source: str, where: str, first_line: int = 1, depth: int = 0) -> tuple[str | None, list[str]]:
    """Replace a cell's IPython-only lines by plain Python, line for line; None when the cell is skipped.

    `where` (e.g. "hw03.ipynb cell 3") prefixes each warning, whose line numbers count from
    `first_line`. A cell magic on the first line is handled by `cell_magic`. Nothing is compiled or run.
    """
    if not _MAYBE_IPYTHON.search(source):
        return source, []
    lines = source.split("\n")
    first = next((k for k, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].lstrip().startswith("%%") or depth >= MAX_NESTED:
        return _scan(source, lines, where, first_line)
    new, notes = cell_magic(lines[first].strip(), "\n".join(lines[first + 1:]), where, first_line + first, depth)
    if new is None:
        return None, notes
    return "\n".join(lines[:first] + new[: len(lines) - first]), notes


def cell_magic(magic: str, body: str, where: str, line: int, depth: int = 0) -> tuple[list[str] | None, list[str]]:
    """Plain-Python lines for the line `magic` ("%%time") and each line of `body`; None when the cell is not run.

    %%time, %%timeit, %%prun and %%capture run their body once as plain Python (its IPython lines
    neutralised in turn), after the code on the magic's own line (%%timeit's setup statement);
    %%writefile writes its body to the file as IPython does; other cell magics are not run. `line`
    is the magic's line number in the warnings.
    """
    name, args = magics.split(magic)
    shown = _short(magic)
    if any(c in magic for c in "\n\r\x00"):  # only from a hand-made get_ipython() call: never put in code
        name = ""
    if name in magics.RUN_AS_PYTHON:
        head = magics.cell_line_code(name, args)
        if head is not None:
            new_body, notes = neutralise(body, where, line + 1, depth + 1)
            if new_body is None:
                return None, notes
            what = "the statement on its line and its body" if head else "its body"
            return [head or f"# cell magic not run: {magic}"] + new_body.split("\n"), [
                f"{where}, line {line}: cell magic `{shown}` ran {what} once as plain Python"] + notes
    elif name == "writefile":
        target = magics.writefile_target(args)
        text = body if not body or body.endswith("\n") else body + "\n"  # IPython ends the cell with a newline
        if target is not None and len(text) <= magics.WRITEFILE_MAX_CHARS:
            return [magics.writefile_code(target[0], text, target[1])] + [""] * (body.count("\n") + 1), [
                f"{where}, line {line}: cell magic `{shown}` wrote the cell's text to {target[0]!r}"
                f"{' (appended)' if target[1] else ''}, in the working folder, which Python imports from"]
    return None, [f"{where}: cell magic `{shown}` was not run (the whole cell was skipped)"]


def neutralise_lines(source: str, where: str, first_line: int = 1) -> tuple[str, list[str]]:
    """Replace each IPython-only line of `source` (a cell or a .py file) by plain Python, line for line."""
    if not _MAYBE_IPYTHON.search(source):
        return source, []
    return _scan(source, source.split("\n"), where, first_line)


def _scan(source: str, lines: list[str], where: str, first_line: int) -> tuple[str, list[str]]:
    """`lines` (`source` split) with each logical line that is IPython syntax replaced, and the notes."""
    notes: list[str] = []
    offsets = _line_offsets(source)
    i = 0
    while i < len(lines):
        if lines[i].lstrip(" \t").startswith(("%", "!")) or _ASSIGN_MAGIC.fullmatch(lines[i]) \
                or _HELP.fullmatch(lines[i]):
            end = i
            while lines[end].rstrip().endswith("\\") and end + 1 < len(lines):  # continued as IPython joins it
                end += 1
            joined = " ".join([part.rstrip()[:-1] for part in lines[i:end]] + [lines[end].rstrip()])
            replaced = _replace_magic_line(joined)
            if replaced is not None:
                lines[i:end + 1] = [replaced[0]] + [""] * (end - i)
                notes.append(f"{where}, line {first_line + i}: {replaced[1]}")
                i = end + 1
                continue
        end = _logical_line_end(source, offsets[i])
        i += 1 + source.count("\n", offsets[i], end)
    return "\n".join(lines), notes


def _replace_magic_line(line: str) -> tuple[str, str] | None:
    """(replacement, warning) when `line`, at the start of a logical line, is IPython syntax."""
    body = line.lstrip(" \t")
    indent = line[: len(line) - len(body)]
    if body.startswith("%") and not body.startswith("%%"):
        stmt = magics.wrapped_statement(body.rstrip())
        if stmt is not None:
            return f"{indent}{stmt}", f"IPython magic `{_short(body.rstrip())}` ran its statement once as plain Python"
    if body.startswith(("%", "!")):
        kind = "shell command" if body[0] == "!" else "IPython magic"
        return f"{indent}pass  # {kind} not run: {body}", f"{kind} `{_short(body.rstrip())}` was not run"
    match = _ASSIGN_MAGIC.fullmatch(line)
    if match:
        targets = ", ".join(t.strip() for t in match.group(2).split(","))
        rhs = match.group(3).rstrip()
        if rhs.startswith("%time ") and (stmt := magics.wrapped_statement(rhs)) is not None:  # %time gives its value
            return (f"{indent}{targets} = {stmt}", f"IPython magic `{_short(body.rstrip())}` ran its expression once"
                                                   f" as plain Python; {targets} set to its value")
        kind = "shell command" if rhs[0] == "!" else "IPython magic"
        values = ", ".join("None" for _ in targets.split(", "))
        return (f"{indent}{targets} = {values}  # {kind} not run: {rhs}",
                f"{kind} `{_short(body.rstrip())}` was not run; {targets} set to None")
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
