"""Imports beyond numpy and the standard library, found by reading a program (the self-check warns of them)."""
from __future__ import annotations

import ast
import sys

from grader.model import Program

ALLOWED = frozenset({"numpy"})  # besides the standard library: what the assignment lets students import


def foreign_imports(program: Program) -> list[str]:
    """One warning per import of a module outside numpy and the standard library, by cell and line.

    A student's machine often has matplotlib, scipy or tqdm; the grading machine may not, and there
    the import fails (in a .py, the whole file then fails to load). Nothing is run: cells that do
    not parse are skipped (the self-check reports their syntax errors)."""
    notes = []
    for cell in program.cells:
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in ALLOWED and top not in sys.stdlib_module_names and top != "__future__":
                    notes.append(f"{cell.label}, line {node.lineno}: imports {name}, which the grader may not have "
                                 "(the assignment allows numpy and the Python standard library); where it is "
                                 "missing the import fails" + (" and the whole file fails to load"
                                                               if program.kind == "py" and node.col_offset == 0
                                                               else ""))
    return notes
