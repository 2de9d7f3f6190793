"""Tests of grader.names: Canvas bulk-download names, safe file names per student."""
from __future__ import annotations

import pytest

from grader.names import parse_canvas_name, safe_name


@pytest.mark.parametrize("name, login, late, original", [
    ("alice_123_456_hw03.ipynb", "alice", False, "hw03.ipynb"),
    ("alice_LATE_123_456_hw03.py", "alice", True, "hw03.py"),
    ("alice_late_123_456_hw03.py", "alice", True, "hw03.py"),
    ("alice_Late_123_456_My Notebook.ipynb", "alice", True, "My Notebook.ipynb"),
    ("mary_jane_123_456_hw03.ipynb", "mary_jane", False, "hw03.ipynb"),
    ("mary_jane_LATE_123_456_hw_03_final.py", "mary_jane", True, "hw_03_final.py"),
    ("bob_1_2_hw_10_20_x.py", "bob", False, "hw_10_20_x.py"),
])
def test_parse_canvas_name(name, login, late, original):
    parsed = parse_canvas_name(name)
    assert parsed is not None
    assert (parsed.login, parsed.late, parsed.original) == (login, late, original)


@pytest.mark.parametrize("name", ["my_name.py", "alice.py", "alice_123_456.py", "alice_123_hw03.py",
                                  "alice_x1_2_hw.py", "_123_456_hw03.py"])
def test_not_canvas_names(name):
    assert parse_canvas_name(name) is None


# --- safe names --------------------------------------------------------------------------------


@pytest.mark.parametrize("plain", ["alice", "mary_jane", "s1234567", "a.b", "x-y"])
def test_safe_name_keeps_plain_ids(plain):
    assert safe_name(plain) == plain


@pytest.mark.parametrize("student", ["..", ".", "../../etc/passwd", "a/b", "a\\b", "", " ", "José", "李雷", "Alice",
                                     "con", "NUL.txt", "x" * 300, ".hidden", "trailing.", "a\x00b", "tab\tname",
                                     "alice-0123456789", "\udcff"])
def test_safe_name_is_a_safe_single_component(tmp_path, student):
    name = safe_name(student)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name not in (".", "..") and len(name) <= 80
    assert name.isascii() and name.isprintable() and " " not in name
    target = (tmp_path / f"{name}.json").resolve()
    assert target.parent == tmp_path.resolve()
    target.write_text("{}")


def test_safe_name_is_unique_also_ignoring_case():
    ids = ["Alice", "alice", "ALICE", "José", "Jose", "jose", "a b", "a_b", "a/b", "a?b", "李雷", "王芳", "..", "...",
           "alice-0123456789", "con", "Con", "x" * 100, "x" * 101]
    names = [safe_name(i) for i in ids]
    assert len({n.casefold() for n in names}) == len(ids)


def test_safe_name_is_stable():
    assert safe_name("José Núñez") == safe_name("José Núñez")
    assert safe_name("José Núñez").startswith("Jose_Nunez-")
