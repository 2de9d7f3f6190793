"""Plain-data wire format between the grader and the student process: tagged JSON, arrays as base64."""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.model import FuncSpec

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

# Private references: student code may monkeypatch module attributes; these stay intact.
_json_encode = json.JSONEncoder(ensure_ascii=True, allow_nan=True, separators=(",", ":"),
                                check_circular=False).encode
_json_loads = json.loads
_b64encode = base64.b64encode
_b64decode = base64.b64decode
_frombuffer = np.frombuffer
_zeros = np.zeros
_ndarray = np.ndarray
_float64 = np.float64


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
        text = repr(obj)
        text = str.__str__(text) if type(text) is not str else text
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        try:
            text = f"<repr() raised {type(exc).__name__}>"
        except BaseException:  # noqa: BLE001
            text = "<repr() failed>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def type_name(obj: Any) -> str:
    """The qualified name of obj's type, without running student code."""
    cls = type(obj)
    try:
        module = type.__dict__["__module__"].__get__(cls)
        name = type.__dict__["__qualname__"].__get__(cls)
    except BaseException:  # noqa: BLE001
        return "object"
    module = module if type(module) is str else ""
    return name if module in ("builtins", "") else f"{module}.{name}"


class _Encoder:
    """One encode pass: turns a value into a JSON-ready tree, counting size and nodes."""

    def __init__(self, strict: bool, max_bytes: int) -> None:
        self.strict = strict
        self.max_bytes = max_bytes
        self.size = 0
        self.nodes = 0
        self.path: set[int] = set()  # ids of containers being encoded (cycle detection)

    def unsupported(self, obj: Any, why: str = "") -> dict[str, Any]:
        name = type_name(obj)
        if self.strict:
            raise WireError(f"cannot encode a value of type {name}{': ' + why if why else ''}")
        text = why or safe_repr(obj)
        self.size += len(name) + len(text) + 40
        return {TAG: "unsupported", "type": name, "text": text}

    def tree(self, obj: Any, depth: int) -> Any:
        self.nodes += 1
        self.size += 8
        if self.nodes > MAX_NODES or self.size > self.max_bytes:
            raise WireError(f"value too large to encode (over {self.max_bytes} bytes "
                            f"or {MAX_NODES} elements)")
        cls = type(obj)
        if obj is None or cls is bool or cls is float:
            return obj
        if cls is int:
            return obj if obj.bit_length() <= MAX_INT_BITS else self.unsupported(
                obj, f"an integer of {obj.bit_length()} bits (too large to send)")
        if cls is str:
            self.size += len(obj)
            return obj
        if cls in _NUMPY_SCALARS:
            value = obj.item()
            if type(value) in (bool, int, float, str):
                return self.tree(value, depth)
            return self.unsupported(obj)
        if issubclass(cls, _ndarray):
            return self.array(obj)
        if cls is FuncSpec:
            return {TAG: "func", "name": self.tree(obj.name, depth + 1),
                    "params": self.tree(obj.params, depth + 1)}
        if cls is Unsupported:
            return {TAG: "unsupported", "type": str(obj.type_name), "text": str(obj.text)}
        if issubclass(cls, (list, tuple, dict)):
            return self.container(obj, cls, depth)
        if issubclass(cls, int) and not issubclass(cls, bool):  # int subclasses (not numpy)
            return self.tree(int.__int__(obj), depth)
        if issubclass(cls, float):
            return float.__float__(obj)
        if issubclass(cls, str):
            return self.tree(str.__str__(obj), depth)
        return self.unsupported(obj)

    def container(self, obj: Any, cls: type, depth: int) -> Any:
        if depth >= MAX_DEPTH:
            return self.unsupported(obj, f"nested deeper than {MAX_DEPTH} levels")
        key = id(obj)
        if key in self.path:
            return self.unsupported(obj, "a container that contains itself")
        self.path.add(key)
        try:
            if issubclass(cls, dict):
                items = {}
                for k, v in list(dict.items(obj)):
                    if not issubclass(type(k), str):
                        return self.unsupported(obj, f"a dict with a {type_name(k)} key")
                    k = str.__str__(k)
                    self.size += len(k) + 4
                    items[k] = self.tree(v, depth + 1)
                return {TAG: "dict", "items": items}
            if issubclass(cls, tuple):
                elements = tuple.__getitem__(obj, slice(None))
                return {TAG: "tuple", "items": [self.tree(x, depth + 1) for x in elements]}
            return [self.tree(x, depth + 1) for x in list.copy(obj)]
        finally:
            self.path.discard(key)

    def array(self, obj: Any) -> Any:
        arr = _ndarray.view(obj, _ndarray)
        if arr.dtype.kind == "O":
            try:
                arr = arr.astype(_float64)
            except BaseException:  # noqa: BLE001 - element __float__ is student code
                return self.unsupported(obj, f"an object array of shape {arr.shape} "
                                             "whose elements are not all numbers")
        dtype = arr.dtype
        plain = dtype.fields is None and dtype.subdtype is None
        little = dtype.newbyteorder("<") if plain else dtype
        if not plain or little.str not in _ARRAY_DTYPES:
            return self.unsupported(obj, f"an array of dtype {dtype} and shape {arr.shape}")
        self.size += arr.size * dtype.itemsize * 4 // 3 + 64
        if self.size > self.max_bytes:
            raise WireError(f"value too large to encode (over {self.max_bytes} bytes)")
        raw = arr.astype(little.str, copy=False).tobytes()
        return {TAG: "nd", "dtype": little.str, "shape": [int(n) for n in arr.shape],
                "data": _b64encode(raw).decode("ascii")}


def encode(obj: Any, *, strict: bool = False, max_bytes: int = MAX_BYTES) -> bytes:
    """Encode plain data as UTF-8 JSON bytes.

    Values the wire cannot carry become `Unsupported` markers, or raise `WireError` when
    `strict` (use strict for data the grader itself sends). Raises `WireError` when the
    encoding would exceed `max_bytes`.
    """
    tree = _Encoder(strict, max_bytes).tree(obj, 0)
    data = _json_encode(tree).encode("ascii")
    if len(data) > max_bytes:
        raise WireError(f"value too large to encode ({len(data)} bytes, limit {max_bytes})")
    return data


def decode(data: bytes, *, build_func: Callable[[FuncSpec], Any] | None = None,
           max_bytes: int = MAX_BYTES) -> Any:
    """Decode bytes made by `encode`; strict: anything unexpected raises `WireError`.

    Never executes anything from the data. FuncSpec values go through `build_func` when
    given (the student side turns them into callables), else stay FuncSpec.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError(f"expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise WireError(f"encoded value of {len(data)} bytes exceeds the limit of {max_bytes}")
    try:
        tree = _json_loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"not valid wire JSON: {exc}") from None
    return _Decoder(build_func).value(tree, 0)


class _Decoder:
    """Turns a parsed JSON tree back into values, checking every tag and field."""

    def __init__(self, build_func: Callable[[FuncSpec], Any] | None) -> None:
        self.build_func = build_func

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH + 2:
            raise WireError(f"data nested deeper than {MAX_DEPTH} levels")
        cls = type(node)
        if node is None or cls in (bool, int, float, str):
            return node
        if cls is list:
            return [self.value(x, depth + 1) for x in node]
        if cls is not dict:
            raise WireError(f"unexpected JSON value of type {cls.__name__}")
        tag = node.get(TAG)
        if type(tag) is not str or tag not in _TAG_KEYS:
            raise WireError(f"unknown or missing tag {tag!r:.40}")
        if set(node) != _TAG_KEYS[tag]:
            raise WireError(f"tag {tag!r} has fields {sorted(node)!r:.200}, "
                            f"expected {sorted(_TAG_KEYS[tag])}")
        if tag == "tuple":
            return tuple(self.value(x, depth + 1) for x in self.typed(node, "items", list))
        if tag == "dict":
            return {k: self.value(v, depth + 1) for k, v in self.typed(node, "items", dict).items()}
        if tag == "nd":
            return self.array(node)
        if tag == "func":
            params = self.value(node["params"], depth + 1)
            if type(params) is not dict:
                raise WireError("function spec params must be a dict")
            spec = FuncSpec(self.typed(node, "name", str), params)
            if self.build_func is None:
                return spec
            try:
                return self.build_func(spec)
            except Exception as exc:  # noqa: BLE001 - reported as a wire problem
                raise WireError(f"could not build test function {spec.name!r}: "
                                f"{type(exc).__name__}: {exc}") from None
        return Unsupported(self.typed(node, "type", str), self.typed(node, "text", str))

    @staticmethod
    def typed(node: dict[str, Any], key: str, cls: type) -> Any:
        value = node[key]
        if type(value) is not cls:
            raise WireError(f"field {key!r} must be {cls.__name__}, got {type(value).__name__}")
        return value

    def array(self, node: dict[str, Any]) -> np.ndarray:
        dtype = _ARRAY_DTYPES.get(self.typed(node, "dtype", str))
        if dtype is None:
            raise WireError(f"array dtype {node['dtype']!r:.40} is not allowed")
        shape = self.typed(node, "shape", list)
        if len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
            raise WireError(f"bad array shape {shape!r:.100}")
        try:
            raw = _b64decode(self.typed(node, "data", str), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WireError(f"bad base64 array data: {exc}") from None
        count = 1
        for n in shape:
            count *= n
        if count * dtype.itemsize != len(raw):
            raise WireError(f"array of shape {tuple(shape)} and dtype {dtype.str} needs "
                            f"{count * dtype.itemsize} bytes, got {len(raw)}")
        if count == 0:
            return _zeros(shape, dtype=dtype)
        return _frombuffer(raw, dtype=dtype).reshape(shape).copy()
