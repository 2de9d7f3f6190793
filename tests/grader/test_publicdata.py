"""grader.publicdata: the self-check's data file round-trips the public cases, and refuses hidden ones."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from grader import codec
from grader.assignment import load_assignment, load_generators, load_reference
from grader.cases import build_cases
from grader.expected import expected_for
from grader.model import FuncSpec
from grader.publicdata import FILENAME, PublicDataError, decode_public, encode_public, read_public

ASSIGNMENT = load_assignment("hw03")


@pytest.fixture(scope="module")
def public():
    cases = build_cases(ASSIGNMENT, load_generators(ASSIGNMENT), 0, public_only=True)
    reference = load_reference(ASSIGNMENT)
    return cases, [expected_for(reference, c) for c in cases]


def test_round_trip_keeps_every_case_and_expected_value(public):
    cases, expected = public
    data = decode_public(encode_public("hw03", cases, expected))
    assert data.assignment == "hw03" and len(data.cases) == len(cases)
    for case, back in zip(cases, data.cases):
        assert (back.function, back.name, back.kind, back.weight, back.forbid_warnings, back.note, back.public) == \
               (case.function, case.name, case.kind, case.weight, case.forbid_warnings, case.note, True)
        # identical inputs: the same bytes on the wire
        assert codec.encode((back.args, back.kwargs), strict=True) == codec.encode((case.args, case.kwargs), strict=True)
    for exp, back in zip(expected, data.expected):
        assert back.raises == exp.raises and back.error == exp.error
        assert codec.encode(back.value, strict=True) == codec.encode(exp.value, strict=True)


def test_function_arguments_stay_data(public):
    cases, expected = public
    data = decode_public(encode_public("hw03", cases, expected))
    specs = [a for c in data.cases for a in c.args if isinstance(a, FuncSpec)]
    assert specs and all(isinstance(s.params, dict) for s in specs)


def test_exceptions_are_kept_as_expected_outcomes(public):
    cases, expected = public
    data = decode_public(encode_public("hw03", cases, expected))
    raising = [e for e in data.expected if e.raises]
    assert raising and all(e.raises[0] == "ValueError" for e in raising)


def test_a_hidden_case_is_refused(public):
    cases, expected = public
    hidden = replace(cases[0], public=False, name="random 01")
    with pytest.raises(PublicDataError, match="hidden"):
        encode_public("hw03", [hidden], [expected[0]])


def test_the_file_is_plain_json_without_code():
    text = (ASSIGNMENT.folder / FILENAME).read_text(encoding="ascii")
    tree = json.loads(text)  # codec JSON: containers tagged, arrays as base64 bytes
    assert tree["$"] == "dict" and tree["items"]["format"].startswith("dl-autograder public cases")
    assert "pickle" not in text and "__reduce__" not in text


@pytest.mark.parametrize("data, problem", [
    (b"not json", "damaged"),
    (b'{"format": "x"}', "damaged"),
    (codec.encode({"format": "dl-autograder public cases v1", "assignment": "hw03"}), "damaged"),
    (codec.encode({"format": "other", "assignment": "hw03", "cases": []}), "not a self-check data file"),
])
def test_damaged_files_say_so(data, problem):
    with pytest.raises(PublicDataError, match=problem):
        decode_public(data)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(PublicDataError, match="cannot read the self-check data"):
        read_public(tmp_path / FILENAME)


def test_expected_arrays_keep_dtype_and_shape(public):
    cases, expected = public
    data = decode_public(encode_public("hw03", cases, expected))
    for exp, back in zip(expected, data.expected):
        if isinstance(exp.value, np.ndarray):
            assert back.value.shape == exp.value.shape and back.value.dtype == exp.value.dtype
