"""Colab's "Download .py": the magics it commented out after its marker line run again, as in the notebook."""
from __future__ import annotations

import re

from grader import magics
from grader.notebook import cell_magic

# Colab starts each code cell that holds a magic with this line, and comments the magic lines out
# (`# %time x = f()`); in a cell magic's cell it comments out every line (`# %%writefile app.py`, then
# `# ` + each line of the body). `!cmd` lines are left as they are (grader.notebook neutralises them),
# and markdown cells become `"""..."""` string statements.
MARKER = "# Commented out IPython magic to ensure Python compatibility."
_COMMENTED = re.compile(r"([ \t]*)# (%.*)")
_COLAB = " (Colab's export had commented it out)"


def colab_python(source: str, where: str) -> tuple[str, list[str]]:
    """`source` with Colab's commented-out magics that run Python made plain Python again, line for line.

    Only lines after a marker count, up to the next markdown cell (a line starting with `\"\"\"`); a
    comment that merely looks like a magic elsewhere is left alone. In that stretch, `# %time stmt`
    (also %timeit, %prun) becomes `stmt`, run once. A commented cell magic right after the marker
    is handled as in a notebook (`grader.notebook.cell_magic`) when all its lines are commented up
    to a blank line, as Colab writes it: a %%time or %%capture body runs (its IPython lines
    neutralised), a %%writefile writes its file. Every change is noted. Nothing is compiled or run.
    """
    if MARKER not in source:
        return source, []
    lines = source.split("\n")
    notes: list[str] = []
    after_marker = at_cell_start = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip() == MARKER:
            after_marker = at_cell_start = True
        elif line.strip():
            if line.startswith('"""'):
                after_marker = False
            match = _COMMENTED.fullmatch(line) if after_marker else None
            if match and match.group(2).startswith("%%"):
                if at_cell_start and not match.group(1):
                    i = _cell(lines, i, where, notes)
                    at_cell_start = False
                    continue
            elif match:
                magic = match.group(2).rstrip()
                stmt = magics.wrapped_statement(magic)
                if stmt is not None:
                    lines[i] = match.group(1) + stmt
                notes.append(f"{where}, line {i + 1}: IPython magic `{_short(magic)}` "
                             + ("ran its statement once as plain Python" if stmt is not None else "was not run")
                             + _COLAB)
            at_cell_start = False
        i += 1
    return "\n".join(lines), notes


def _cell(lines: list[str], i: int, where: str, notes: list[str]) -> int:
    """Handle the commented cell magic at line `i` in place; the index of the line after its cell."""
    end = i + 1
    while end < len(lines) and lines[end].startswith("#") and lines[end].rstrip() != MARKER:
        end += 1
    block = lines[i + 1:end]
    closed = end == len(lines) or not lines[end].strip() or lines[end].rstrip() == MARKER
    if not block or not closed or not all(line.rstrip() == "#" or line.startswith("# ") for line in block):
        return end  # not as Colab writes a cell magic's cell (its body is Python already, say): left alone
    magic = lines[i][2:].rstrip()
    new, more = cell_magic(magic, "\n".join(line[2:] for line in block), where, i + 1)
    if new is None:
        notes.append(f"{where}, line {i + 1}: cell magic `{_short(magic)}` was not run{_COLAB}")
        return end
    lines[i:end] = new[: end - i]
    notes.extend([more[0] + _COLAB] + more[1:])
    return end


def _short(text: str, limit: int = 80) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
