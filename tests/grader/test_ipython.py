"""grader.ipython: Jupyter's get_ipython() statements made plain Python, line for line, with a note each."""
from __future__ import annotations

import sys

import pytest

from grader.ipython import plain_python


def run(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "exported.py", "exec"), namespace)  # the test's own source, never a student's
    return namespace


def test_line_magics_and_shell_escapes_become_pass_and_keep_the_line_numbers():
    source = ("import math\nget_ipython().run_line_magic('matplotlib', 'inline')\n"
              "get_ipython().system('pip install numpy')\nget_ipython().run_line_magic(\n    'load_ext', 'autoreload')\n"
              "def f():\n    raise ValueError\n")
    out, notes = plain_python(source, "hw.py")
    assert out.count("\n") == source.count("\n")  # tracebacks keep the student's line numbers
    assert out.split("\n")[5] == "def f():"
    assert notes == ["hw.py, line 2: `%matplotlib inline` was not run (IPython is not available when grading)",
                     "hw.py, line 3: `!pip install numpy` was not run (IPython is not available when grading)",
                     "hw.py, line 4: `%load_ext autoreload` was not run (IPython is not available when grading)"]
    assert "f" in run(out)


def test_assigned_output_becomes_none_for_names_and_tuples():
    out, notes = plain_python("files = get_ipython().getoutput('ls')\na, b = get_ipython().getoutput('ls')\n"
                              "c = d = get_ipython().getoutput('pwd')\n", "hw.py")
    ns = run(out)
    assert (ns["files"], ns["a"], ns["b"], ns["c"], ns["d"]) == (None,) * 5
    assert "files set to None" in notes[0] and "a, b set to None" in notes[1] and "c = d set to None" in notes[2]


def test_indented_magics_keep_the_block_valid():
    out, _ = plain_python("if True:\n    get_ipython().run_line_magic('matplotlib', 'inline')\nvalue = 2\n", "hw.py")
    assert run(out)["value"] == 2


def test_a_wrapped_statement_runs_once_in_place():
    """%time / %timeit / %prun run their statement once (no timing loop); the lines keep their numbers."""
    source = ("calls = []\nget_ipython().run_line_magic('time', 'x = calls.append(1) or 5')\n"
              "if True:\n    get_ipython().run_line_magic('timeit', '-n 100 -r 7 calls.append(2)')\n"
              "get_ipython().run_line_magic('prun', '-s cumulative calls.append(3)')\ny = x + 1\n")
    out, notes = plain_python(source, "hw.py")
    assert out.split("\n")[1] == "x = calls.append(1) or 5" and out.split("\n")[3] == "    calls.append(2)"
    ns = run(out)
    assert ns["calls"] == [1, 2, 3] and ns["y"] == 6
    assert notes[0] == ("hw.py, line 2: `%time x = calls.append(1) or 5` ran its statement once as plain Python"
                        " (IPython is not available when grading)")
    assert [n.split(":")[0] for n in notes] == ["hw.py, line 2", "hw.py, line 4", "hw.py, line 5"]


def test_an_assignment_from_time_gets_the_value_and_from_timeit_none():
    out, notes = plain_python("a = get_ipython().run_line_magic('time', '6 * 7')\n"
                              "b = get_ipython().run_line_magic('timeit', '-o 6 * 7')\n", "hw.py")
    assert (run(out)["a"], run(out)["b"]) == (42, None)
    assert "a set to its value" in notes[0] and "b set to None" in notes[1]


@pytest.mark.parametrize("args", ["'time', 'x = 1\\nimport os'", "'time', 'x = 1\\rimport os'", "'time', ''",
                                  "'time x', 'y'", "'timeit', '-x f()'"])
def test_a_statement_that_is_not_one_line_is_not_run(args):
    out, notes = plain_python(f"get_ipython().run_line_magic({args})\n", "hw.py")
    assert out.startswith("pass  # not run:") and out.count("\n") == 1 and "was not run" in notes[0]


def test_a_python_cell_magic_runs_its_body_and_others_are_skipped():
    body = "def g(x):\n    return x + 1\n"
    source = (f"get_ipython().run_cell_magic('time', '', {body!r})\n"
              "get_ipython().run_cell_magic('bash', '', 'x = 1\\n')\nafter = g(1)\n")
    out, notes = plain_python(source, "hw.py")
    ns = run(out)
    assert ns["after"] == 2 and "x" not in ns  # %%time's body ran; %%bash's did not
    assert notes[0] == ("hw.py, line 1: cell magic `%%time` ran its body once as plain Python"
                        " (the lines after it moved down by 2)")
    assert notes[1] == "hw.py, line 4: `%%bash` was not run (IPython is not available when grading)"  # as moved


def test_a_cell_magic_body_is_neutralised_like_a_notebook_cell():
    """A %%capture cell's `!pip` line becomes `pass`; a %%timeit's setup runs first; the notes count the
    lines of the file as it runs (later ones moved down), so tracebacks and notes agree."""
    source = ("get_ipython().run_cell_magic('capture', '', '!pip install numpy\\n%matplotlib inline\\nz = 3\\n')\n"
              "get_ipython().run_cell_magic('timeit', '-n 1 base = 10', 'total = base + z\\n')\n"
              "get_ipython().system('ls')\n")
    out, notes = plain_python(source, "hw.py")
    lines = out.split("\n")
    assert lines[:7] == ["# cell magic not run: %%capture", "pass  # shell command not run: !pip install numpy",
                         "pass  # IPython magic not run: %matplotlib inline", "z = 3", "base = 10", "total = base + z",
                         "pass  # not run: !ls"]
    assert run(out)["total"] == 13
    assert notes == [
        "hw.py, line 1: cell magic `%%capture` ran its body once as plain Python (the lines after it moved down by 3)",
        "hw.py, line 2: shell command `!pip install numpy` was not run",
        "hw.py, line 3: IPython magic `%matplotlib inline` was not run",
        "hw.py, line 5: cell magic `%%timeit -n 1 base = 10` ran the statement on its line and its body once as"
        " plain Python (the lines after it moved down by 1)",
        "hw.py, line 7: `!ls` was not run (IPython is not available when grading)"]


def test_writefile_becomes_one_line_that_writes_the_file(tmp_path, monkeypatch):
    body = "def helper():\n    return 'it' 's \"fine\"'\n"
    source = (f"get_ipython().run_cell_magic('writefile', 'written_helper.py', {body!r})\nimport written_helper\n"
              "value = written_helper.helper()\n")
    out, notes = plain_python(source, "hw.py")
    assert out.count("\n") == source.count("\n") and out.startswith("with __import__('io').open('written_helper.py', 'w'")
    assert notes == ["hw.py, line 1: cell magic `%%writefile written_helper.py` wrote the cell's text to"
                     " 'written_helper.py', in the working folder, which Python imports from"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "written_helper", raising=False)
    try:
        assert run(out)["value"] == "its \"fine\""  # the test's own source, run in a temporary folder
    finally:
        sys.modules.pop("written_helper", None)
    assert (tmp_path / "written_helper.py").read_text() == body


@pytest.mark.parametrize("source", [
    "x = 1\n",  # nothing to do
    "def f(:\n    get_ipython().system('ls')\n",  # does not parse: the sandbox's compiler reports it
    "x = 1; get_ipython().system('ls')\n",  # shares its line with other code
    "ip = get_ipython()\n",  # not a method call on it
    "print(get_ipython().system('ls'))\n",  # inside an expression
])
def test_anything_else_is_left_as_it_is(source: str):
    assert plain_python(source, "hw.py") == (source, [])


def test_a_long_command_is_shortened_in_the_note():
    _, notes = plain_python(f"get_ipython().system('echo {'x' * 200}')\n", "hw.py")
    assert "`!echo xxx" in notes[0] and "...`" in notes[0] and len(notes[0]) < 160


def test_a_call_over_several_lines_becomes_one_commented_line():
    source = "get_ipython().magic(\n    'load_ext ' +\n    'autoreload')\nvalue = 3\n"
    out, notes = plain_python(source, "hw.py")
    assert out.count("\n") == source.count("\n") and run(out)["value"] == 3
    assert "`get_ipython().magic( 'load_ext ' + 'autoreload')` was not run" in notes[0]


def test_a_call_with_non_ascii_text_is_replaced():
    """The parser's column offsets count UTF-8 bytes: text after the call is found by bytes."""
    out, notes = plain_python("get_ipython().system('echo é ü')  # ça\nx = 1\n", "hw.py")
    assert out.startswith("pass  # not run: !echo é ü\n") and len(notes) == 1


@pytest.mark.parametrize("tail", ["-" * 100_000 + "1", "f" + "()" * 100_000])
def test_source_too_deep_for_the_parser_is_left_for_the_sandbox(tail):
    """ast.parse raises MemoryError or RecursionError on such input: the deep line is left as it is
    (the sandbox's compiler reports it), not a crash of the grader. (The second is too large to be
    parsed whole at all: its get_ipython() line is then rewritten on its own.)"""
    source = f"get_ipython().system('ls')\nx = {tail}\n"
    out, notes = plain_python(source, "hw.py")
    assert out.split("\n")[1:] == source.split("\n")[1:]
    assert (out, notes) == (source, []) or (out.startswith("pass  # not run: !ls\n") and len(notes) == 2)


@pytest.mark.parametrize("call", [
    "get_ipython().run_cell_magic('time\\nimport os', '', 'x = 1\\n')",
    "get_ipython().run_cell_magic('time', '\\nimport os', 'x = 1\\n')",
    "get_ipython().run_cell_magic('time', '', 'x = 1\\x00\\n')",
    "get_ipython().run_cell_magic('writefile', 'a.py\\nimport os', 'x = 1\\n')",
    "get_ipython().run_line_magic('time', 'x = 1\\x00')",
])
def test_hand_made_calls_cannot_add_lines_or_break_the_file(call):
    """Arguments no notebook export holds (line breaks in a magic's name or line, NUL bytes) leave the
    call not run: one `pass` line, the rest of the file as it was."""
    out, notes = plain_python(f"{call}\nvalue = 2\n", "hw.py")
    assert out.split("\n")[1:] == ["value = 2", ""] and out.startswith("pass  # not run:")
    assert "\x00" not in out and run(out)["value"] == 2 and "was not run" in notes[0]
