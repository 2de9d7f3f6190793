"""The wire format's vocabulary: limits, tags, allowed dtypes, markers, and a patch-proof C JSON writer/reader."""
from __future__ import annotations

import binascii
import json
import json.encoder
import json.scanner
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.caps import TYPE_NAME_MAX  # a class's name is the student's to choose, of any length


MAX_BYTES = 16 * 2**20  # default size cap of one encoded value
MAX_DEPTH = 50  # nesting levels of lists/tuples/dicts
MAX_NODES = 2_000_000  # values visited by one encode; bounds time on shared sub-structures
MAX_INT_BITS = 8192  # JSON ints past ~4300 digits are refused by Python itself
TEXT_LIMIT = 200  # characters of repr kept in an Unsupported marker
TAG = "$"

_ARRAY_DTYPES: dict[str, np.dtype] = {
    d.str: d
    for d in (
        np.dtype(name).newbyteorder("<")
        for name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                     "uint64", "float16", "float32", "float64")
    )
}
_TAG_KEYS = {
    "tuple": {TAG, "items"},
    "dict": {TAG, "items"},
    "nd": {TAG, "dtype", "shape", "data"},
    "func": {TAG, "name", "params"},
    "unsupported": {TAG, "type", "text"},
}
_NUMPY_SCALARS = frozenset(t for t in np.sctypeDict.values() if np.dtype(t).kind in "biufU")

# Private references, bound at import (before any student code): the encoder runs in the student's
# process right after student code, which may have replaced builtins or attributes of json, base64
# or numpy. Module globals are looked up before builtins, so these aliases are what the code uses.
_type, _len, _id, _issubclass, _int, _float, _str, _bool = type, len, id, issubclass, int, float, str, bool
_list, _tuple, _dict, _set, _slice = list, tuple, dict, set, slice
_repr, _BaseException, _ValueError = repr, BaseException, ValueError
_TYPE_MODULE, _TYPE_QUALNAME = type.__dict__["__module__"], type.__dict__["__qualname__"]
_join = "".join
_b2a = binascii.b2a_base64  # C functions: base64 without the base64 module's Python layer
_a2b = binascii.a2b_base64
_frombuffer = np.frombuffer
_zeros = np.zeros
_ndarray = np.ndarray
_float64 = np.float64
_view = np.ndarray.view
_LITTLE = {dtype: dtype.str for dtype in _ARRAY_DTYPES.values()}  # dtypes sent as they are (no byte swap)


def _no_default(obj: Any) -> Any:
    raise TypeError(f"not JSON-ready: {type(obj).__name__}")


def _make_dumps() -> Callable[[Any], str]:
    """A JSON writer for trees made of dict/list/str/int/float/bool/None: the C encoder when present."""
    make = json.encoder.c_make_encoder
    if make is None:  # CPython always has it; other interpreters get the pure-Python encoder
        return json.JSONEncoder(ensure_ascii=True, allow_nan=True, separators=(",", ":"),
                                check_circular=False, default=_no_default).encode
    c_encode = make(None, _no_default, json.encoder.encode_basestring_ascii, None, ":", ",",
                    False, False, True)
    return lambda tree: _join(c_encode(tree, 0))


def _make_loads() -> Callable[[str], Any]:
    """A strict JSON reader: the C scanner when present, refusing trailing data."""
    decoder = json.JSONDecoder()
    scan = json.scanner.c_make_scanner(decoder) if json.scanner.c_make_scanner else None
    if scan is None:
        return decoder.decode

    def loads(text: str) -> Any:
        try:
            value, end = scan(text, 0)
        except StopIteration:
            raise _ValueError("not a JSON document") from None
        if end != _len(text):
            raise _ValueError(f"extra data at character {end}")
        return value
    return loads


dumps = _make_dumps()
loads = _make_loads()


class WireError(ValueError):
    """Data that cannot be put on, or taken off, the wire."""


@dataclass(frozen=True)
class Unsupported:
    """Stands for a value the wire cannot carry: its type name and a truncated, safe repr."""

    type_name: str
    text: str


def safe_repr(obj: Any, limit: int = TEXT_LIMIT) -> str:
    """repr(obj) truncated to `limit` characters; never raises (student __repr__ may)."""
    try:
        text = _repr(obj)
        text = _str.__str__(text) if _type(text) is not _str else text
    except _BaseException as exc:  # noqa: BLE001 - student code may raise anything
        try:
            text = f"<repr() raised {type_name(exc)}>"
        except _BaseException:  # noqa: BLE001
            text = "<repr() failed>"
    return text if _len(text) <= limit else text[: limit - 3] + "..."


def type_name(obj: Any) -> str:
    """The qualified name of obj's type, without running student code."""
    cls = _type(obj)
    try:
        module = _TYPE_MODULE.__get__(cls)
        name = _TYPE_QUALNAME.__get__(cls)
    except _BaseException:  # noqa: BLE001
        return "object"
    module = module if _type(module) is _str else ""
    name = name if _type(name) is _str else "object"
    name = name if module in ("builtins", "") else f"{module}.{name}"
    return name if _len(name) <= TYPE_NAME_MAX else f"{name[:TYPE_NAME_MAX - 30]}... [{_len(name)} characters]"


class _Slow(Exception):
    """Raised by a quick pass (see grader.codec) for anything that needs the full, checking path."""

