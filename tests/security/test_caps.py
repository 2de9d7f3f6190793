"""Student data cannot inflate the grader: returned values, type names, messages, load warnings and
source text are capped at each boundary, and the grader's own memory stays bounded (issue 13, class 4).

Each attack is written as a student would, from reading grader/ and SECURITY.md. The grader's peak
memory is measured in a process of its own (its VmHWM, the resident high-water mark that getrusage
reports as ru_maxrss: the students run in other processes). The caps are those of grader/caps.py,
written out here as numbers.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.load import load

REPO = Path(__file__).resolve().parents[2]
PASSES_ALL = REPO / "tests" / "fixtures" / "submissions" / "passes_all.py"
MESSAGE_MAX = 8000  # grader.caps.MESSAGE_MAX: characters of one check's message
WARNINGS_MAX = 100  # grader.caps.WARNINGS_MAX: load warnings the grader's loader keeps
GRADER_PEAK_MB = 300  # what the grader process may reach grading the attacks below (2 students at a time)
LOADER_PEAK_MB = 150  # what loading one hostile file may take (the file's own text included)

# The peak is the process's VmHWM (its own address space's high-water mark, what getrusage's ru_maxrss
# reports, but without the high-water mark of the process that forked it, which ru_maxrss keeps).
PEAK = """
def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
"""

GRADE = PEAK + """
import json, sys
from pathlib import Path
from grader.pipeline import GradeOptions, grade_class
run = grade_class(GradeOptions(submissions=Path(sys.argv[1]), out=Path(sys.argv[2]), timeout=30.0,
                               memory_mb=2048, jobs=2, executor="local"))
print(json.dumps({"peak_mb": peak_mb(), "statuses": {s.student: s.status for s in run.summaries}}))
"""

LOAD = PEAK + """
import json, sys
from grader.load import LoadError, load
before = peak_mb()
try:
    program = load(sys.argv[1])
    outcome = {"cells": [c.source[:300] for c in program.cells][:3], "warnings": list(program.warnings)}
except LoadError as exc:
    outcome = {"status": exc.status, "message": exc.message}
outcome["peak_mb"] = peak_mb()
outcome["before_mb"] = before
print(json.dumps(outcome))
"""

# A forger reads the call's index from the runtime's frame, writes its own record on the channel (fd 3)
# and drops the runtime's true record for that call: the grader reads only the forged one.
FORGE = '''
import os
import sys


def forge(value_json):
    caller = sys._getframe(2)
    runtime, index = caller.f_locals["self"], caller.f_locals["index"]
    true_send = runtime._sendall

    def drop_once(data):
        runtime._sendall = true_send

    runtime._sendall = drop_once
    record = ('{"type":"result","index":%d,"status":"returned","error":"","error_types":[],"traceback":"",'
              '"warnings":[],"mutated":[],"seconds":0.0,"value":%s}' % (index, value_json)).encode()
    data = len(record).to_bytes(4, "big") + record
    while data:
        data = data[os.write(3, data):]
'''


def student(folder: Path, name: str, tail: str) -> None:
    """A student who passes everything but the functions `tail` redefines."""
    (folder / f"{name}.py").write_text(PASSES_ALL.read_text() + "\n\n" + tail)


def run_python(script: str, *args: str) -> dict:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=900,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": path})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def checks_of(out: Path) -> dict[str, list[dict[str, str]]]:
    csv.field_size_limit(2**31 - 1)  # so that a cell too large fails the test's own assertions, not the reader
    rows: dict[str, list[dict[str, str]]] = {}
    with open(out / "checks.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["student"], []).append(row)
    return rows


def totals_of(out: Path) -> dict[str, float]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def inflating(tmp_path_factory):
    """A class whose students return values made to take the grader's memory, graded in a process of its own."""
    folder, out = tmp_path_factory.mktemp("inflating"), tmp_path_factory.mktemp("out-inflating")
    student(folder, "big_floats", "def leaky_relu(z, alpha=0.01):\n    return [0.5] * 600_000\n")  # 2.4 MB sent, ~20 MB parsed
    student(folder, "empty_lists", "def leaky_relu_grad(z, alpha=0.01):\n    return [[]] * 400_000\n")  # 1.2 MB sent, ~26 MB parsed
    student(folder, "budget", "def relu(z):\n    return [[]] * 150_000\n")  # under the cap of one result
    student(folder, "forged", FORGE + "\n\ndef relu_grad(z):\n    forge('[' + ','.join(['[]'] * 600_000) + ']')\n")
    measured = run_python(GRADE, str(folder), str(out))
    return measured, out


def test_the_grader_stays_small_whatever_students_return(inflating):
    """Before: each returned list was parsed and kept whole until the student was scored: this class
    took the grader to 1789 MB (97 MB now)."""
    measured, _ = inflating
    assert measured["peak_mb"] < GRADER_PEAK_MB, measured


def test_a_result_too_large_fails_only_its_own_cases(inflating):
    measured, out = inflating
    assert set(measured["statuses"].values()) == {"graded"}
    assert totals_of(out) == {"big_floats": 98.5, "budget": 98.0, "empty_lists": 98.5, "forged": 98.0}
    rows = checks_of(out)
    for name, function in (("big_floats", "leaky_relu"), ("empty_lists", "leaky_relu_grad")):
        messages = [r["message"] for r in rows[name] if r["function"] == function]
        assert messages and all("result: got an object of type list (not kept: it would take about" in m
                                and "return only what the function's contract asks for" in m for m in messages)


def test_larger_results_share_one_budget_per_student(inflating):
    _, out = inflating
    messages = [r["message"] for r in checks_of(out)["budget"] if r["function"] == "relu"]
    refused = [m for m in messages if "not kept: this submission's earlier results already take" in m]
    kept = messages[:len(messages) - len(refused)]  # the first ones were kept, parsed and compared
    assert kept and refused and messages[len(kept):] == refused
    assert all("not kept" not in m and "got an object of type" not in m for m in kept)


def test_a_forged_record_is_held_to_the_same_caps(inflating):
    _, out = inflating
    messages = [r["message"] for r in checks_of(out)["forged"] if r["function"] == "relu_grad"]
    assert messages and all("not kept: it would take about" in m for m in messages)


@pytest.fixture(scope="module")
def long_texts(tmp_path_factory):
    """Students whose type names and exception names are millions of characters long, graded in-process."""
    folder, out = tmp_path_factory.mktemp("long-texts"), tmp_path_factory.mktemp("out-long-texts")
    student(folder, "class_name", "Huge = type('W' * 4_000_000, (), {})\n\ndef relu(z):\n    return Huge()\n")
    student(folder, "module_name", "Huge = type('W', (), {'__module__': 'm' * 4_000_000})\n\n"
                                   "def relu(z):\n    return Huge()\n")
    student(folder, "exception_name", "def relu(z):\n    raise type('E' * 1_000_000, (ValueError,), {})('x' * 5000)\n")
    student(folder, "forged_marker", FORGE + "\n\ndef relu(z):\n    forge('{\"$\":\"unsupported\",\"type\":\"' + "
                                             "'T' * 1_000_000 + '\",\"text\":\"' + 'x' * 1_000_000 + '\"}')\n")
    run_python(GRADE, str(folder), str(out))
    return out


@pytest.mark.parametrize("name", ["class_name", "module_name", "exception_name", "forged_marker"])
def test_long_names_and_messages_are_clipped_in_every_output(long_texts, name):
    """Before: a 4-million-character class name went whole into every message (these four students
    made a 280 MB checks.csv, the grader 626 MB); an exception class's name made 12,000-character messages."""
    rows = [r for r in checks_of(long_texts)[name] if r["function"] == "relu"]
    assert rows and all(r["passed"] == "false" and len(r["message"]) <= MESSAGE_MAX for r in rows)
    assert all("characters]" in r["message"] for r in rows)  # each cut says how much was left out
    assert (long_texts / "results" / f"{name}.json").stat().st_size < 1_000_000
    assert totals_of(long_texts)[name] == 98.0


def test_checks_csv_stays_small(long_texts):
    assert (long_texts / "checks.csv").stat().st_size < 4 * 2**20


@pytest.fixture(scope="module")
def long_code(tmp_path_factory):
    """Code sent to the sandbox as JSON, where a control character takes 6 bytes and an emoji 12."""
    folder, out = tmp_path_factory.mktemp("long-code"), tmp_path_factory.mktemp("out-long-code")
    (folder / "controls.py").write_text("x = 1\n# " + "\x01" * 50_000_000 + "\n")
    (folder / "emoji.py").write_text("x = 1\n# " + "\U0001F600" * 12_000_000 + "\n")
    (folder / "cells.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "# " + "\x02" * 3_000_000}
        for _ in range(4)]}))
    return run_python(GRADE, str(folder), str(out)), out


def test_code_too_long_to_send_to_the_sandbox_is_refused(long_code):
    """Before: 50 MB of control characters became a 300 MB plan for the sandbox: grader_error, and the
    grader at 759 MB. Now more than 8 MB of code (in all cells) is `unreadable`, with a message."""
    measured, out = long_code
    assert measured["statuses"] == {"cells": "unreadable", "controls": "unreadable", "emoji": "unreadable"}
    assert measured["peak_mb"] < GRADER_PEAK_MB, measured
    for name in ("cells", "controls", "emoji"):
        result = json.loads((out / "results" / f"{name}.json").read_text())
        assert result["fault"] == "student" and "of code, more than the 8.0 MB a submission may run" in result["message"]


def magic_file(path: Path, lines: int) -> Path:
    path.write_text("import numpy as np\n" + "%matplotlib inline\n" * lines + "x = 1\n")
    return path


def notebook(path: Path, *cells: str, **top: object) -> Path:
    document = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, **top,
                "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c}
                          for c in cells]}
    path.write_text(json.dumps(document))
    return path


def test_many_magic_lines_give_a_bounded_list_of_warnings(tmp_path):
    """Before: 150,000 `%matplotlib inline` lines gave 150,000 load warnings, all stored and reported."""
    program = load(magic_file(tmp_path / "hw03.py", 150_000))
    assert len(program.warnings) == WARNINGS_MAX
    assert program.warnings[-1] == f"... and {150_000 - WARNINGS_MAX + 1} more load warnings"
    assert program.cells[0].source.count("pass  # IPython magic not run") == 150_000  # all still neutralised


def test_magic_lines_across_notebook_cells_give_a_bounded_list_of_warnings(tmp_path):
    program = load(notebook(tmp_path / "hw03.ipynb", *["!pip install numpy\n" * 1000] * 150))
    assert len(program.warnings) == WARNINGS_MAX
    assert program.warnings[-1] == f"... and {150_000 - WARNINGS_MAX + 1} more load warnings"


def test_a_file_too_long_to_search_for_magics_is_left_to_the_sandbox(tmp_path):
    program = load(magic_file(tmp_path / "hw03.py", 250_000))
    assert len(program.warnings) == 1 and "was not looked for, as it has 250,002 lines" in program.warnings[0]
    assert "%matplotlib inline" in program.cells[0].source  # the sandbox's compiler reports it


def test_get_ipython_rewriting_never_parses_unbounded_source(tmp_path):
    """Before: the whole file was given to ast.parse, which takes ~1.4 KB per word: this 800 KB file of
    `a,a,a,...` took the grader to 572 MB (26 MB now)."""
    path = tmp_path / "hw03.py"
    path.write_text("get_ipython().run_line_magic('time', 'y = 1')\nx = [" + "a," * 400_000 + "]\n")
    loaded = run_python(LOAD, str(path))
    assert loaded["peak_mb"] < LOADER_PEAK_MB, loaded["peak_mb"]
    assert loaded["cells"][0].startswith("y = 1\n")  # the export's get_ipython() line still runs its statement
    assert "too large to be read whole for IPython lines" in loaded["warnings"][0]


def test_get_ipython_rewriting_in_a_notebook_cell_is_bounded_too(tmp_path):
    path = notebook(tmp_path / "hw03.ipynb", "get_ipython().system('ls')\nx = (" + "f()," * 200_000 + ")\n")
    loaded = run_python(LOAD, str(path))
    assert loaded["peak_mb"] < LOADER_PEAK_MB, loaded["peak_mb"]
    assert loaded["cells"][0].startswith("pass  # not run: !ls\n")


def test_searching_for_magics_never_holds_millions_of_lines(tmp_path):
    """Before: a 7.5 MB file of blank lines and one magic was split into 7.5 million lines (about 400 MB)."""
    path = tmp_path / "hw03.py"
    path.write_text("\n" * 7_500_000 + "%time x = 1\n")
    loaded = run_python(LOAD, str(path))
    assert loaded["peak_mb"] < LOADER_PEAK_MB, loaded["peak_mb"]
    assert len(loaded["warnings"]) == 1 and "was not looked for" in loaded["warnings"][0]


def test_a_notebook_of_millions_of_json_values_is_refused_before_it_is_parsed(tmp_path):
    """Before: 6.6 million empty lists in a notebook's metadata (20 MB) were parsed twice (json, then
    nbformat): 1425 MB (61 MB now)."""
    path = tmp_path / "hw03.ipynb"
    path.write_text('{"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {"x": ['
                    + "[]," * 6_600_000 + "[]]}}")
    loaded = run_python(LOAD, str(path))
    assert loaded["peak_mb"] < LOADER_PEAK_MB, loaded["peak_mb"]
    assert loaded["status"] == "unreadable" and "holds too many JSON values to be read" in loaded["message"]
    assert "clear its outputs" in loaded["message"]


def test_a_notebook_with_long_outputs_still_loads(tmp_path):
    """What the cap above must not refuse: outputs of a normal size, code full of commas."""
    lines = [f"epoch {i}: loss=0.{i:06d}, acc=0.5, lr=0.01\n" for i in range(200_000)]
    document = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "x = [1, 2, 3]\n" * 5000,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": lines}]}]}
    path = tmp_path / "hw03.ipynb"
    path.write_text(json.dumps(document))
    assert load(path).cells[0].source == "x = [1, 2, 3]\n" * 5000
