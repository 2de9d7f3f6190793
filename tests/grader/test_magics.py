"""grader.magics: the statement a line magic wraps, a cell magic's own line, and %%writefile's generated code."""
from __future__ import annotations

import ast

import pytest

from grader.magics import WRITEFILE_VARIABLE, cell_line_code, wrapped_statement, writefile_code, writefile_target


@pytest.mark.parametrize("magic, statement", [
    ("%time x = f()", "x = f()"),
    ("%time  x = f(1,  2)", "x = f(1,  2)"),
    ("%time --no-raise-error y = g()", "y = g()"),
    ("%time -x + 1", "-x + 1"),  # %time has no short options: this is the statement
    ("%time for i in range(3): print(i)", "for i in range(3): print(i)"),
    ("%timeit f(x)", "f(x)"),
    ("%timeit -n 3 -r 1 sigmoid(z)", "sigmoid(z)"),
    ("%timeit -n3 -r1 -q -o f()", "f()"),
    ("%timeit -qon 5 f()", "f()"),  # clustered flags, the last one taking the next word
    ("%timeit -- -f()", "-f()"),
    ("%prun -s cumulative -l 10 train(X, y)", "train(X, y)"),
    ("%prun -r -q train()", "train()"),
])
def test_wrapped_statements_are_found_after_their_options(magic, statement):
    assert wrapped_statement(magic) == statement


@pytest.mark.parametrize("magic", [
    "%time", "%timeit   ", "%timeit -n", "%timeit -x f()", "%timeit --number 3 f()", "%prun -s",
    "%matplotlib inline", "%load_ext autoreload", "%debug f()", "%time\tx = 1", "%time %timeit f()",
    "%time !ls", "%time x = 1\nimport os", "%time x = 1\rimport os", "%time " + "x" * 70_000,
])
def test_other_magics_and_bad_lines_wrap_nothing(magic):
    assert wrapped_statement(magic) is None


@pytest.mark.parametrize("name, args, code", [
    ("time", "", ""), ("time", "--no-raise-error", ""), ("time", "x = 1", None),
    ("timeit", "-n 1 -r 1 x = make()", "x = make()"), ("timeit", "", ""), ("timeit", "-z", None),
    ("prun", "-s time f()", "f()"), ("capture", "--no-stderr out", ""), ("capture", "", ""),
])
def test_the_code_on_a_cell_magics_own_line(name, args, code):
    assert cell_line_code(name, args) == code


@pytest.mark.parametrize("args, target", [
    ("helper.py", ("helper.py", False)), ("-a helper.py", ("helper.py", True)),
    ("helper.py --append", ("helper.py", True)), ('"my file.py"', ("my file.py", False)),
    ("'q.py'", ("q.py", False)), ("~/x.py", ("~/x.py", False)),
    ("", None), ("a.py b.py", None), ("-a", None), ("'open.py", None), ("{name}.py", None), ("$f", None),
    ("-x a.py", None), ("a.py\nimport os", None),
])
def test_writefile_arguments_are_read_as_ipython_reads_them(args, target):
    assert writefile_target(args) == target


HOSTILE = ["x = 1\n", "", "'''\"\"\"\\\n\\x00\r\n\u2028\x0c#", "');import os;('", '"""); import os; ("""',
           "\\", "\ud800", "é" * 10]


@pytest.mark.parametrize("name", ["helper.py", "it's \"odd\".py", "a\\b.py"])
@pytest.mark.parametrize("body", HOSTILE)
def test_writefile_code_is_one_statement_that_writes_exactly_the_text(tmp_path, monkeypatch, name, body):
    """Whatever the name and body hold, the generated line is one `with` statement whose literals are the
    student's text, unchanged: nothing can leave a string literal, and no line break appears."""
    code = writefile_code(name, body, append=False)
    assert "\n" not in code and "\r" not in code and "\u2028" not in code
    tree = ast.parse(code)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.With)
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert name in strings and body in strings
    calls = sorted(ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert calls == ["__import__", "__import__", "__import__('importlib').invalidate_caches",
                     "__import__('io').open", f"{WRITEFILE_VARIABLE}.write"]
    if "\ud800" in body:
        return  # a lone surrogate cannot be written as UTF-8, by IPython either
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "generated", "exec"), {})  # the test's own generated code, in a temporary folder
    assert (tmp_path / name).read_bytes() == body.encode("utf-8")


def test_writefile_appends_and_expands_home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    exec(compile(writefile_code("~/m.py", "a = 1\n", append=False), "g", "exec"), {})
    exec(compile(writefile_code("m.py", "b = 2\n", append=True), "g", "exec"), {})
    assert (tmp_path / "m.py").read_text() == "a = 1\nb = 2\n"
