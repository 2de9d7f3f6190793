"""grader.ipython: Jupyter's get_ipython() statements made plain Python, line for line, with a note each."""
from __future__ import annotations

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
    out, _ = plain_python("if True:\n    get_ipython().run_line_magic('time', 'x = 1')\nvalue = 2\n", "hw.py")
    assert run(out)["value"] == 2


def test_a_python_cell_magic_runs_its_body_and_others_are_skipped():
    body = "def g(x):\n    return x + 1\n"
    source = (f"get_ipython().run_cell_magic('time', '', {body!r})\n"
              "get_ipython().run_cell_magic('writefile', 'a.py', 'x = 1\\n')\nafter = g(1)\n")
    out, notes = plain_python(source, "hw.py")
    ns = run(out)
    assert ns["after"] == 2 and "x" not in ns  # %%time's body ran; %%writefile's did not
    assert "cell magic `%%time` ran its body once as plain Python (the lines after it moved down by 2)" in notes[0]
    assert "`%%writefile a.py` was not run" in notes[1]


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
