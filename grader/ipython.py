"""`get_ipython()` statements (Jupyter's .py export of magics and shell escapes) turned into plain Python, with a note."""
from __future__ import annotations

import ast
import itertools
import re

from grader import magics
from grader.notebook import cell_magic

_SHOWN = {"run_line_magic": "%", "system": "!", "getoutput": "!", "run_cell_magic": "%%"}
_NOT_AVAILABLE = " (IPython is not available when grading)"
PARSE_MAX_BYTES = 1 << 20  # source parsed whole to find its get_ipython() statements, at most...
PARSE_MAX_TOKENS = 40_000  # ...and this many words and brackets: ast.parse takes up to ~1.4 KB for each
LINES_MAX = 10_000  # get_ipython() lines rewritten one by one in a source too large to parse whole
_TOKENS = re.compile(r"\w+|[\[({]")
_STATEMENT = re.compile(r"(?:[A-Za-z_][\w, =]*=[ \t]*)?get_ipython\(\)\.")  # what a whole-line call starts with
Found = tuple[int, int, str, ast.Expr | ast.Assign, str]  # first and last line, indent, statement, its text


def plain_python(source: str, where: str) -> tuple[str, list[str]]:
    """`source` with each whole-line `get_ipython().method(...)` statement replaced, and the notes.

    A line magic that runs a statement (`%time x = f()`) runs it once; any other line magic, shell
    command or method call becomes `pass` (an assignment from one sets its names to None, but from
    %time to its statement's value); the line count is kept, so tracebacks keep the student's line
    numbers. A top-level `run_cell_magic` is handled as the notebook loader handles the cell
    (`grader.notebook.cell_magic`): a %%time, %%timeit, %%prun or %%capture body runs as plain
    Python, its IPython lines neutralised, which moves the lines after it down (the notes give the
    new line numbers); a %%writefile writes its file. Source that does not parse is returned as it
    is: the sandbox's compiler reports it. Nothing is compiled or run here.

    Source too large to parse whole in the grader (PARSE_MAX_BYTES, PARSE_MAX_TOKENS) is read line
    by line instead: each physical line that is one get_ipython() statement (as Jupyter writes them)
    is parsed alone and replaced, up to LINES_MAX of them, and a note says so.
    """
    if "get_ipython" not in source:
        return source, []
    lines = source.split("\n")
    notes: list[str] = []
    if len(source) <= PARSE_MAX_BYTES and _tokens(source, PARSE_MAX_TOKENS + 1) <= PARSE_MAX_TOKENS:
        found = _whole(source, lines)
        if found is None:
            return source, []
    else:
        found, more = _by_line(lines)
        notes.append(f"{where}: too large to be read whole for IPython lines (at most {PARSE_MAX_TOKENS} words, "
                     f"or {PARSE_MAX_BYTES // 1024} KB), so each line that is one `get_ipython()` call was "
                     "rewritten on its own" + (f"; {more} more such lines were left as they are" if more else ""))
    moved = 0  # lines added above by inlined cell bodies
    for first, last, indent, node, text in found:
        first, last = first + moved, last + moved
        call = node.value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        shown = _shown(call, text)
        args = _strings(call)
        where_line = f"{where}, line {first + 1}"
        if isinstance(node, ast.Expr) and call.func.attr == "run_cell_magic" and args and len(args) == 3:
            new, more_notes = _cell(args, where, first + 1, indent)
            if new is None:
                new = [f"{indent}pass  # not run: {shown}"]
                more_notes = [f"{where_line}: `{shown}` was not run{_NOT_AVAILABLE}"]
            elif len(new) > last - first + 1:
                more_notes[0] += f" (the lines after it moved down by {len(new) - (last - first + 1)})"
            notes += more_notes
        else:
            new, what = _line(node, call, args, shown, indent)
            if new is None:
                continue
            notes.append(f"{where_line}: {what}{_NOT_AVAILABLE}")
        lines[first:last + 1] = new + [""] * max(0, last - first + 1 - len(new))
        moved += max(0, len(new) - (last - first + 1))
    return "\n".join(lines), notes


def _tokens(source: str, stop: int) -> int:
    """Words and opening brackets in `source`, counted up to `stop`: what ast.parse's memory grows with."""
    return sum(1 for _ in itertools.islice(_TOKENS.finditer(source), stop))


def _whole(source: str, lines: list[str]) -> list[Found] | None:
    """The whole-line get_ipython() statements of `source`, parsed whole; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found: list[Found] = []
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, (ast.Expr, ast.Assign)) and _call(n.value)),
                       key=lambda n: n.lineno):
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        indent = lines[first][: node.col_offset]  # only blanks before it: byte and character offsets agree
        rest = lines[last].encode("utf-8", "surrogatepass")[node.end_col_offset or 0:]
        if indent.strip() or (rest.strip() and not rest.strip().startswith(b"#")):
            continue  # shares its line with other code: left as it is
        found.append((first, last, indent, node, _segment(lines, node.value)))
    return found


def _by_line(lines: list[str]) -> tuple[list[Found], int]:
    """The physical lines that are each one get_ipython() statement, each parsed alone (at most
    LINES_MAX of them), and how many more there were. Unlike `_whole`, a line inside a
    triple-quoted string or brackets counts too: only for sources too large for `_whole`."""
    found: list[Found] = []
    more = 0
    for i, line in enumerate(lines):
        body = line.lstrip(" \t")
        if not _STATEMENT.match(body):
            continue
        if len(found) >= LINES_MAX:
            more += 1
            continue
        if _tokens(body, PARSE_MAX_TOKENS + 1) > PARSE_MAX_TOKENS:
            continue
        try:
            statements = ast.parse(body).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        node = statements[0] if len(statements) == 1 else None
        if isinstance(node, (ast.Expr, ast.Assign)) and _call(node.value):
            found.append((i, i, line[: len(line) - len(body)], node, _segment([body], node.value)))
    return found, more


def _line(node: ast.Expr | ast.Assign, call: ast.Call, args: list[str] | None, shown: str,
          indent: str) -> tuple[list[str] | None, str]:
    """The replacement of a one-line `get_ipython()` statement and its note; None to leave it."""
    assert isinstance(call.func, ast.Attribute)
    stmt = None
    if call.func.attr == "run_line_magic" and args and len(args) == 2:
        stmt = magics.wrapped_statement(f"%{args[0]} {args[1]}") if " " not in args[0] else None
    if isinstance(node, ast.Assign):
        names = _names(node)
        if names is None:
            return None, ""
        if stmt is not None and args and args[0] == "time":  # %time gives its expression's value
            return [f"{indent}{names[0]} = {stmt}"], f"`{shown}` ran once as plain Python; {names[0]} set to its value"
        return [f"{indent}{names[0]} = {names[1]}  # not run: {shown}"], f"`{shown}` was not run; {names[0]} set to None"
    if stmt is not None:
        return [f"{indent}{stmt}"], f"`{shown}` ran its statement once as plain Python"
    return [f"{indent}pass  # not run: {shown}"], f"`{shown}` was not run"


def _cell(args: list[str], where: str, line: int, indent: str) -> tuple[list[str] | None, list[str]]:
    """Lines for `run_cell_magic(name, line, body)` (see grader.notebook.cell_magic), or None, and the notes."""
    name, first, body = args
    if indent or " " in name or "\x00" in body:  # a NUL byte, only in a hand-made call, would fail the whole file
        return None, []
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    new, notes = cell_magic(f"%%{name} {first}".rstrip(), body, where, line)
    if new is not None:
        while len(new) > 1 and not new[-1].strip():  # the body's final newline and blank lines
            new.pop()
    return new, notes


def _segment(lines: list[str], node: ast.expr) -> str:
    """The source text of `node` (ast.get_source_segment, which is quadratic on a long line)."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    parts = [line.encode("utf-8", "surrogatepass") for line in lines[first:last + 1]]
    parts[-1] = parts[-1][: node.end_col_offset]  # offsets count UTF-8 bytes
    parts[0] = parts[0][node.col_offset:]
    return b"\n".join(parts).decode("utf-8", "replace")


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
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return "".join(c if c.isprintable() else "?" for c in shown)  # no NUL byte either
