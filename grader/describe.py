"""Short, abridged text of values and call inputs for messages (arrays, params lists, functions)."""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from grader.model import Case, FuncSpec

MAX_CHARS = 300


def value(v: Any, limit: int = MAX_CHARS) -> str:
    """numpy-style text of a value, abridged for big arrays and long lists."""
    if isinstance(v, np.ndarray):
        text = np.array2string(v, precision=6, threshold=24, edgeitems=3, separator=", ",
                               max_line_width=100, floatmode="maxprec")
        text = f"array({text})" if v.ndim else text
        text = text if v.ndim < 2 else f"{text}  # shape {v.shape}"
    elif isinstance(v, FuncSpec):
        text = f"{v.name}(" + ", ".join(f"{k}={value(p, 80)}" for k, p in v.params.items()) + ")"
    elif isinstance(v, tuple):
        text = "(" + ", ".join(value(x, limit) for x in v) + ("," if len(v) == 1 else "") + ")"
    elif isinstance(v, list):
        inner = [value(x, limit) for x in v[:8]]
        text = "[" + ", ".join(inner) + (f", ... {len(v) - 8} more" if len(v) > 8 else "") + "]"
    elif isinstance(v, float):
        text = repr(float(v))
    else:
        text = repr(v)
    text = re.sub(r"\s*\n\s*", " ", text)
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def parameter_names(signature: str) -> list[str]:
    """`f(a, b=1.0)` -> ['a', 'b']."""
    inside = signature[signature.find("(") + 1: signature.rfind(")")]
    return [p.split("=")[0].strip().lstrip("*") for p in inside.split(",") if p.strip()]


def call(case: Case, signature: str, limit: int = MAX_CHARS) -> str:
    """`backward(params=[...], zs=[...], ...)`, each input abridged."""
    names = parameter_names(signature)
    parts = [f"{names[i] if i < len(names) else f'arg{i}'}={value(a, limit)}" for i, a in enumerate(case.args)]
    parts += [f"{k}={value(v, limit)}" for k, v in case.kwargs.items()]
    return f"{case.function}(" + ", ".join(parts) + ")"
