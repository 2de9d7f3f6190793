"""`get_ipython()` statements (Jupyter's .py export of magics and shell escapes) turned into plain Python, with a note."""
from __future__ import annotations

import ast

from grader.notebook import RUN_AS_PYTHON

_SHOWN = {"run_line_magic": "%", "system": "!", "getoutput": "!", "run_cell_magic": "%%"}


def plain_python(source: str, where: str) -> tuple[str, list[str]]:
    """`source` with each whole-line `get_ipython().method(...)` statement replaced, and the notes.

    A line magic, shell command or other method call becomes `pass` (an assignment from one sets
    its names to None); the line count is kept, so tracebacks keep the student's line numbers. A
    top-level `run_cell_magic` of %%time, %%timeit or %%capture runs its body as plain Python, as
    the notebook loader does. Source that does not parse is returned as it is: the sandbox's
    compiler reports it. Nothing is compiled or run here.
    """
    if "get_ipython" not in source:
        return source, []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source, []
    lines = source.split("\n")
    found = sorted((n for n in ast.walk(tree) if isinstance(n, (ast.Expr, ast.Assign)) and _call(n.value)),
                   key=lambda n: n.lineno, reverse=True)  # bottom up: inlined bodies shift only later lines
    notes: list[tuple[int, str]] = []
    for node in found:
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        indent = lines[first][: node.col_offset]
        rest = lines[last][node.end_col_offset or 0:].strip()
        if indent.strip() or (rest and not rest.startswith("#")):
            continue  # shares its line with other code: left as it is
        call = node.value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        shown = _shown(call, ast.get_source_segment(source, node.value) or "get_ipython()...")
        body = _cell_body(call) if isinstance(node, ast.Expr) and not indent else None
        names = _names(node) if isinstance(node, ast.Assign) else None
        if body is not None:
            new = [f"# {shown} ran as plain Python:"] + body.rstrip("\n").split("\n")
            moved = len(new) - (last - first + 1)
            what = f"cell magic `{shown}` ran its body once as plain Python" + (
                f" (the lines after it moved down by {moved})" if moved > 0 else "")
        elif names is not None:
            new = [f"{indent}{names[0]} = {names[1]}  # not run: {shown}"]
            what = f"`{shown}` was not run; {names[0]} set to None"
        elif isinstance(node, ast.Expr):
            new = [f"{indent}pass  # not run: {shown}"]
            what = f"`{shown}` was not run"
        else:
            continue
        lines[first:last + 1] = new + [""] * max(0, last - first + 1 - len(new))
        notes.append((first + 1, f"{where}, line {first + 1}: {what} (IPython is not available when grading)"))
    return "\n".join(lines), [text for _, text in sorted(notes)]


def _call(value: ast.expr | None) -> bool:
    """`get_ipython().anything(...)`."""
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Call) and isinstance(value.func.value.func, ast.Name)
            and value.func.value.func.id == "get_ipython" and not value.func.value.args
            and not value.func.value.keywords)


def _names(node: ast.Assign) -> tuple[str, str] | None:
    """("a = b", "None") or ("a, b", "None, None") for names assigned from the call; None for anything else."""
    if all(isinstance(t, ast.Name) for t in node.targets):
        return " = ".join(t.id for t in node.targets if isinstance(t, ast.Name)), "None"
    if len(node.targets) == 1 and isinstance(node.targets[0], (ast.Tuple, ast.List)):
        items = node.targets[0].elts
        if items and all(isinstance(e, ast.Name) for e in items):
            return ", ".join(e.id for e in items if isinstance(e, ast.Name)), ", ".join("None" for _ in items)
    return None


def _strings(call: ast.Call) -> list[str] | None:
    """The call's arguments when every one is a string literal."""
    if call.keywords or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
        return None
    return [a.value for a in call.args if isinstance(a, ast.Constant)]


def _shown(call: ast.Call, text: str) -> str:
    """What the student wrote in the notebook (`%matplotlib inline`, `!pip install x`), else the call."""
    assert isinstance(call.func, ast.Attribute)
    prefix, args = _SHOWN.get(call.func.attr), _strings(call)
    if prefix is None or not args:
        shown = text
    elif prefix == "!":
        shown = f"!{args[0]}"
    else:
        shown = f"{prefix}{args[0]} {args[1] if len(args) > 1 else ''}".rstrip()
    shown = " ".join(shown.split())  # one line: it goes into a comment on the statement's own line
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _cell_body(call: ast.Call) -> str | None:
    """The Python body of `run_cell_magic('time' | 'timeit' | 'capture', line, body)`, else None."""
    assert isinstance(call.func, ast.Attribute)
    args = _strings(call)
    if call.func.attr != "run_cell_magic" or args is None or len(args) != 3 or args[0] not in RUN_AS_PYTHON:
        return None
    return args[2]
