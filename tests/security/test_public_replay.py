"""Public data alone earns (almost) nothing: a submission that answers the bundle's public cases from a
table built out of public.json passes the self-check, but its grade comes from the hidden cases, and
public cases count only as far as the hidden cases of the same function pass (grader/score.py)."""
from __future__ import annotations

import base64
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.assignment import load_assignment
from grader.model import FuncSpec
from grader.pipeline import GradeOptions, grade_class
from grader.publicdata import FILENAME, read_public
from grader.sandbox.runner import Limits
from grader.selfcheck import run_selfcheck

HW03 = load_assignment("hw03")
PUBLIC = read_public(HW03.folder / FILENAME)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"

# The attacker's lookup: a key made of the arguments' types, shapes and bytes (a FuncSpec argument, which
# arrives as a function, is left out of the key); the answer, or the exception to raise.
KEY = '''
import numpy as np

def _key(value):
    if isinstance(value, np.ndarray):
        return ("a", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_key(v) for v in value)
    if isinstance(value, dict):
        return ("d",) + tuple(sorted((k, _key(v)) for k, v in value.items()))
    if callable(value):
        return ("f",)
    return ("v", repr(value))
'''
REPLAY = KEY + '''
import base64, pickle
TABLE = pickle.loads(base64.b64decode({table!r}))


def _make(name):
    def answer(*args, **kwargs):
        found = TABLE[name].get((_key(args), _key(kwargs)))
        if found is None:
            return {fallback}
        kind, value = found
        if kind == "raise":
            raise {{"ValueError": ValueError, "TypeError": TypeError}}.get(value, ValueError)("as the reference")
        return value
    answer.__name__ = name
    return answer


for _name in TABLE:
    globals()[_name] = _make(_name)
'''
FALLBACKS = {
    "zeros": "np.zeros(1)",  # a constant for anything not in the table
    "first public answer": "next((v for k, v in TABLE[name].values() if k == 'value'), None)",
    "first argument": "args[0] if args else None",  # the identity: right where f(x) = x happens to hold
}


def _as_sent(value: object) -> object:
    """The value as the student's function receives it, as far as the key can tell (a FuncSpec becomes a function)."""
    if isinstance(value, FuncSpec):
        return print
    if isinstance(value, (list, tuple)):
        return type(value)(_as_sent(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_sent(v) for k, v in value.items()}
    return value


def _offline_key(value: object) -> object:
    """The attacker's _key, run here on the public data."""
    namespace: dict[str, object] = {}
    exec(KEY, namespace)  # noqa: S102 - the test's own text
    return namespace["_key"](_as_sent(value))  # type: ignore[operator]


def replay_source(fallback: str) -> str:
    table: dict[str, dict[object, tuple[str, object]]] = {}
    for case, expected in zip(PUBLIC.cases, PUBLIC.expected):
        key = (_offline_key(tuple(case.args)), _offline_key(dict(case.kwargs)))
        answer = ("raise", expected.raises[0]) if expected.raises else ("value", expected.value)
        table.setdefault(case.function, {})[key] = answer
    blob = base64.b64encode(pickle.dumps(table)).decode()
    return REPLAY.format(table=blob, fallback=fallback)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("replay")
    for label, fallback in FALLBACKS.items():
        (root / f"replay_{label.replace(' ', '_')}.py").write_text(replay_source(fallback))
    shutil.copy(FIXTURES / "passes_all.py", root / "honest.py")
    run = grade_class(GradeOptions(submissions=root, out=tmp_path_factory.mktemp("out"), timeout=5.0,
                                   memory_mb=1024, jobs=2, executor="local"))
    return {r.student: r for r in run.results}


@pytest.mark.parametrize("label", FALLBACKS)
def test_a_table_of_the_public_answers_scores_at_most_5_percent(graded, label):
    result = graded[f"replay_{label.replace(' ', '_')}"]
    assert result.status == "graded", result.message
    public = [c for c in result.checks if c.public]
    assert public and all(c.passed for c in public)  # every public case answered right...
    assert result.percent <= 5.0, result.percent  # ...and almost nothing earned
    assert graded["honest"].percent == pytest.approx(100.0)


def test_the_self_check_cannot_tell_a_table_from_a_solution(tmp_path):
    """What the rule is for: the public cases are all the self-check sees, so a table passes it."""
    path = tmp_path / "hw03.py"
    path.write_text(replay_source(FALLBACKS["zeros"]))
    result = run_selfcheck(path, HW03, PUBLIC, Limits(timeout=5.0, memory_mb=1024))
    assert result.passed, [c.message for c in result.checks if not c.passed][:3]


def test_np_is_the_only_import_the_table_needs():
    assert "import numpy as np" in replay_source("None") and np.__name__ == "numpy"
