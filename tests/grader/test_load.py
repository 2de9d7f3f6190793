"""Tests of grader.load / grader.notebook: .py decoding, notebook versions and damage, IPython syntax, fixtures."""
from __future__ import annotations

import difflib
import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

import reference
from grader.exports import MARKER
from grader.load import LoadError, load
from grader.notebook import neutralise

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
EXAMPLES = ROOT / "examples" / "submissions"
CONTRACT = set(reference.__all__)
STATUSES = {"syntax_error", "unreadable", "timeout", "crashed", "import_error"}


def write_nb(path: Path, *sources: str, minor: int = 5) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.nbformat_minor = minor
    nbformat.write(nb, str(path))
    return path


def raw_nb(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def unreadable(path: Path, *fragments: str) -> str:
    with pytest.raises(LoadError) as info:
        load(path)
    assert info.value.status == "unreadable"
    assert path.name in info.value.message
    for fragment in fragments:
        assert fragment in info.value.message
    return info.value.message


# --- .py files -------------------------------------------------------------------------------


def test_py_is_one_cell_named_after_the_file(tmp_path):
    (tmp_path / "hw03.py").write_text("def f():\n    return 1\n")
    program = load(tmp_path / "hw03.py")
    assert program.kind == "py" and program.warnings == ()
    (cell,) = program.cells
    assert (cell.source, cell.filename, cell.label) == ("def f():\n    return 1\n", "hw03.py", "hw03.py")


def test_py_bom_and_crlf_are_normalised(tmp_path):
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbfx = 1\r\ny = 'caf\xc3\xa9'\r\rz = 3")
    assert load(tmp_path / "a.py").cells[0].source == "x = 1\ny = 'café'\n\nz = 3"


def test_empty_py_is_a_valid_empty_program(tmp_path):
    (tmp_path / "empty.py").write_bytes(b"")
    (cell,) = load(tmp_path / "empty.py").cells
    assert cell.source == ""


def test_syntax_errors_are_not_detected_here(tmp_path):
    (tmp_path / "bad.py").write_text("def f(:\n    return\n")
    assert load(tmp_path / "bad.py").cells[0].source == "def f(:\n    return\n"


def test_non_utf8_py_names_offset_and_line(tmp_path):
    (tmp_path / "a.py").write_bytes(b"x = 1\ns = 'caf\xe9'\n")
    unreadable(tmp_path / "a.py", "offset 14", "line 2", "0xe9", "UTF-8")


def test_py_with_coding_line_is_decoded_as_declared(tmp_path):
    (tmp_path / "a.py").write_bytes(b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n")
    program = load(tmp_path / "a.py")
    assert "café" in program.cells[0].source and "iso-8859-1" in program.warnings[0]


@pytest.mark.parametrize("data, fragment", [(b"x = 1\x00\x00\x01", "offset 5"), (b"%PDF-1.4 ...", "PDF"),
                                            (b"PK\x03\x04rest", "zip archive")])
def test_binary_py_is_unreadable(tmp_path, data, fragment):
    (tmp_path / "a.py").write_bytes(data)
    unreadable(tmp_path / "a.py", fragment)


def test_missing_folder_and_wrong_suffix(tmp_path):
    unreadable(tmp_path / "gone.py", "could not be read")
    (tmp_path / "dir.ipynb").mkdir()
    unreadable(tmp_path / "dir.ipynb", "could not be read")
    (tmp_path / "a.txt").write_text("x = 1")
    unreadable(tmp_path / "a.txt", ".py and .ipynb")


def test_py_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "a.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    load(tmp_path / "a.py")
    assert not marker.exists()


# --- notebook versions --------------------------------------------------------------------------


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5, 9])
def test_every_v4_minor_loads(tmp_path, minor):
    program = load(write_nb(tmp_path / "nb.ipynb", "a = 1", "b = 2", minor=minor))
    assert [c.source for c in program.cells] == ["a = 1", "b = 2"] and program.kind == "ipynb"
    assert program.warnings == ()


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_hand_written_v4_with_list_sources(tmp_path, minor):
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": ["x = 1\n", "y = 2"]}
    if minor >= 5:
        cell["id"] = "abc"
    path = raw_nb(tmp_path / "nb.ipynb", {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": minor})
    assert load(path).cells[0].source == "x = 1\ny = 2"


def test_v3_notebook_is_converted(tmp_path):
    data = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{"cells": [
        {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Title"]},
        {"cell_type": "code", "collapsed": False, "input": ["%matplotlib inline\n", "x = 1"], "language": "python",
         "metadata": {}, "outputs": []}], "metadata": {}}]}
    program = load(raw_nb(tmp_path / "old.ipynb", data))
    (cell,) = program.cells
    assert cell.label == "cell 2" and cell.source.splitlines()[1] == "x = 1"
    assert any("converted from nbformat 3" in w for w in program.warnings)


def test_newer_major_version_is_unreadable(tmp_path):
    path = raw_nb(tmp_path / "nb.ipynb", {"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0})
    unreadable(path, "nbformat 5", "nbformat 4")


# --- damaged notebooks ----------------------------------------------------------------------------


def test_not_json_names_line_and_column(tmp_path):
    good = nbformat.writes(new_notebook(cells=[new_code_cell("x = 1")]))
    (tmp_path / "cut.ipynb").write_text(good[: len(good) // 2])
    message = unreadable(tmp_path / "cut.ipynb", "not valid JSON", "line ", "column ", "save it again")
    assert re.search(r"line \d+, column \d+", message)


def test_python_saved_as_ipynb_gets_a_hint(tmp_path):
    (tmp_path / "hw.ipynb").write_text("import numpy as np\n")
    unreadable(tmp_path / "hw.ipynb", "rename it to .py")


@pytest.mark.parametrize("data", [[1, 2], {"a": 1}, "text", 4, {"nbformat": 4, "nbformat_minor": 5, "metadata": {}},
                                  {"cells": "abc", "nbformat": 4}, {"nbformat": "4", "cells": []}])
def test_json_that_is_not_a_notebook(tmp_path, data):
    unreadable(raw_nb(tmp_path / "nb.ipynb", data))


@pytest.mark.parametrize("data, fragment", [(b"", "empty (0 bytes)"), (b"  \n", "empty"),
                                            (bytes(range(256)) * 4, "binary"), (b"PK\x03\x04\x14\x00", "zip archive"),
                                            (b'{"cells": ["caf\xe9"]}', "offset 15"),
                                            (b'\xef\xbb\xbf{"cells": ["caf\xe9"]}', "offset 18")])
def test_empty_binary_and_undecodable_notebooks(tmp_path, data, fragment):
    (tmp_path / "nb.ipynb").write_bytes(data)
    unreadable(tmp_path / "nb.ipynb", fragment)


def test_bom_and_crlf_notebook_loads(tmp_path):
    text = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                  "source": ["x = 1\r\n", "y = 2\r"]}], "metadata": {}, "nbformat": 4,
                       "nbformat_minor": 2}, indent=1).replace("\n", "\r\n")
    (tmp_path / "nb.ipynb").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load(tmp_path / "nb.ipynb").cells[0].source == "x = 1\ny = 2\n"


def test_missing_optional_keys_recovered_with_warning(tmp_path):
    data = {"cells": [{"cell_type": "code", "source": ["a = 1\n", "b = 2"]}, {"cell_type": "markdown", "source": "hi"},
                      {"cell_type": "code", "source": "c = 3"}], "nbformat": 4, "nbformat_minor": 4}
    program = load(raw_nb(tmp_path / "nb.ipynb", data))
    assert [(c.label, c.source) for c in program.cells] == [("cell 1", "a = 1\nb = 2"), ("cell 3", "c = 3")]
    assert any("recovered from the raw JSON" in w for w in program.warnings)


def test_no_version_field_recovered_with_warning(tmp_path):
    program = load(raw_nb(tmp_path / "nb.ipynb", {"cells": [{"cell_type": "code", "source": "a = 1"}]}))
    assert program.cells[0].source == "a = 1" and "nbformat" in program.warnings[0]


def test_cell_with_non_text_source_is_skipped_with_warning(tmp_path):
    data = {"cells": [{"cell_type": "code", "source": ["a = 1\n", 3]}, {"cell_type": "code", "source": "b = 2"},
                      {"cell_type": "code"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    program = load(raw_nb(tmp_path / "nb.ipynb", data))
    assert [c.source for c in program.cells] == ["b = 2", ""]
    assert any("nb.ipynb cell 1: the code is not text" in w for w in program.warnings)


def test_labels_count_all_cells_and_markdown_is_skipped(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# t"), new_code_cell("a = 1"), new_raw_cell("raw"),
                             new_code_cell("b = 2")])
    nbformat.write(nb, str(tmp_path / "hw03.ipynb"))
    cells = load(tmp_path / "hw03.ipynb").cells
    assert [(c.label, c.filename, c.source) for c in cells] == [
        ("cell 2", "hw03.ipynb [cell 2]", "a = 1"), ("cell 4", "hw03.ipynb [cell 4]", "b = 2")]


def test_notebook_without_code_cells_is_an_empty_program(tmp_path):
    nbformat.write(new_notebook(cells=[new_markdown_cell("only words")]), str(tmp_path / "nb.ipynb"))
    program = load(tmp_path / "nb.ipynb")
    assert program.cells == () and "no code cells" in program.warnings[0]


def test_list_and_string_sources_give_the_same_program(tmp_path):
    source = "%matplotlib inline\nx = 1\n!ls\n"
    base = {"metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    as_list = load(raw_nb(tmp_path / "a.ipynb", {**base, "cells": [{**cell, "source": source.splitlines(True)}]}))
    as_str = load(raw_nb(tmp_path / "b.ipynb", {**base, "cells": [{**cell, "source": source}]}))
    assert as_list.cells[0].source == as_str.cells[0].source
    assert [w.replace("a.ipynb", "") for w in as_list.warnings] == [w.replace("b.ipynb", "") for w in as_str.warnings]


# --- IPython syntax -----------------------------------------------------------------------------------


def test_line_magics_and_shell_escapes_become_pass(tmp_path):
    source = "%matplotlib inline\nimport numpy as np\n!pip install numpy\nif True:\n    %time f()\n\t!ls -la\n"
    program = load(write_nb(tmp_path / "hw03.ipynb", "# header", source))
    cell = program.cells[1]
    lines = cell.source.split("\n")
    assert len(lines) == len(source.split("\n"))
    assert lines[0].startswith("pass  #") and "%matplotlib inline" in lines[0]
    assert lines[1] == "import numpy as np"
    assert lines[2].startswith("pass  #") and lines[4] == "    f()" and lines[5].startswith("\tpass  #")
    assert program.warnings[0] == "hw03.ipynb cell 2, line 1: IPython magic `%matplotlib inline` was not run"
    assert program.warnings[1] == "hw03.ipynb cell 2, line 3: shell command `!pip install numpy` was not run"
    assert program.warnings[2] == "hw03.ipynb cell 2, line 5: IPython magic `%time f()` ran its statement once as plain Python"
    assert len(program.warnings) == 4


def test_assigned_magics_become_none():
    out, notes = neutralise("x = !ls\n  y = %timeit f()\na, b = !echo 1 2\n", "c")
    assert out.split("\n")[:3] == ["x = None  # shell command not run: !ls",
                                   "  y = None  # IPython magic not run: %timeit f()",
                                   "a, b = None, None  # shell command not run: !echo 1 2"]
    assert "x set to None" in notes[0]


@pytest.mark.parametrize("source", [
    "y = a % b\n", "y = a %b\n", "x != 3\n", "a %= 2\n", 's = "%d" % 3\n', "z = (1,\n     % 2)\n",
    "z = [1,\n  !2]\n", 's = """\n%not a magic\n!nor this\n"""\n', "s = '''\n%x\n'''\n", "t = 1 + \\\n  % 2\n",
    "# %comment\n", "q = 'it''s'  # %x\n", "get_ipython().run_line_magic('time', 'f()')\n",
    "d = {'a':\n   %(b)s}\n", "s = 'a\\\n%b'\n",
])
def test_python_that_only_looks_like_magic_is_untouched(source):
    assert neutralise(source, "c") == (source, [])


def test_magic_after_a_closed_string_or_bracket_is_found():
    source = 's = """\n%inside\n"""\n%after\nx = (1,\n2)\n!after2\n'
    out, notes = neutralise(source, "c")
    assert [n.split(":")[0] for n in notes] == ["c, line 4", "c, line 7"]
    assert out.split("\n")[1] == "%inside"


def test_continued_magic_lines_are_blanked():
    out, notes = neutralise("!echo a \\\n  b \\\n  c\nx = 1\n", "c")
    assert out.split("\n")[1:] == ["", "", "x = 1", ""] and len(notes) == 1


def test_help_syntax_is_neutralised():
    out, notes = neutralise("np.sum?\n??len\nx = 1  # why?\n", "c")
    assert out.split("\n")[:3] == ["pass  # IPython help not shown: np.sum?", "pass  # IPython help not shown: ??len",
                                   "x = 1  # why?"]
    assert len(notes) == 2


@pytest.mark.parametrize("magic", ["%%time", "%%timeit -n 1", "%%capture out", "%%prun -s cumulative",
                                   "%%time --no-raise-error"])
def test_timing_and_capture_cell_magics_run_the_body(magic):
    out, notes = neutralise(f"\n{magic}\ndef f():\n    return 1\n%who\n", "c")
    lines = out.split("\n")
    assert lines[1].startswith("#") and lines[2:4] == ["def f():", "    return 1"] and lines[4].startswith("pass")
    assert notes[0] == f"c, line 2: cell magic `{magic}` ran its body once as plain Python"


def test_timeit_setup_and_prun_statement_on_the_magic_line_run_first():
    out, notes = neutralise("%%timeit -n 10 -r 2 xs = list(range(3))\ntotal = sum(xs)\n", "c")
    assert out == "xs = list(range(3))\ntotal = sum(xs)\n"
    assert notes == ["c, line 1: cell magic `%%timeit -n 10 -r 2 xs = list(range(3))` ran the statement on its"
                     " line and its body once as plain Python"]
    assert neutralise("%%prun -l 5 a = 1\nb = a\n", "c")[0] == "a = 1\nb = a\n"


def test_nested_cell_magics_run_or_skip_as_in_ipython():
    """IPython runs a %%capture body as a cell, so a %%time on its first line is a cell magic too."""
    out, notes = neutralise("%%capture\n%%time\n!pip install numpy\nx = 1", "c")
    assert out.split("\n") == ["# cell magic not run: %%capture", "# cell magic not run: %%time",
                               "pass  # shell command not run: !pip install numpy", "x = 1"]
    assert [n.split(":")[0] for n in notes] == ["c, line 1", "c, line 2", "c, line 3"]
    assert neutralise("%%capture\n%%bash\nls", "c") == (None, ["c: cell magic `%%bash` was not run (the whole cell"
                                                                " was skipped)"])
    deep = "%%capture\n" * 50 + "x = 1\n"  # no recursion without bound: deeper ones are line magics
    out, _ = neutralise(deep, "c")
    assert out.count("\n") == deep.count("\n") and out.split("\n")[8].startswith("pass  # IPython magic not run")


@pytest.mark.parametrize("magic", ["%%bash", "%%writefile", "%%writefile a.py b.py", "%%html", "%%javascript",
                                   "%%sh", "%%script python", "%%latex", "%%", "%%time x = 1", "%%timeit -z"])
def test_other_cell_magics_skip_the_cell(tmp_path, magic):
    program = load(write_nb(tmp_path / "nb.ipynb", f"{magic}\ndef f():\n    return 1\n", "x = 1"))
    assert [c.label for c in program.cells] == ["cell 2"]
    assert program.warnings == (f"nb.ipynb cell 1: cell magic `{magic}` was not run (the whole cell was skipped)",)


def test_writefile_cell_becomes_one_line_writing_the_text(tmp_path):
    program = load(write_nb(tmp_path / "nb.ipynb", "%%writefile -a helper.py\ndef f():\n    return '\"\"\"'\n\n",
                            "import helper"))
    lines = program.cells[0].source.split("\n")
    assert lines[1:] == ["", "", "", ""]
    assert lines[0] == ("with __import__('io').open('helper.py', 'a', encoding='utf-8') as __writefile:"
                        " __writefile.write('def f():\\n    return \\'\"\"\"\\'\\n\\n');"
                        " __import__('importlib').invalidate_caches()")
    assert program.warnings == ("nb.ipynb cell 1, line 1: cell magic `%%writefile -a helper.py` wrote the cell's text"
                                " to 'helper.py' (appended), in the working folder, which Python imports from",)


def test_a_huge_writefile_cell_is_skipped_not_quoted(tmp_path):
    program = load(write_nb(tmp_path / "nb.ipynb", "%%writefile big.py\n" + "x = 1\n" * 200_000, "y = 2"))
    assert [c.label for c in program.cells] == ["cell 2"] and "was not run" in program.warnings[0]


def test_line_magics_that_wrap_a_statement_run_it():
    source = "%time x = f()\ny = %time g()\nz = %timeit g()\n%timeit -n 1 \\\n  h(1,\\\n    2)\nw = 3\n"
    out, notes = neutralise(source, "c")
    assert out.split("\n") == ["x = f()", "y = g()", "z = None  # IPython magic not run: %timeit g()",
                               "h(1,     2)", "", "", "w = 3", ""]
    assert notes[1] == "c, line 2: IPython magic `y = %time g()` ran its expression once as plain Python; y set to its value"
    assert notes[3] == "c, line 4: IPython magic `%timeit -n 1    h(1,     2)` ran its statement once as plain Python"


def test_py_files_have_their_ipython_lines_neutralised(tmp_path):
    """Colab's export keeps `!pip install` lines; a % or ! at the start of a logical line is IPython,
    inside brackets, strings or after a backslash it is Python."""
    path = tmp_path / "hw03.py"
    source = ("!pip install numpy\nimport numpy as np\n%time x = np.ones(2)\ny = (3\n% 2)\ns = '''\n!not\n'''\n"
              "z = 5 \\\n% 3\ndef f():\n    %matplotlib inline\n    return x\n")
    path.write_text(source)
    program = load(path)
    lines = program.cells[0].source.split("\n")
    assert len(lines) == len(source.split("\n"))
    assert lines[0] == "pass  # shell command not run: !pip install numpy" and lines[2] == "x = np.ones(2)"
    assert lines[3:10] == source.split("\n")[3:10] and lines[11] == "    pass  # IPython magic not run: %matplotlib inline"
    assert [w.split(":")[0] for w in program.warnings] == ["hw03.py, line 1", "hw03.py, line 3", "hw03.py, line 12"]
    namespace: dict = {}
    exec(compile(program.cells[0].source, "t", "exec"), namespace)  # the test's own source
    assert namespace["y"] == 1 and namespace["z"] == 2 and namespace["f"]().tolist() == [1.0, 1.0]


def test_cell_magic_not_on_first_line_is_a_line_magic():
    out, notes = neutralise("x = 1\n%%time\n", "c")
    assert out.startswith("x = 1\npass  #") and len(notes) == 1


@pytest.mark.parametrize("make", [
    lambda: "x = [\n" + "    1.0, 2.0, 3.0,\n" * 200_000 + "]\n",
    lambda: "s = '''" + "%x\n" * 500_000 + "'''\n",
    lambda: "(" * 1_000_000,
    lambda: "a = b % c  # %\n" * 200_000 + "%time x\n",
    lambda: "x = '" + "\\'" * 500_000 + "'\n",
    lambda: "%timeit " + "-q " * 400_000 + "f()\n",
    lambda: "%time x = f(\\\n" * 100_000 + "1)\n",
    lambda: "!echo \\\n" * 200_000 + "x = 1\n",
    lambda: "%%capture\n" + "%%time\n" * 200_000,
    lambda: f"{MARKER}\n" + "# %time x = f()\n" * 100_000,
    lambda: f"{MARKER}\n# %%capture\n" + "# !pip install numpy\n" * 100_000,
    lambda: f"{MARKER}\n# %%writefile big.py\n" + "# x = 1\n" * 200_000,
    lambda: "get_ipython().run_cell_magic('capture', '', " + repr("!ls\n" * 300_000) + ")\n",
])
@pytest.mark.parametrize("suffix", [".ipynb", ".py"])
def test_huge_cells_are_linear(tmp_path, make, suffix):
    source = make()
    assert len(source) >= 1_000_000
    path = tmp_path / f"big{suffix}"
    if suffix == ".py":
        path.write_text(source)
    else:
        write_nb(path, source)
    started = time.perf_counter()
    program = load(path)
    assert time.perf_counter() - started < 5.0
    if "run_cell_magic" not in source:  # a .py's inlined %%capture body adds its lines
        assert program.cells[0].source.count("\n") == source.count("\n")


# --- the fixtures and the example class -------------------------------------------------------------


def expectations(path: Path) -> dict[str, str]:
    """The `# expect...:` lines of a fixture's header (first cell of a notebook), by kind."""
    if path.suffix == ".py":
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[: next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))]
    else:
        header = re.findall(r'"(#[^"\\]*)', path.read_text(encoding="utf-8").split('"cell_type"')[1])
    found = [m.groups() for line in header if (m := re.fullmatch(r"# (expect|expect-fail|expect-status): (.+)", line))]
    kinds = [kind for kind, _ in found]
    allowed = [{"expect"}, {"expect-fail"}, {"expect-status"}, {"expect-fail", "expect-status"}]
    assert len(set(kinds)) == len(kinds) and set(kinds) in allowed, \
        f"{path.name}: the header needs one expect or expect-fail line and/or one expect-status line, got {found}"
    return dict(found)


FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".py", ".ipynb"))


def test_fixture_folder_is_complete():
    names = {p.name for p in FIXTURE_FILES}
    assert {"passes_all.py", "passes_all.ipynb", "passes_all_lists.py", "starter_not_implemented.py", "empty.py",
            "syntax_error.py", "corrupt_not_json.ipynb", "magics_and_error.ipynb", "missing_functions.py"} <= names
    assert len([n for n in names if n.startswith("fails_")]) >= 26
    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    assert [n for n in sorted(names) if f"`{n}`" not in readme] == []


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_header_is_parsable(path):
    found = expectations(path)
    if "expect" in found:
        assert re.fullmatch(r"score=(0|100)", found["expect"])
    if "expect-status" in found:
        assert found["expect-status"] in STATUSES
    if "expect-fail" in found:
        names = found["expect-fail"].split(", ")
        assert names and len(set(names)) == len(names) and set(names) <= CONTRACT, names
    if path.name.startswith("fails_"):
        assert set(found) == {"expect-fail"} and _target(path) in found["expect-fail"].split(", ")


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_loads_as_its_header_says(path):
    if expectations(path).get("expect-status") == "unreadable":
        unreadable(path, "not valid JSON")
        return
    program = load(path)
    assert program.cells
    if path.name == "magics_and_error.ipynb":
        text = "\n".join(program.warnings)
        for magic in ("%matplotlib inline", "!pip install numpy", "%%time", "%%bash"):
            assert magic in text


def _target(path: Path) -> str:
    stem = path.stem.removeprefix("fails_")
    return max((f for f in CONTRACT if stem == f or stem.startswith(f + "_")), key=len)


def _owner(lines: list[str], i: int) -> str:
    """The top-level function that line i belongs to ("<module>" before the first def)."""
    for line in reversed(lines[: i + 1]):
        if m := re.match(r"def (\w+)", line):
            return m.group(1)
    return "<module>"


def _changed_functions(base: list[str], other: list[str]) -> set[str]:
    """Top-level functions touched by the differences between two versions of a file."""
    changed = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, other, autojunk=False).get_opcodes():
        if tag != "equal":  # an insertion (i1 == i2) belongs to the function of the line it precedes
            changed |= {_owner(base, i) for i in range(i1, max(i2, i1 + 1)) if i < len(base)}
            changed |= {_owner(other, j) for j in range(j1, max(j2, j1 + 1)) if j < len(other)}
    return changed


def _code(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[next(i for i, line in enumerate(lines) if not line.startswith("#")):]


@pytest.mark.parametrize("path", [p for p in FIXTURE_FILES if p.name.startswith("fails_")], ids=lambda p: p.name)
def test_single_bug_mutants_change_one_function(path):
    assert _changed_functions(_code(FIXTURES / "passes_all.py"), _code(path)) == {_target(path)}


@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".py", ".ipynb")),
                         ids=lambda p: p.name)
def test_example_files_load(path):
    assert load(path).cells


_PIECES = ["x = 1", "  y = f(x)", "%time f()", "!ls", "  %matplotlib inline", "a = !echo", "b, c = %who",
           "np.sum?", "??len", "s = 'a?'", "d = {'k': '%s'}", "t = x != 1", "if x:", "    pass", "(1,", " 2)",
           '"""doc', '%not magic inside"""', "q = 3  # why?", "%%time", "", "z = x % 2", "w = '!'", "u = y ! 1"]


@pytest.mark.parametrize("seed", range(60))
def test_the_plain_python_shortcut_changes_nothing(seed, monkeypatch):
    """neutralise skips cells its pre-check finds free of IPython syntax: the full scan must agree."""
    import random

    import grader.notebook as notebook

    rng = random.Random(seed)
    source = "\n".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12)))
    quick = neutralise(source, "c")
    monkeypatch.setattr(notebook, "_MAYBE_IPYTHON", re.compile(""))  # always "maybe": the full scan
    assert neutralise(source, "c") == quick
