"""The wire codec: exact round trips of every supported type, markers for the rest, strict decoding."""
from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from grader import codec
from grader.codec import Unsupported, WireError, decode, encode
from grader.model import FuncSpec


def roundtrip(value, **kwargs):
    return decode(encode(value, **kwargs))


@pytest.mark.parametrize("value", [None, True, False, 0, -7, 2**62, 10**40, 1.5, -0.0, 1e-310,
                                   "", "héllo ✓", "lone \ud800 surrogate", [], (), {},
                                   [1, "a", None], (1, (2, [3, (4,)])), {"a": [1, {"b": (2.0,)}]},
                                   {"$": "tuple", "items": []}])
def test_plain_values_round_trip_with_their_types(value):
    back = roundtrip(value)
    assert back == value
    assert repr(back) == repr(value)  # tuples stay tuples, lists stay lists, -0.0 keeps its sign


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_special_floats_round_trip(value):
    back = roundtrip(value)
    assert type(back) is float
    assert (math.isnan(back) and math.isnan(value)) or back == value


@pytest.mark.parametrize("array", [
    np.array([1.0, np.nan, np.inf, -np.inf, -0.0]),
    np.array(3.5), np.array(7, dtype=np.int8), np.zeros((0, 3)), np.zeros((2, 0), dtype=np.int32),
    np.array([[True, False]]), np.arange(12, dtype=np.uint16).reshape(3, 4),
    np.arange(6, dtype=np.int64).reshape(2, 3).T,  # not C-contiguous
    np.array([1.5, 2.5], dtype=np.float16), np.array([1.5], dtype=np.float32),
    np.array([2**63 + 1], dtype=np.uint64), np.array([1.0, 2.0], dtype=">f8"),  # big-endian input
])
def test_arrays_round_trip_exactly(array):
    back = roundtrip(array)
    assert type(back) is np.ndarray
    assert back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("<") or back.dtype == array.dtype
    assert back.tobytes() == np.ascontiguousarray(array, dtype=back.dtype).tobytes()
    assert back.flags.writeable and back.flags.c_contiguous and back.flags.owndata  # a student may resize it


def test_numpy_scalars_become_python_scalars():
    assert roundtrip([np.float32(1.5), np.int64(3), np.bool_(True), np.str_("s")]) == [1.5, 3, True, "s"]
    assert [type(v) for v in roundtrip((np.float64(2.0), np.uint8(1), np.bool_(False)))] == [float, int, bool]


def test_subclasses_lose_their_behaviour():
    class Matrix(np.ndarray):
        pass

    class Loud(float):
        def __repr__(self):
            raise RuntimeError("no")

    class Seq(list):
        def __iter__(self):
            raise RuntimeError("no")

    back = roundtrip([np.arange(3.0).view(Matrix), Loud(2.0), Seq([1, 2]), True])
    assert type(back[0]) is np.ndarray and back[1:] == [2.0, [1, 2], True]
    assert type(back[1]) is float and type(back[2]) is list


def test_funcspec_round_trips_or_is_built():
    spec = FuncSpec("affine", {"A": np.eye(2), "c": [1.0, 2.0]})
    back = roundtrip(spec)
    assert isinstance(back, FuncSpec) and back.name == "affine"
    assert np.array_equal(back.params["A"], np.eye(2)) and back.params["c"] == [1.0, 2.0]
    built = decode(encode([spec]), build_func=lambda s: ("built", s.name))
    assert built == [("built", "affine")]


def test_build_failures_are_wire_errors():
    def broken(spec):
        raise KeyError(spec.name)

    with pytest.raises(WireError, match="could not build test function 'nope'"):
        decode(encode(FuncSpec("nope")), build_func=broken)


def test_unsupported_values_become_markers():
    class Liar:
        def __repr__(self):
            raise ValueError("no repr for you")

        def __array__(self, *args, **kwargs):
            raise RuntimeError("lie")

        def __float__(self):
            return 1.0

        def __eq__(self, other):
            return True

    back = roundtrip([1 + 2j, Liar(), np.array([1j]), {1: 2}, object, b"raw", 10**5000])
    assert all(type(v) is Unsupported for v in back)
    assert back[0] == Unsupported("complex", "(1+2j)")
    assert back[1].type_name.endswith("Liar") and "repr() raised ValueError" in back[1].text
    assert "complex128" in back[2].text and "int key" in back[3].text
    assert "bits" in back[6].text
    assert roundtrip(Unsupported("x", "y")) == Unsupported("x", "y")


def test_object_arrays_are_converted_to_float_when_possible():
    class Bad:
        def __float__(self):
            raise ValueError("not a number")

    assert np.array_equal(roundtrip(np.array([1, 2.5], dtype=object)), [1.0, 2.5])
    assert type(roundtrip(np.array([Bad()], dtype=object))) is Unsupported


def test_self_referencing_and_deep_structures_terminate():
    loop = [1]
    loop.append(loop)
    loop.append(loop)
    back = roundtrip(loop)
    assert back[0] == 1 and type(back[1]) is Unsupported and "contains itself" in back[1].text
    deep: list = []
    for _ in range(200):
        deep = [deep]
    node = roundtrip(deep)
    for _ in range(codec.MAX_DEPTH):
        node = node[0]
    assert type(node) is Unsupported and "nested deeper" in node.text


def test_strict_mode_refuses_instead_of_marking():
    with pytest.raises(WireError, match="complex"):
        encode([1j], strict=True)
    with pytest.raises(WireError):
        encode({(1, 2): 3}, strict=True)


def test_size_limits():
    with pytest.raises(WireError, match="too large"):
        encode(np.zeros(1000), max_bytes=1000)
    shared = [list(range(1000))] * 1000  # a million elements through sharing
    with pytest.raises(WireError, match="too large"):
        encode([shared] * 10)
    data = encode(list(range(100)))
    with pytest.raises(WireError, match="exceeds the limit"):
        decode(data, max_bytes=len(data) - 1)


def _nd(**fields):
    node = {"$": "nd", "dtype": "<f8", "shape": [2], "data": base64.b64encode(bytes(16)).decode()}
    node.update(fields)
    return json.dumps(node).encode()


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe", "not valid wire JSON"),
    (b"{not json", "not valid wire JSON"),
    (b'{"a": 1}', "unknown or missing tag"),
    (b'{"$": "pickle", "items": []}', "unknown or missing tag"),
    (b'{"$": "tuple", "items": [], "extra": 1}', "has fields"),
    (b'{"$": "tuple", "items": {}}', "must be list"),
    (b'{"$": "func", "name": "f", "params": [1]}', "params must be a dict"),
    (_nd(dtype="|O"), "not allowed"),
    (_nd(dtype="<c16"), "not allowed"),
    (_nd(shape=[3]), "needs 24 bytes, got 16"),
    (_nd(shape=[-2]), "bad array shape"),
    (_nd(shape=[2.0]), "bad array shape"),
    (_nd(data="***"), "bad base64"),
    (b"[" * 100000 + b"]" * 100000, "nested deeper|not valid wire JSON"),
    (b"1" * 5000, "not valid wire JSON"),
])
def test_decode_rejects_malformed_input(data, message):
    with pytest.raises(WireError, match=message):
        decode(data)


def test_decode_wants_bytes():
    with pytest.raises(WireError, match="expected bytes"):
        decode("[]")  # type: ignore[arg-type]
    assert issubclass(WireError, ValueError)


def test_trees_embed_in_larger_documents_and_parse_is_strict():
    value = (np.arange(6.0).reshape(2, 3), [1, "a", None], {"k": (2.5,)})
    record = {"type": "result", "value": codec.encode_tree(value)}
    parsed = codec.parse(codec.dumps(record).encode("ascii"))
    back = codec.decode_tree(parsed["value"])
    assert repr(back) == repr(decode(encode(value)))  # the same value as the whole-document codec gives
    assert codec.dumps(codec.encode_tree(value)).encode() == encode(value)
    for data, message in [(b'{"a": 1} x', "not valid wire JSON"), (b"", "not valid wire JSON"),
                          (b'{"a": NaN}x', "not valid wire JSON")]:
        with pytest.raises(WireError, match=message):
            codec.parse(data)
    with pytest.raises(WireError, match="exceeds the limit"):
        codec.parse(b"[1, 2]", max_bytes=3)


@pytest.mark.parametrize("value", [
    ((np.arange(6.0).reshape(2, 3), [1, -2**70, "s", None, True]), {"lr": 0.5, "n": 3}),
    ([(np.zeros((0, 2)), np.array([1.0], dtype=">f8"))], {}),  # big-endian: the full encoder's byte swap
    ((np.array(2.5), np.int64(4), 1e308, -0.0), {"f": FuncSpec("affine", {"A": np.eye(2)})}),
    ({"k": [np.array([True, False]), np.arange(3, dtype=np.uint8)]},),
])
def test_the_quick_strict_pass_writes_what_the_full_encoder_writes(value):
    full = codec.dumps(codec._Encoder(True, codec.MAX_BYTES).tree(value, 0)).encode("ascii")
    assert encode(value, strict=True) == full


@pytest.mark.parametrize("value", [
    ((np.arange(6.0).reshape(2, 3), [1, "s", None, True]), {"lr": 0.5, "t": (1, 2)}),
    ((np.zeros((0, 2)), np.array(3.5), np.arange(4, dtype=np.int8)), {}),  # empty and 0-d arrays
    ((FuncSpec("affine", {"A": np.eye(2)}), 2.0), {}),  # a function spec: the full decoder's path
])
def test_trusted_decoding_gives_what_full_decoding_gives(value):
    data = encode(value, strict=True)
    quick, full = codec.decode_trusted(data), decode(data)
    assert repr(quick) == repr(full)
    assert [type(a) for a in quick[0]] == [type(a) for a in full[0]]
    arrays = [a for a in quick[0] if isinstance(a, np.ndarray)]
    assert all(a.flags.writeable and a.flags.owndata for a in arrays)


@pytest.mark.parametrize("wrap", ["list", "tuple"])
def test_decode_depth_limit_is_exact_for_scalars_inside_lists_and_tuples(wrap):
    """Scalars inside a list or tuple are passed through without a call per item; the depth limit
    must still fall exactly where it did: a scalar deeper than MAX_DEPTH + 2 levels is refused."""
    def nested(levels: int) -> bytes:
        node: object = 1.5
        for _ in range(levels):
            node = [node] if wrap == "list" else {codec.TAG: "tuple", "items": [node]}
        return json.dumps(node).encode()

    ok, too_deep = codec.MAX_DEPTH + 2, codec.MAX_DEPTH + 3
    back = decode(nested(ok))
    for _ in range(ok):
        assert type(back) is (list if wrap == "list" else tuple) and len(back) == 1
        back = back[0]
    assert back == 1.5
    with pytest.raises(WireError, match="nested deeper"):
        decode(nested(too_deep))


def test_decode_of_mixed_items_matches_item_by_item_decoding():
    items = [1.5, 2, "s", True, None, [0.5, [1]], {codec.TAG: "tuple", "items": [3.0, None]}]
    tree = {codec.TAG: "tuple", "items": items}
    back = codec.decode_tree(tree)
    assert back == tuple(codec.decode_tree(item) for item in items)
    assert [type(x) for x in back] == [float, int, str, bool, type(None), list, tuple]
    assert codec.decode_tree(items) == list(back)


def test_long_doubles_are_rounded_to_float64_as_the_comparison_would_see_them():
    """A student computing in np.longdouble returns a right answer: it crosses the wire as float64."""
    assert codec.decode(codec.encode(np.longdouble(1) / 3)) == 1 / 3
    back = codec.decode(codec.encode(np.array([[1.5], [1e-300]], dtype=np.longdouble)))
    assert back.dtype == np.float64 and back.shape == (2, 1) and back.tolist() == [[1.5], [1e-300]]
    assert codec.decode(codec.encode(np.array(2.0, dtype=np.longdouble))).shape == ()
    assert type(codec.decode(codec.encode(np.clongdouble(1 + 2j)))) is codec.Unsupported  # complex stays refused
