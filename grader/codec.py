"""Plain-data wire format between the grader and the student process: tagged JSON, arrays as base64.

The vocabulary (limits, tags, dtypes, markers, the JSON writer/reader) is in grader.wire; this module
encodes and decodes values. Its names are re-exported here for callers."""
from __future__ import annotations

import binascii
from typing import Any, Callable

import numpy as np

from grader.caps import MARKER_TEXT_MAX, TYPE_NAME_MAX, clip
from grader.model import FuncSpec
from grader.wire import (MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_INT_BITS, TAG, _ARRAY_DTYPES, _TAG_KEYS,
                         _NUMPY_SCALARS, _type, _len, _id, _issubclass, _int, _float, _str, _bool, _list, _tuple,
                         _dict, _set, _slice, _BaseException, _a2b, _b2a, _frombuffer, _zeros, _ndarray, _float64,
                         _view, _LITTLE, dumps, loads, WireError, Unsupported, safe_repr, type_name, _Slow)

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "TAG", "Unsupported", "WireError", "decode", "decode_trusted",
           "decode_tree", "dumps", "encode", "encode_tree", "loads", "parse", "safe_repr", "type_name"]


class _Encoder:
    """One encode pass: turns a value into a JSON-ready tree, counting size and nodes."""

    def __init__(self, strict: bool, max_bytes: int) -> None:
        self.strict = strict
        self.max_bytes = max_bytes
        self.size = 0
        self.nodes = 0
        self.path: set[int] = _set()  # ids of containers being encoded (cycle detection)

    def unsupported(self, obj: Any, why: str = "") -> dict[str, Any]:
        name = type_name(obj)
        if self.strict:
            raise WireError(f"cannot encode a value of type {name}{': ' + why if why else ''}")
        text = why or safe_repr(obj)
        self.size += _len(name) + _len(text) + 40
        return {TAG: "unsupported", "type": name, "text": text}

    def tree(self, obj: Any, depth: int) -> Any:
        self.nodes += 1
        self.size += 8
        if self.nodes > MAX_NODES or self.size > self.max_bytes:
            raise WireError(f"value too large to encode (over {self.max_bytes} bytes "
                            f"or {MAX_NODES} elements)")
        cls = _type(obj)
        if cls is _float or obj is None or cls is _bool:
            return obj
        if cls is _ndarray:
            return self.array(obj)
        if cls is _int:
            return obj if obj.bit_length() <= MAX_INT_BITS else self.unsupported(
                obj, f"an integer of {obj.bit_length()} bits (too large to send)")
        if cls is _str:
            self.size += _len(obj)
            return obj
        if cls is _tuple and depth < MAX_DEPTH:  # immutable: cannot contain itself but through a list or dict
            tree, below = self.tree, depth + 1
            return {TAG: "tuple", "items": [tree(x, below) for x in obj]}
        if cls is _list or cls is _tuple or cls is _dict:
            return self.container(obj, cls, depth)
        if cls in _NUMPY_SCALARS:
            value = obj.item()
            if _type(value) in (_bool, _int, _float, _str):
                return self.tree(value, depth)
            if obj.dtype.kind == "f":  # long double: rounded to float64, as the comparison would see it
                return _float(obj)
            return self.unsupported(obj)
        if _issubclass(cls, _ndarray):
            return self.array(_view(obj, _ndarray))
        if cls is FuncSpec:
            return {TAG: "func", "name": self.tree(obj.name, depth + 1),
                    "params": self.tree(obj.params, depth + 1)}
        if cls is Unsupported:
            return {TAG: "unsupported", "type": _str(obj.type_name), "text": _str(obj.text)}
        if _issubclass(cls, (_list, _tuple, _dict)):
            return self.container(obj, cls, depth)
        if _issubclass(cls, _int) and not _issubclass(cls, _bool):  # int subclasses (not numpy)
            return self.tree(_int.__int__(obj), depth)
        if _issubclass(cls, _float):
            return _float.__float__(obj)
        if _issubclass(cls, _str):
            return self.tree(_str.__str__(obj), depth)
        return self.unsupported(obj)

    def container(self, obj: Any, cls: type, depth: int) -> Any:
        if depth >= MAX_DEPTH:
            return self.unsupported(obj, f"nested deeper than {MAX_DEPTH} levels")
        key = _id(obj)
        if key in self.path:
            return self.unsupported(obj, "a container that contains itself")
        self.path.add(key)
        try:
            tree, below = self.tree, depth + 1
            if _issubclass(cls, _dict):
                items = {}
                for k, v in _list(_dict.items(obj)):
                    if not _issubclass(_type(k), _str):
                        return self.unsupported(obj, f"a dict with a {type_name(k)} key")
                    k = _str.__str__(k)
                    self.size += _len(k) + 4
                    items[k] = tree(v, below)
                return {TAG: "dict", "items": items}
            if _issubclass(cls, _tuple):
                elements = _tuple.__getitem__(obj, _slice(None))
                return {TAG: "tuple", "items": [tree(x, below) for x in elements]}
            return [tree(x, below) for x in _list.copy(obj)]
        finally:
            self.path.discard(key)

    def array(self, arr: np.ndarray) -> Any:
        """An exact ndarray (subclasses are viewed as ndarray by the caller)."""
        dtype = arr.dtype
        wire = _LITTLE.get(dtype)
        if wire is None:
            if dtype.kind == "f" and dtype.itemsize > 8:  # long double: rounded to float64
                return self.array(arr.astype(_float64))
            if dtype.kind == "O":
                try:
                    return self.array(arr.astype(_float64))
                except _BaseException:  # noqa: BLE001 - element __float__ is student code
                    return self.unsupported(arr, f"an object array of shape {arr.shape} "
                                                 "whose elements are not all numbers")
            plain = dtype.fields is None and dtype.subdtype is None
            wire = dtype.newbyteorder("<").str if plain else ""
            if wire not in _ARRAY_DTYPES:
                return self.unsupported(arr, f"an array of dtype {dtype} and shape {arr.shape}")
            arr = arr.astype(wire)
        self.size += arr.size * dtype.itemsize * 4 // 3 + 64
        if self.size > self.max_bytes:
            raise WireError(f"value too large to encode (over {self.max_bytes} bytes)")
        return {TAG: "nd", "dtype": wire, "shape": _list(arr.shape),
                "data": _b2a(arr.tobytes(), newline=False).decode("ascii")}


def encode_tree(obj: Any, *, strict: bool = False, max_bytes: int = MAX_BYTES) -> Any:
    """The JSON-ready tree of `obj` (see `encode`), to be embedded in a larger document."""
    return _Encoder(strict, max_bytes).tree(obj, 0)


def _plain(obj: Any) -> Any:
    """The tree of trusted, plain data (the grader's own cases) in one quick pass; _Slow otherwise."""
    cls = _type(obj)
    if cls is _float or cls is _str or obj is None or cls is _bool:
        return obj
    if cls is _ndarray:
        wire = _LITTLE.get(obj.dtype)
        if wire is None:
            raise _Slow
        return {TAG: "nd", "dtype": wire, "shape": _list(obj.shape),
                "data": _b2a(obj.tobytes(), newline=False).decode("ascii")}
    if cls is _tuple:  # float items inline: the same tree, fewer calls
        return {TAG: "tuple", "items": [x if _type(x) is _float else _plain(x) for x in obj]}
    if cls is _list:
        return [x if _type(x) is _float else _plain(x) for x in obj]
    if cls is _int and -(1 << 62) < obj < (1 << 62):
        return obj
    if cls is _dict:
        items = {}
        for k, v in obj.items():
            if _type(k) is not _str:
                raise _Slow
            items[k] = _plain(v)
        return {TAG: "dict", "items": items}
    raise _Slow


def encode(obj: Any, *, strict: bool = False, max_bytes: int = MAX_BYTES) -> bytes:
    """Encode plain data as UTF-8 JSON bytes.

    Values the wire cannot carry become `Unsupported` markers, or raise `WireError` when
    `strict` (use strict for data the grader itself sends). Raises `WireError` when the
    encoding would exceed `max_bytes`.
    """
    data = b""
    if strict:  # the grader's own data: try the quick pass first (same output)
        try:
            data = dumps(_plain(obj)).encode("ascii")
        except (_Slow, RecursionError):
            pass
    if not data:
        data = dumps(_Encoder(strict, max_bytes).tree(obj, 0)).encode("ascii")
    if _len(data) > max_bytes:
        raise WireError(f"value too large to encode ({_len(data)} bytes, limit {max_bytes})")
    return data


def parse(data: bytes | bytearray | memoryview, max_bytes: int = MAX_BYTES) -> Any:
    """The plain JSON document in `data` (no tags interpreted); WireError when it is not one."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError(f"expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise WireError(f"encoded value of {len(data)} bytes exceeds the limit of {max_bytes}")
    try:
        return loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"not valid wire JSON: {exc}") from None


def decode(data: bytes, *, build_func: Callable[[FuncSpec], Any] | None = None,
           max_bytes: int = MAX_BYTES) -> Any:
    """Decode bytes made by `encode`; strict: anything unexpected raises `WireError`.

    Never executes anything from the data. FuncSpec values go through `build_func` when
    given (the student side turns them into callables), else stay FuncSpec.
    """
    return _Decoder(build_func).value(parse(data, max_bytes), 0)


def decode_trusted(data: bytes, *, build_func: Callable[[FuncSpec], Any] | None = None,
                   max_bytes: int = MAX_BYTES) -> Any:
    """`decode` for data the grader made itself (the student process reading its plan): a quick pass,
    falling back to the full, checking decoder for anything unusual. Never for data from a student."""
    tree = parse(data, max_bytes)
    try:
        return _plain_back(tree)
    except Exception:  # noqa: BLE001 - a function spec, an empty array, anything odd: the full decoder
        return _Decoder(build_func).value(tree, 0)


def _plain_back(node: Any) -> Any:
    cls = type(node)
    if cls is list:
        return [_plain_back(x) for x in node]
    if cls is not dict:
        return node
    tag = node[TAG]
    if tag == "nd":
        raw = _a2b(node["data"], strict_mode=True)
        if not raw:
            raise _Slow
        return _frombuffer(raw, dtype=_ARRAY_DTYPES[node["dtype"]]).reshape(node["shape"]).copy()  # owns its data
    if tag == "tuple":
        return tuple([_plain_back(x) for x in node["items"]])
    if tag == "dict":
        return {k: _plain_back(v) for k, v in node["items"].items()}
    raise _Slow


def decode_tree(tree: Any, *, build_func: Callable[[FuncSpec], Any] | None = None) -> Any:
    """Decode a tree made by `encode_tree` and carried inside a larger JSON document."""
    return _Decoder(build_func).value(tree, 0)


_SCALARS = frozenset({float, int, str, bool, type(None)})  # JSON scalars the decoder passes through


class _Decoder:
    """Turns a parsed JSON tree back into values, checking every tag and field."""

    def __init__(self, build_func: Callable[[FuncSpec], Any] | None) -> None:
        self.build_func = build_func

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH + 2:
            raise WireError(f"data nested deeper than {MAX_DEPTH} levels")
        cls = type(node)
        if cls is float or node is None or cls in (bool, int, str):
            return node
        if cls is list:
            if depth > MAX_DEPTH + 1:  # its items would be too deep: let value() say so
                return [self.value(x, depth + 1) for x in node]
            # scalar items inline (a list of floats is the common result): the same checks, fewer calls
            return [x if type(x) in _SCALARS else self.value(x, depth + 1) for x in node]
        if cls is not dict:
            raise WireError(f"unexpected JSON value of type {cls.__name__}")
        tag = node.get(TAG)
        keys = _TAG_KEYS.get(tag) if type(tag) is str else None
        if keys is None:
            raise WireError(f"unknown or missing tag {tag!r:.40}")
        if node.keys() != keys:
            raise WireError(f"tag {tag!r} has fields {sorted(node)!r:.200}, "
                            f"expected {sorted(keys)}")
        if tag == "nd":
            return self.array(node)
        if tag == "tuple":
            items = node["items"]
            if type(items) is list and depth <= MAX_DEPTH + 1:  # scalar items inline, as for lists
                return tuple([x if type(x) in _SCALARS else self.value(x, depth + 1) for x in items])
            return tuple([self.value(x, depth + 1) for x in self.typed(node, "items", list)])
        if tag == "dict":
            return {k: self.value(v, depth + 1) for k, v in self.typed(node, "items", dict).items()}
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
        return Unsupported(clip(self.typed(node, "type", str), TYPE_NAME_MAX),  # the sender may be a student
                           clip(self.typed(node, "text", str), MARKER_TEXT_MAX))

    @staticmethod
    def typed(node: dict[str, Any], key: str, cls: type) -> Any:
        value = node[key]
        if type(value) is not cls:
            raise WireError(f"field {key!r} must be {cls.__name__}, got {type(value).__name__}")
        return value

    def array(self, node: dict[str, Any]) -> np.ndarray:
        name, shape, data = node["dtype"], node["shape"], node["data"]
        dtype = _ARRAY_DTYPES.get(name) if type(name) is str else None
        if dtype is None:
            raise WireError(f"array dtype {name!r:.40} is not allowed")
        count = 1
        if type(shape) is list and len(shape) <= 32:
            for n in shape:
                if type(n) is not int or n < 0:
                    break
                count *= n
            else:
                shape = tuple(shape)
        if type(shape) is not tuple:
            raise WireError(f"bad array shape {shape!r:.100}")
        if type(data) is not str:
            raise WireError(f"field 'data' must be str, got {type(data).__name__}")
        try:
            raw = _a2b(data, strict_mode=True)
        except (binascii.Error, ValueError) as exc:
            raise WireError(f"bad base64 array data: {exc}") from None
        if count * dtype.itemsize != len(raw):
            raise WireError(f"array of shape {shape} and dtype {dtype.str} needs "
                            f"{count * dtype.itemsize} bytes, got {len(raw)}")
        if count == 0:
            return _zeros(shape, dtype=dtype)
        return _frombuffer(raw, dtype=dtype).reshape(shape).copy()  # writable and owning its data, as np.array gives
