"""grader.versions: the grader's Python and numpy as part of the contract, drift notes, and syntax that only
a newer Python reads (checked against the real compiler of the Python running these tests)."""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grader.versions as versions
from grader.versions import Environment, drift_notes, newer_syntax, read_environment

VERSIONS_PY = Path(versions.__file__)
SNIPPETS = {
    "plain": "x = 1\ny = f'{x}'\n",
    "other quotes inside": "d = {'a': 1}\ny = f\"{d['a']}\"\n",
    "nested, other quotes": "x = 1\ny = f\"{f'{x}'}\"\n",
    "triple-quoted, quotes inside": 'd = {"a": 1}\ny = f"""{d["a"]}"""\n',
    "backslash outside the braces": 'x = 1\ny = f"a\\n{x}"\n',
    "format spec": 'x = 1.0\ny = f"{x:.3f} {x!r:>10}"\n',
    "triple-quoted braces over lines": 'x = 1\ny = f"""{x\n}"""\n',
    "own quotes inside": 'd = {"a": 1}\ny = f"{d["a"]}"\n',
    "backslash inside": 'y = f"{chr(10).join([\'a\'])} {\'\\t\'.join([])}"\n',
    "same quotes nested": 'x = 1\ny = f"{f"{x}"}"\n',
    "deeply nested quotes": "x = 1\ny = f\"{f'{\"a\"}'}\"\n",
    "comment inside": 'x = 1\ny = f"""{x # the value\n}"""\n',
    "one-line braces over lines": 'x = 1\ny = f"{x\n}"\n',
    "type parameters": "def first[T](xs: list[T]) -> T:\n    return xs[0]\n",
    "type statement": "type Vector = list[float]\n",
    "student function": "import numpy as np\n\ndef relu(z):\n    z = np.asarray(z)\n    return np.maximum(z, 0.0)\n",
}


def test_environment_round_trips_and_foreign_files_are_ignored(tmp_path):
    env = Environment("3.11.7", "2.4.6")
    (tmp_path / "e.json").write_bytes(env.to_json())
    assert read_environment(tmp_path / "e.json") == env
    assert (env.minor("python"), env.minor("numpy"), env.python_target()) == ("3.11", "2.4", (3, 11))
    assert env.sentence() == "Python 3.11 and numpy 2.4"
    for text in ("not json", json.dumps({"python": "3.11"}), json.dumps([1])):
        (tmp_path / "x.json").write_text(text)
        assert read_environment(tmp_path / "x.json") is None
    assert read_environment(tmp_path / "missing.json") is None


def test_the_current_environment_is_this_python_and_numpy():
    import numpy

    here = Environment.current()
    assert here.python == ".".join(map(str, sys.version_info[:3])) and here.numpy == numpy.__version__


@pytest.mark.parametrize("grader, student, python, numpy", [
    (("3.11.7", "2.4.6"), ("3.11.2", "2.4.0"), False, False),  # patch releases do not matter
    (("3.11.7", "2.4.6"), ("3.12.1", "2.4.6"), True, False),
    (("3.11.7", "2.4.6"), ("3.9.18", "2.4.6"), True, False),
    (("3.11.7", "2.4.6"), ("3.11.7", "2.3.5"), False, True),
    (("3.11.7", "2.4.6"), ("3.13.0", "1.26.4"), True, True),
    (("3.11.7", "2.4.6"), ("3.11.7", "2.4.0rc1"), False, False),
])
def test_drift_notes_name_each_minor_version_that_differs(grader, student, python, numpy):
    notes = drift_notes(Environment(*grader), Environment(*student))
    assert [n.startswith("You run Python") for n in notes].count(True) == python
    assert [n.startswith("You run numpy") for n in notes].count(True) == numpy
    if python:
        newer = [int(n) for n in student[0].split(".")] > [int(n) for n in grader[0].split(".")]
        assert ("fail on the grader" in notes[0]) == newer


def _newer_pythons() -> list[str]:
    """Interpreters newer than this one: python3.N on PATH, and pyenv's versions when PYENV_ROOT is set."""
    found = {shutil.which(f"python3.{minor}") for minor in range(sys.version_info[1] + 1, 20)}
    root = os.environ.get("PYENV_ROOT")
    if root:
        found |= set(glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3")))
    newer = []
    for path in sorted(p for p in found if p):
        out = subprocess.run([path, "-c", "import sys; print(sys.version_info[1])"], capture_output=True, text=True)
        if out.returncode == 0 and int(out.stdout) > sys.version_info[1]:
            newer.append(path)
    return newer


NEWER = _newer_pythons()


@pytest.mark.skipif(not NEWER, reason="no Python newer than this one is installed (python3.N on PATH or PYENV_ROOT)")
@pytest.mark.parametrize("python", NEWER)
def test_new_syntax_is_flagged_exactly_when_this_pythons_compiler_refuses_it(python):
    """On each newer interpreter, newer_syntax(target = this Python) flags a snippet exactly when this
    Python's own compiler refuses it (the oracle), for snippets the newer one accepts."""
    script = ("import importlib.util, json, sys\n"
              "spec = importlib.util.spec_from_file_location('v', sys.argv[1]); m = importlib.util.module_from_spec(spec)\n"
              "sys.modules['v'] = m; spec.loader.exec_module(m)\n"
              "snippets = json.loads(sys.stdin.read())\n"
              "target = tuple(int(n) for n in sys.argv[2].split('.'))\n"
              "print(json.dumps({k: m.newer_syntax(v, target, 'hw03.py') for k, v in snippets.items()}))\n")
    target = f"{sys.version_info[0]}.{sys.version_info[1]}"
    proc = subprocess.run([python, "-c", script, str(VERSIONS_PY), target], input=json.dumps(SNIPPETS),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    flagged = json.loads(proc.stdout)
    for name, source in SNIPPETS.items():
        try:
            compile(source, "hw03.py", "exec")
            refused = False
        except SyntaxError:
            refused = True
        assert bool(flagged[name]) == refused, (name, flagged[name])
        assert all(line.startswith("hw03.py, line ") for line in flagged[name])
    assert sum(bool(v) for v in flagged.values()) >= 6


def test_nothing_is_flagged_on_a_python_no_newer_than_the_target():
    assert all(newer_syntax(s, sys.version_info[:2], "x") == [] for s in SNIPPETS.values())
