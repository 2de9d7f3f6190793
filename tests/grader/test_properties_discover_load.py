"""Property-based tests (hypothesis): malformed inputs thrown at discovery and loading.

Whatever the bytes, names or archives: loading yields a Program or a LoadError with a status and a
message; discovery yields Submissions (a status and a message when it could not pick a file) or a
DiscoveryError with a message; nothing crashes, and nothing is written outside the unpack folder.
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.discover import DiscoveryError, discover
from grader.load import LoadError, load
from grader.model import Program

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOAD_STATUSES = {"unreadable", "syntax_error"}
DISCOVERY_STATUSES = {"", "ambiguous", "no_submission"}

# text that survives UTF-8: no surrogates; no NUL (text files never hold one)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)
NAME_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00")


def file_names(suffixes: tuple[str, ...] = ("", ".py", ".ipynb", ".PY", ".txt", ".zip")) -> st.SearchStrategy[str]:
    """File names with spaces, unicode, dots (`..foo`, `a..b`), Canvas-like parts and odd suffixes."""
    stem = st.one_of(st.text(NAME_CHARS, min_size=1, max_size=40),
                     st.sampled_from(["..", "...", " ", "hw03", "hw03 (2)", "HW03-1", "a..b", "-rf", "~", "__MACOSX",
                                      ".hidden", "x_LATE_12_34_hw03", "mary_jane_1_2_hw03-3", "ünïcödé", "名前"]))
    return st.tuples(stem, st.sampled_from(suffixes)).map("".join).filter(
        lambda n: n not in (".", "..") and len(n.encode("utf-8")) <= 200)


def outcome_of_load(path: Path) -> Program | LoadError:
    try:
        program = load(path)
    except LoadError as err:
        assert err.status in LOAD_STATUSES and err.message.strip() and path.name in err.message
        return err
    assert isinstance(program, Program) and program.kind in ("py", "ipynb")
    assert all(type(c.source) is str for c in program.cells)
    return program


def write_and_load(name: str, data: bytes) -> Program | LoadError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        outcome = outcome_of_load(path)
        assert os.listdir(folder) == [name], "loading wrote a file"
        return outcome


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_named_ipynb(data):
    write_and_load("hw03.ipynb", data)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_named_py(data):
    outcome = write_and_load("hw03.py", data)
    if isinstance(outcome, LoadError):
        assert outcome.status == "unreadable"


@SETTINGS
@given(JSON)
def test_json_that_is_not_a_notebook(value):
    outcome = write_and_load("hw03.ipynb", json.dumps(value).encode())
    if not (isinstance(value, dict) and {"cells", "worksheets", "nbformat"} & value.keys()):
        assert isinstance(outcome, LoadError) and "not a Jupyter notebook" in outcome.message


CELL = st.fixed_dictionaries(
    {}, optional={"cell_type": st.sampled_from(["code", "markdown", "raw", "heading", 7, None]),
                  "source": st.one_of(TEXT, st.lists(TEXT, max_size=4), st.integers(), st.none()),
                  "input": TEXT, "metadata": st.one_of(st.just({}), JSON), "outputs": st.just([]),
                  "execution_count": st.one_of(st.none(), st.integers())})
NOTEBOOK = st.fixed_dictionaries(
    {}, optional={"nbformat": st.one_of(st.integers(-1, 7), st.sampled_from(["4", 4.0, None, True])),
                  "nbformat_minor": st.one_of(st.integers(-1, 9), TEXT),
                  "cells": st.one_of(st.lists(CELL, max_size=5), JSON),
                  "worksheets": st.one_of(st.lists(st.fixed_dictionaries({"cells": st.lists(CELL, max_size=3)}),
                                                   max_size=2), JSON),
                  "metadata": st.one_of(st.just({}), JSON)})


@SETTINGS
@given(NOTEBOOK)
def test_notebooks_of_other_versions_or_with_missing_keys(notebook):
    write_and_load("hw03.ipynb", json.dumps(notebook).encode())


@SETTINGS
@given(TEXT.filter(lambda t: "coding" not in t), st.booleans(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_utf8_sources_with_bom_and_any_line_ends_load_exactly(text, bom, newline):
    data = ("\ufeff" if bom else "") + newline.join(text.split("\n"))
    outcome = write_and_load("hw03.py", data.encode("utf-8"))
    assert isinstance(outcome, Program), outcome
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    plain = write_and_load("hw03_plain.py", expected.encode("utf-8"))  # no BOM, "\n" line ends
    assert isinstance(plain, Program) and [c.source for c in outcome.cells] == [c.source for c in plain.cells]
    if not re.search(r"[%!?]|get_ipython|Commented out IPython", expected):  # nothing IPython-like to neutralise
        assert [c.source for c in outcome.cells] == [expected]


@SETTINGS
@given(TEXT.filter(lambda t: any(ord(c) > 127 for c in t) and "coding" not in t),
       st.sampled_from(["latin-1", "utf-16", "cp1252"]))
def test_sources_in_other_encodings_are_unreadable_with_the_offset(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        data.decode("utf-8")
        return  # happens to be valid UTF-8 too
    except UnicodeDecodeError:
        pass
    outcome = write_and_load("hw03.py", data)
    assert isinstance(outcome, LoadError) and outcome.status == "unreadable"
    assert "offset" in outcome.message or "binary" in outcome.message


@settings(max_examples=5, deadline=None)
@given(st.integers(1, 4), st.sampled_from(["x = 1\n", "# comment\n", "print('a' * 80)\n"]))
def test_huge_cells_load_whole(megabytes, line):
    source = line * (megabytes * 2**20 // len(line))
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
                           "execution_count": None}]}
    outcome = write_and_load("hw03.ipynb", json.dumps(notebook).encode())
    assert isinstance(outcome, Program) and len(outcome.cells) == 1 and len(outcome.cells[0].source) == len(source)


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def check_submissions(found, root: Path) -> None:
    students = [s.student for s in found]
    assert students == sorted(students) and len(set(students)) == len(students)
    for sub in found:
        assert type(sub.student) is str and sub.student
        assert sub.status in DISCOVERY_STATUSES
        if sub.status:
            assert sub.path is None and sub.problem.strip()
        else:
            assert sub.path is not None and Path(sub.path).resolve().is_relative_to(root.resolve())


ENTRY = st.tuples(file_names(), st.sampled_from(["file", "folder", "empty folder", "nested"]), st.binary(max_size=50))


@SETTINGS
@given(st.lists(ENTRY, max_size=8))
def test_folders_of_odd_names_and_empty_folders(entries):
    with tempfile.TemporaryDirectory() as base:
        root = Path(base) / "class"
        root.mkdir()
        for name, kind, data in entries:
            path = root / name
            if path.exists():
                continue
            if kind == "file":
                path.write_bytes(data)
            else:
                path.mkdir()
                if kind == "folder":  # a file of the same odd name inside, and a real candidate
                    (path / name).write_bytes(data)
                    (path / "hw03.py").write_bytes(data)
                elif kind == "nested":
                    (path / "inner").mkdir()
                    (path / "inner" / f"x{Path(name).suffix}").write_bytes(data)
        before = tree(Path(base))
        check_submissions(discover(root, "hw03"), root)
        assert tree(Path(base)) == before, "discovery wrote a file"


ZIP_NAME = st.one_of(file_names((".py", ".ipynb", "")),
                     st.sampled_from(["../evil.py", "../../etc/evil.py", "/abs/evil.py", "a/../../evil.py",
                                      "ok/../../evil.py", "..\\evil.py", "C:/evil.py", "a/b/c.py", "./x.py",
                                      "__MACOSX/._x.py", "student/hw03.py", "student/", "a//b.py"]))


@SETTINGS
@given(st.lists(st.tuples(ZIP_NAME, st.binary(max_size=30), st.booleans()), min_size=1, max_size=6,
                unique_by=lambda entry: entry[0]))
def test_zips_with_path_traversal_never_write_outside(entries):
    with tempfile.TemporaryDirectory() as base:
        base_path = Path(base)
        archive = base_path / "class.zip"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data, symlink in entries:
                info = zipfile.ZipInfo(name)
                if symlink:
                    info.external_attr = 0o120777 << 16  # a symbolic link whose target is `data`
                zf.writestr(info, data)
        archive.write_bytes(buffer.getvalue())
        unpack = base_path / "unpack"
        unpack.mkdir()
        before = tree(base_path)
        try:
            found = discover(archive, "hw03", unpack_dir=unpack)
        except DiscoveryError as err:
            assert str(err).strip()
        else:
            check_submissions(found, unpack)
        after = {p for p in tree(base_path) if not p.startswith("unpack")}
        assert after == {p for p in before if not p.startswith("unpack")}, "unpacking wrote outside its folder"
        for path in unpack.rglob("*"):
            assert not path.is_symlink() and path.resolve().is_relative_to(unpack.resolve())
