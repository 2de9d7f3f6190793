"""Regrades give the same cases: hw03's cases hash as they did when the fixture was written (first at
commit 4ccd855, before the case generators were made faster; rewritten when the mutation campaign
strengthened the cases, docs/readme/mutation.md; and when backward's inputs and the canonical form were made
machine-independent, issue 12), for 30 students under 3 seeds."""
import json
import struct
import sys

import numpy as np
import pytest

from grader.model import Case, FuncSpec

from case_fingerprint import FIXTURE, canonical, case_text, fingerprints


def test_random_cases_are_exactly_those_of_the_fixture():
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    recorded.pop("_how")
    now = fingerprints()
    assert sorted(now) == sorted(recorded)
    changed = [key for key in recorded if now[key] != recorded[key]]
    assert changed == [], f"these cases changed (regrades would differ from earlier results): {changed[:5]}"


@pytest.mark.parametrize("a, b", [
    (1.0, np.float64(1.0)),  # type
    (0.0, -0.0),  # sign bit
    (0.1, 0.1 + 2**-56),  # last bit
    (1, 1.0),
    (np.zeros(3), np.zeros(3, dtype=np.float32)),  # dtype
    (np.zeros(3), np.zeros((3, 1))),  # shape
    (np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6.0).reshape(2, 3))),  # same values, other strides
    (np.arange(4.0)[::2], np.array([0.0, 2.0])),  # a strided view
    ([np.zeros(2)], (np.zeros(2),)),  # list vs tuple
    ({"theta": 1.0}, {}),
    (FuncSpec("affine", {"A": np.eye(2)}), FuncSpec("affine", {"A": np.eye(2) * 2})),
])
def test_canonical_form_tells_apart_what_a_case_must_keep(a, b):
    assert canonical(a) != canonical(b)
    assert canonical(a) == canonical(a)


def test_case_text_covers_every_field():
    base = Case("relu", "random 01", "random", (np.ones(2),))
    for field, value in [("function", "relu_grad"), ("name", "random 02"), ("kind", "edge"), ("args", (np.ones(3),)),
                         ("kwargs", {"alpha": 0.1}), ("weight", 2.0), ("public", True), ("forbid_warnings", True),
                         ("note", "n")]:
        assert case_text(base) != case_text(Case(**{**base.__dict__, field: value})), field


def test_canonical_form_is_the_same_on_every_machine():
    """Little-endian bytes spelled out by struct, no byte-order character, no numpy repr (numpy 2 changed it)."""
    text = canonical(np.array([1.0, -2.5]))
    assert text == "ndarray<f8,(2,),(8,),True>" + struct.pack("<2d", 1.0, -2.5).hex()
    assert canonical(np.array([[1, 2]])) == "ndarray<i8,(1, 2),(16, 8),True>" + struct.pack("<2q", 1, 2).hex()
    assert canonical(np.float64(0.5)) == "float64:" + struct.pack("<d", 0.5).hex()
    assert canonical(0.5) == "float:" + struct.pack("<d", 0.5).hex()
    assert canonical(np.int64(3)) == "np.int64:3" and canonical(3) == "int:3"
    assert canonical(np.True_) == "np.bool:True" and canonical(True) == "bool:True"


@pytest.mark.parametrize("value", [np.array([1.0], dtype=">f8" if sys.byteorder == "little" else "<f8"),
                                   np.array([object()]), {1, 2}])
def test_canonical_form_refuses_what_it_cannot_spell_the_same_everywhere(value):
    with pytest.raises(TypeError, match="no canonical form"):
        canonical(value)
