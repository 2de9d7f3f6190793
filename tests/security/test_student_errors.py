"""A student's odd data is the student's problem, never a grader error (issue 13, class 9, in part).

Before, each of these attacks made `grader_error` (fault "grader", "please report it"): json.loads
raised RecursionError on deeply nested notebook JSON and ValueError on an integer of more than 4,300
digits; a returned int above 1.8e308 raised OverflowError when compared. Now the notebook is
`unreadable` and the int fails its case, each with a message saying what happened and what to do.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.pipeline import GradeOptions, grade_class

REPO = Path(__file__).resolve().parents[2]
PASSES_ALL = REPO / "tests" / "fixtures" / "submissions" / "passes_all.py"
CELL = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "x = 1\n"}


def notebook_text(**fields: object) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [CELL], **fields})


NOTEBOOKS = {
    # nesting deeper than json.loads recurses (RecursionError)
    "nested_metadata": notebook_text(metadata={"x": "NEST"}).replace('"NEST"', "[" * 100_000 + "]" * 100_000),
    "nested_document": "[" * 100_000 + "]" * 100_000,
    "nested_outputs": notebook_text(cells=[{**CELL, "outputs": ["NEST"]}]).replace('"NEST"', "{\"a\":" * 50_000
                                                                                   + "1" + "}" * 50_000),
    # integers past Python's 4,300-digit limit for text (ValueError)
    "long_count": notebook_text(cells=[{**CELL, "execution_count": "COUNT"}]).replace('"COUNT"', "7" * 5000),
    "long_negative": notebook_text(metadata={"x": "N"}).replace('"N"', "-" + "9" * 10_000),
}
HUGE_INTS = {  # function -> its body: each returns an int beyond the largest float, alone or inside
    "relu_grad": "return -10 ** 400",  # an array is due
    "tanh_grad": "return [1.0, 10 ** 400]",  # a list where an array is due
    "sigmoid_grad": "return 10 ** 400",  # a float or an array is due
    "neuron_grad": "return (10 ** 400, 1.0)",  # a tuple is due
}
POINTS = {"relu_grad": 2, "tanh_grad": 2, "sigmoid_grad": 2, "neuron_grad": 3}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("odd-data")
    for name, text in NOTEBOOKS.items():
        (folder / f"{name}.ipynb").write_text(text)
    for name, body in HUGE_INTS.items():  # one student each: before, one such value failed the whole student
        (folder / f"huge_int_{name}.py").write_text(f"{PASSES_ALL.read_text()}\n\ndef {name}(*args, **kwargs):\n"
                                                    f"    {body}\n")
    run = grade_class(GradeOptions(submissions=folder, out=tmp_path_factory.mktemp("out"), timeout=10.0,
                                   memory_mb=1024, jobs=2, executor="local"))
    return {r.student: r for r in run.results}


@pytest.mark.parametrize("name", [n for n in NOTEBOOKS if n.startswith("nested")])
def test_deeply_nested_notebook_json_is_unreadable(graded, name):
    result = graded[name]
    assert (result.status, result.fault) == ("unreadable", "student"), result.message
    assert "nested too deeply to be read" in result.message and "save it again" in result.message
    assert all(not c.passed and "nested too deeply" in c.message for c in result.checks)


@pytest.mark.parametrize("name", [n for n in NOTEBOOKS if n.startswith("long")])
def test_an_integer_too_long_to_read_makes_the_notebook_unreadable(graded, name):
    result = graded[name]
    assert (result.status, result.fault) == ("unreadable", "student"), result.message
    assert "holds a value that cannot be read" in result.message and "4300 digits" in result.message
    assert "save it again" in result.message


@pytest.mark.parametrize("function", HUGE_INTS)
def test_an_int_beyond_the_largest_float_fails_its_cases_only(graded, function):
    result = graded[f"huge_int_{function}"]
    assert (result.status, result.fault) == ("graded", "none"), result.message
    assert result.total == pytest.approx(100 - POINTS[function])
    checks = [c for c in result.checks if c.function == function]
    assert checks and not any(c.passed for c in checks)
    overflowed = [c for c in checks if "too large for a float" in c.message and "return floats" in c.message]
    others = [c.message for c in checks if c not in overflowed]  # a list where a float is due, say
    assert overflowed and all("expected a number (float), got a list" in m for m in others), others


SURROGATES = '''
import os
import sys

print("\\ud800 on stdout")


def relu(z):
    raise ValueError("a lone surrogate \\ud800 in a message")


def relu_grad(z):
    return "\\udcff"


def leaky_relu(z, alpha=0.01):  # a forged record: surrogates in a warning and in an unsupported value's names
    caller = sys._getframe(1)
    runtime, index = caller.f_locals["self"], caller.f_locals["index"]
    true_send = runtime._sendall

    def drop_once(data):
        runtime._sendall = true_send

    runtime._sendall = drop_once
    record = ('{"type":"result","index":%d,"status":"returned","error":"","error_types":[],"traceback":"",'
              '"warnings":["\\\\ud800"],"mutated":[],"seconds":0.0,'
              '"value":{"$":"unsupported","type":"\\\\udcff","text":"\\\\ud800"}}' % index).encode()
    os.write(3, len(record).to_bytes(4, "big") + record)
'''


def test_lone_surrogates_in_a_students_text_cannot_stop_the_class(tmp_path):
    """UTF-8 cannot encode a lone surrogate: before, writing a result holding one raised
    UnicodeEncodeError and stopped the whole run (every other student's result and the reports lost)."""
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    (folder / "surrogates.py").write_text(SURROGATES)
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {**CELL, "source": "%time x = '\\ud800'\ny = '\\udcff'\n"}, {**CELL, "cell_type": "\\ud800"}]}
    (folder / "notebook.ipynb").write_text(json.dumps(notebook).replace("\\\\u", "\\u"))
    (folder / "clean.py").write_text(PASSES_ALL.read_text())
    run = grade_class(GradeOptions(submissions=folder, out=out, timeout=10.0, memory_mb=1024, jobs=2,
                                   executor="local"))
    results = {r.student: r for r in run.results}
    assert {s: r.status for s, r in results.items()} == {"clean": "graded", "notebook": "graded",
                                                         "surrogates": "graded"}
    assert results["clean"].total == pytest.approx(100)
    text = "\n".join(c.message for c in results["surrogates"].checks) + results["surrogates"].stdout
    assert "\\ud800 in a message" in text and "\\udcff" in text and "\\ud800 on stdout" in text  # escaped
    assert not {"\ud800", "\udcff"} & set(text)  # no surrogate itself
    assert any("\\ud800" in w for w in results["notebook"].load_warnings)


@pytest.mark.parametrize("raw", [b"bad\xff", b"caf\xe9", b"\xff\xfe"])
def test_a_file_name_that_is_not_utf8_is_graded_and_resumed(tmp_path, raw):
    """A student's file name whose bytes are not UTF-8 (an archive made on another system) stopped the whole
    run: its id, holding surrogates, could seed nothing and be written nowhere. Now the id shows the bytes
    escaped, the student is graded like any other, and a re-run reuses the result."""
    root = tmp_path / "class"
    root.mkdir()
    (root / "good.py").write_bytes(PASSES_ALL.read_bytes())
    with open(bytes(root) + b"/" + raw + b".py", "wb") as handle:
        handle.write(PASSES_ALL.read_bytes())
    options = GradeOptions(submissions=root, out=tmp_path / "out", timeout=5.0, memory_mb=1024, jobs=1,
                           executor="local")
    run = grade_class(options)
    results = {r.student: r for r in run.results}
    escaped = raw.decode("utf-8", "surrogateescape").encode("utf-8", "backslashreplace").decode()
    assert set(results) == {"good", escaped}
    assert all(r.status == "graded" and r.percent == pytest.approx(100) for r in results.values())
    assert escaped in (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8")
    again = grade_class(options)
    assert (again.regraded, again.reused) == (0, 2)
