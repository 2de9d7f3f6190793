"""Imports beyond numpy and the standard library, found by reading a program (the self-check warns of them)."""
from __future__ import annotations

import ast
import os
import sys

from grader.magics import WRITEFILE_VARIABLE
from grader.model import Program

ALLOWED = frozenset({"numpy"})  # besides the standard library: what the assignment lets students import


def foreign_imports(program: Program) -> list[str]:
    """One warning per import of a module outside numpy and the standard library, by cell and line.

    A student's machine often has matplotlib, scipy or tqdm; the grading machine may not, and there
    the import fails (in a .py, the whole file then fails to load). Nothing is run: cells that do
    not parse are skipped (the self-check reports their syntax errors). A module the program writes
    itself (a %%writefile cell, see grader.magics) is not foreign."""
    notes = []
    trees = []
    for cell in program.cells:
        try:
            trees.append((cell, ast.parse(cell.source)))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    written = {name for _, tree in trees for name in _written_modules(tree)}
    for cell, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in ALLOWED | written and top not in sys.stdlib_module_names and top != "__future__":
                    notes.append(f"{cell.label}, line {node.lineno}: imports {name}, which the grader may not have "
                                 "(the assignment allows numpy and the Python standard library); where it is "
                                 "missing the import fails" + (" and the whole file fails to load"
                                                               if program.kind == "py" and node.col_offset == 0
                                                               else ""))
    return notes


def _written_modules(tree: ast.AST) -> set[str]:
    """Modules written by grader.magics.writefile_code's statements: "helper" for 'helper.py'."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and len(node.items) == 1:
            item = node.items[0]
            if (isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == WRITEFILE_VARIABLE
                    and isinstance(item.context_expr, ast.Call) and item.context_expr.args):
                target = item.context_expr.args[0]
                if isinstance(target, ast.Constant) and isinstance(target.value, str) and target.value.endswith(".py"):
                    found.add(os.path.basename(target.value)[:-3])
    return found
