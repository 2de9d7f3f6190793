"""grader.imports: the self-check names imports beyond numpy and the standard library, by cell and line."""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from grader.imports import foreign_imports
from grader.load import load
from grader.model import Cell, Program


def py(source: str) -> Program:
    return Program(cells=(Cell(source=source, filename="hw03.py", label="hw03.py"),), kind="py")


def test_numpy_the_standard_library_and_relative_imports_are_not_named():
    source = ("from __future__ import annotations\nimport numpy as np\nimport numpy.linalg\nfrom numpy import exp\n"
              "import math, os.path, json\nfrom collections import abc\nfrom . import sibling\n")
    assert foreign_imports(py(source)) == []


def test_each_foreign_import_is_named_and_a_top_level_one_in_a_py_fails_the_file():
    source = "import numpy as np\nimport matplotlib.pyplot as plt, scipy\n\ndef f():\n    from tqdm import tqdm\n"
    notes = foreign_imports(py(source))
    assert [n.split(":")[0] for n in notes] == ["hw03.py, line 2", "hw03.py, line 2", "hw03.py, line 5"]
    assert "imports matplotlib.pyplot, which the grader may not have" in notes[0]
    assert "imports scipy," in notes[1]
    assert notes[0].endswith("and the whole file fails to load") and notes[1].endswith("fails to load")
    assert "imports tqdm," in notes[2] and notes[2].endswith("the import fails")  # inside a function: when called


def test_notebook_cells_are_named_and_a_cell_that_does_not_parse_is_skipped():
    program = Program(cells=(Cell("import seaborn as sns", "nb [cell 2]", "cell 2"),
                             Cell("def f(:\n    import pandas", "nb [cell 3]", "cell 3")), kind="ipynb")
    notes = foreign_imports(program)
    assert len(notes) == 1 and notes[0].startswith("cell 2, line 1: imports seaborn,")
    assert notes[0].endswith("the import fails")  # a notebook: only that cell stops


def test_a_module_the_notebook_writes_itself_is_not_foreign(tmp_path):
    """`%%writefile helper.py` then `import helper` works when grading: no warning for it."""
    path = tmp_path / "hw03.ipynb"
    nb = new_notebook(cells=[new_code_cell("%%writefile helper.py\nimport numpy as np\n"),
                             new_code_cell("import helper\nimport seaborn")])
    nbformat.write(nb, str(path))
    notes = foreign_imports(load(path))
    assert len(notes) == 1 and notes[0].startswith("cell 2, line 2: imports seaborn,")
