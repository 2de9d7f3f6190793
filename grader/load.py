"""Turn a discovered .py or .ipynb file into a Program of cells; no student code is compiled or run here."""
from __future__ import annotations

import codecs
import io
import re
import tokenize
from pathlib import Path

from grader.caps import Notes, megabytes
from grader.exports import colab_python
from grader.ipython import plain_python
from grader.magics import RUN_AS_PYTHON, split
from grader.model import Cell, Program
from grader.safetext import encodable
from grader.notebook import NotebookError, code_cells, neutralise, neutralise_lines
from grader.safefs import MAX_BYTES, Refused, read_bytes

__all__ = ["MAX_BYTES", "LoadError", "load"]
CODE_MAX = 8 * 2**20  # characters of code (all cells) sent to the sandbox
REWRITE_MAX_LINES = 200_000  # lines of a submission searched for IPython syntax (see Rewrites)...
REWRITE_MAX_BYTES = 16 * 2**20  # ...and characters
_UTF8 = ("utf-8", "utf-8-sig")
_CELL_MAGIC = re.compile(r"\s*(%%[^\n]{0,200})")
_BINARY = (  # (leading bytes, what the file is)
    (b"PK\x03\x04", "a zip archive (unzip it and submit the file inside)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x1f\x8b", "a gzip archive"),
)


class LoadError(Exception):
    """A file that cannot be turned into code: `status` for the result table, `message` for people."""

    def __init__(self, status: str, message: str) -> None:
        message = encodable(message)  # it may quote the student's text
        super().__init__(message)
        self.status = status
        self.message = message


def load(path: str | Path, *, within: str | Path | None = None) -> Program:
    """Read a .py file (one cell, named after the file) or a notebook (its code cells, in order).

    IPython syntax (magics, shell escapes, the `get_ipython()` calls Jupyter writes for them when it
    exports a .py, and the magics Colab comments out in its .py) is made plain Python, each change
    noted in the warnings.
    Notebook cells are labelled "cell N", N being the cell's 1-based position among ALL cells
    (markdown included), i.e. the N-th cell from the top as the student sees it. Empty files are
    valid programs for .py (one empty cell) and unreadable for .ipynb. Raises LoadError.
    `within` is the submissions folder: below it no link is followed, and only a regular file with one
    name is read (grader.safefs); any file must be regular and at most MAX_BYTES.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".py", ".ipynb"):
        raise LoadError("unreadable", f"{name}: only .py and .ipynb files can be graded; submit the code"
                                      " as a Python file or a Jupyter notebook")
    data = _read(path, within)
    if suffix == ".py":
        if len(data) > 4 * CODE_MAX:  # more than CODE_MAX characters in any encoding: not even decoded
            _check_code(len(data), name)
        text, notes = _decode_python(data, name)
        _check_code(len(text), name)
        warnings = Notes()
        warnings.extend(notes)
        budget = Rewrites()
        too_long = budget.refuse(text)
        if too_long:
            warnings.extend([_not_read(name, too_long)])
            return Program(cells=(Cell(source=text, filename=name, label=name),), kind="py", warnings=warnings.texts())
        text, lines = neutralise_lines(text, name)  # `!pip install` lines, which Colab's export keeps
        text, colab = colab_python(text, name)  # the magics Colab's export commented out
        text, exported = plain_python(text, name)  # a notebook exported by Jupyter calls get_ipython() for magics
        line_of = re.compile(rf"{re.escape(name)}, line (\d+)")  # the two lists in the order of the file's lines
        warnings.extend(sorted(lines + colab, key=lambda n: int(m.group(1)) if (m := line_of.match(n)) else 0))
        warnings.extend(exported)
        return Program(cells=(Cell(source=text, filename=name, label=name),), kind="py", warnings=warnings.texts())
    return _load_notebook(data, name)


def _too_long(source: str, where: str, why: str) -> tuple[str | None, list[str]]:
    """A cell too long to read for IPython syntax: left as it is, or skipped when it starts with a cell
    magic whose body would not run as Python anyway (%%writefile, %%bash...)."""
    magic = _CELL_MAGIC.match(source)
    if magic is None or split(magic.group(1))[0] in RUN_AS_PYTHON:
        return source, [_not_read(where, why)]
    shown = magic.group(1).strip()
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return None, [f"{where}: cell magic `{shown}` was not run (the whole cell was skipped), as {why}"]


def _not_read(where: str, why: str) -> str:
    return (f"{where}: IPython syntax (`%` and `!` lines, `get_ipython()` calls) was not looked for, as {why}; such"
            " lines in it fail when run")


class Rewrites:
    """How much of one submission's source the grader reads for IPython syntax: the search holds
    every line of a cell (or .py) at once, so at most REWRITE_MAX_LINES lines, REWRITE_MAX_BYTES in all."""

    def __init__(self) -> None:
        self.lines, self.size = 0, 0

    def refuse(self, source: str) -> str | None:
        """None when `source` may be rewritten (it is then counted); else why not."""
        lines, size = source.count("\n") + (not source.endswith("\n")), len(source)  # as an editor counts them
        if self.lines + lines <= REWRITE_MAX_LINES and self.size + size <= REWRITE_MAX_BYTES:
            self.lines, self.size = self.lines + lines, self.size + size
            return None
        return (f"it has {lines:,} lines ({megabytes(size)}), and the grader reads at most {REWRITE_MAX_LINES:,}"
                f" lines ({megabytes(REWRITE_MAX_BYTES)}) of a submission for IPython syntax")


def _check_code(size: int, name: str) -> None:
    """LoadError when the code to run is larger than CODE_MAX characters: it is sent to the sandbox as JSON,
    where a character may take 12 bytes (a submission of control characters or emoji: 3 GB for 256 MB)."""
    if size > CODE_MAX:
        raise LoadError("unreadable", f"{name} holds {megabytes(size)} of code, more than the {megabytes(CODE_MAX)}"
                                      " a submission may run: keep only the code the assignment asks for (data"
                                      " belongs in files of its own, outputs in the notebook's outputs)")


def _read(path: Path, within: str | Path | None) -> bytes:
    """The file's bytes; LoadError when it is missing, a link, a folder, unreadable or too large."""
    try:
        return read_bytes(path, within, MAX_BYTES)
    except Refused as err:
        raise LoadError("unreadable", err.message) from None


def _check_binary(data: bytes, name: str) -> None:
    """LoadError when `data` is a known binary format or holds NUL bytes (text never does)."""
    for signature, what in _BINARY:
        if data.startswith(signature):
            raise LoadError("unreadable", f"{name} is {what}, not a text file: submit the .py or .ipynb itself")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise LoadError("unreadable", f"{name} is binary data, not text (a NUL byte at offset {nul}): submit"
                                      " the source file itself, not a compiled or damaged copy")


def _decode(data: bytes, name: str, encoding: str = "utf-8-sig") -> str:
    """Text with CRLF/CR line ends normalised to LF; LoadError naming the first undecodable byte."""
    _check_binary(data, name)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        offset = err.start + (3 if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, offset) + 1
        raise LoadError("unreadable", f"{name} is not {encoding.removesuffix('-sig').upper()} text: byte"
                                      f" 0x{data[offset]:02x} at offset {offset} (line {line}) cannot"
                                      " be decoded; save the file as UTF-8 (in most editors: Save with"
                                      " Encoding > UTF-8) and submit it again") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_python(data: bytes, name: str) -> tuple[str, list[str]]:
    """UTF-8 (BOM tolerated), or the encoding a PEP 263 coding line declares; no code is run."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # unknown or conflicting coding line: the sandbox's compiler will say so
        encoding = "utf-8"
    if encoding.lower().replace("_", "-") in _UTF8:
        return _decode(data, name), []
    return _decode(data, name, encoding), [f"{name} was decoded as {encoding}, as its coding line declares"]


def _load_notebook(data: bytes, name: str) -> Program:
    """The notebook's code cells, IPython syntax neutralised; LoadError("unreadable") otherwise."""
    if not data.strip():
        raise LoadError("unreadable", f"{name} is empty ({len(data)} bytes): the notebook was never saved or the"
                                      " upload failed; open it in Jupyter, save it, and submit it again")
    text = _decode(data, name)
    try:
        found, notes = code_cells(text)
    except NotebookError as err:
        raise LoadError("unreadable", f"{name} {err}") from None
    warnings = Notes()
    warnings.extend(f"{name} {note}" for note in notes)
    budget = Rewrites()
    cells: list[Cell] = []
    for position, source in found:
        where = f"{name} cell {position}"
        too_long = budget.refuse(source)
        new_source, more = _too_long(source, where, too_long) if too_long else neutralise(source, where)
        if new_source is not None and not too_long:
            new_source, calls = plain_python(new_source, where)
            more += calls
        warnings.extend(more)
        if new_source is not None:
            cells.append(Cell(source=new_source, filename=f"{name} [cell {position}]", label=f"cell {position}"))
    _check_code(sum(len(c.source) for c in cells), name)
    return Program(cells=tuple(cells), kind="ipynb", warnings=warnings.texts())
