"""What IPython's magics do, as plain Python: the statement a line magic wraps, the code of a cell magic's line, a %%writefile."""
from __future__ import annotations

import re
import shlex
from types import MappingProxyType

# Cell magics whose body IPython runs in the user's namespace (%%timeit's runs in a timing function,
# %%prun's under the profiler): the grader runs the body once as plain Python.
RUN_AS_PYTHON = frozenset({"time", "timeit", "prun", "capture"})
# Line magics that run the Python statement after their options, with IPython's getopt option string
# (%time's only option is --no-raise-error). %debug is left out: it waits for a person.
WRAPPERS = MappingProxyType({"time": "", "timeit": "n:r:tcp:qov:", "prun": "D:l:rs:T:q"})
WRITEFILE_MAX_CHARS = 1 << 20  # a larger %%writefile body is not written (and not turned into a string literal)
WRITEFILE_VARIABLE = "__writefile"  # the file object's name in the generated `with` statement
_MAX_LINE = 1 << 16  # a magic's argument line longer than this is not parsed
_MAX_NAME = 4096  # nor a %%writefile line longer than this
_TOKEN = re.compile(r"[ \t]*(\S+)")
_LINE_BREAK = re.compile(r"[\n\r\x00]")  # would change the line structure (or fail to compile) if put in code
_NO_RAISE = "--no-raise-error"


def split(text: str) -> tuple[str, str]:
    """("time", "x = f()") for "%time x = f()" (or "%%time ..."), split as IPython does: at the first space."""
    name, _, args = text.lstrip("%").partition(" ")
    return name, args


def wrapped_statement(text: str) -> str | None:
    """The statement `text` (a line magic such as "%timeit -n 3 f(x)") runs; None for other magics,
    invalid options or no statement."""
    name, args = split(text)
    spec = WRAPPERS.get(name)
    if spec is None or len(args) > _MAX_LINE or _LINE_BREAK.search(args):
        return None
    stmt = _without_flag(args) if name == "time" else _after_options(args, spec)
    if not stmt or stmt.startswith(("%", "!")):  # nothing to run, or a magic inside a magic: not run
        return None
    return stmt


def cell_line_code(name: str, args: str) -> str | None:
    """Python code on a run-as-Python cell magic's own line: %%timeit's setup statement, %%prun's
    statement; "" when there is none; None when IPython would refuse the line (bad options)."""
    if len(args) > _MAX_LINE or _LINE_BREAK.search(args):
        return None
    if name == "timeit" or name == "prun":
        return _after_options(args, WRAPPERS[name])
    if name == "time":
        return "" if _without_flag(args) == "" else None  # IPython: "Can't use statement directly after '%%time'!"
    return ""  # %%capture: its options and output variable are not Python


def _without_flag(args: str) -> str:
    """%time's statement: IPython's argparse takes its --no-raise-error flag and leaves the rest."""
    pos = 0
    while (match := _TOKEN.match(args, pos)) is not None and match.group(1) == _NO_RAISE:
        pos = match.end()
    return args[pos:].strip(" \t")


def _after_options(args: str, spec: str) -> str | None:
    """`args` without its leading getopt-style options (IPython's parse_options stops at the first
    non-option); None when an option is unknown or lacks its value."""
    with_value = {c for c, after in zip(spec, spec[1:] + " ") if c != ":" and after == ":"}
    flags = set(spec.replace(":", ""))
    pos = 0
    while True:
        match = _TOKEN.match(args, pos)
        if match is None or not match.group(1).startswith("-") or match.group(1) == "-":
            return args[pos:].strip(" \t")
        token, pos = match.group(1), match.end()
        if token == "--":
            return args[pos:].strip(" \t")
        if token.startswith("--"):  # no long options: getopt refuses them
            return None
        for k, option in enumerate(token[1:], start=1):
            if option not in flags:
                return None
            if option in with_value:
                if k == len(token) - 1:  # its value is the next word
                    value = _TOKEN.match(args, pos)
                    if value is None:
                        return None
                    pos = value.end()
                break


def writefile_target(args: str) -> tuple[str, bool] | None:
    """(file name, append?) from `%%writefile [-a] NAME`; None when IPython would refuse the line or
    expand variables in it ($x, {x}), which the grader cannot do."""
    if len(args) > _MAX_NAME or _LINE_BREAK.search(args) or "$" in args or "{" in args:
        return None
    lexer = shlex.shlex(args, posix=False)  # IPython's arg_split: quotes stay on the words
    lexer.whitespace_split, lexer.commenters = True, ""
    try:
        words = list(lexer)
    except ValueError:  # an unclosed quote
        return None
    append = any(w in ("-a", "--append") for w in words)
    names = [w for w in words if w not in ("-a", "--append")]
    if len(names) != 1 or names[0].startswith("-"):
        return None
    name = names[0]
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
        name = name[1:-1]
    return (name, append) if name else None


def writefile_code(name: str, body: str, append: bool) -> str:
    """One line of Python that writes `body` to the file `name` as IPython's %%writefile does.

    Both are string literals made by repr(), which escapes every quote and line break: nothing of the
    student's text can leave them. Import caches are cleared, so that an `import` of the file just
    written finds it even within the same clock tick."""
    target = repr(name)
    if name.startswith("~"):
        target = f"__import__('os').path.expanduser({target})"
    mode = "a" if append else "w"
    return (f"with __import__('io').open({target}, {mode!r}, encoding='utf-8') as {WRITEFILE_VARIABLE}:"
            f" {WRITEFILE_VARIABLE}.write({body!r}); __import__('importlib').invalidate_caches()")
