"""Short, abridged text of values and call inputs for messages (arrays, params lists, functions)."""
from __future__ import annotations

import math
import re
import sys
from typing import Any

import numpy as np

from grader.model import Case, FuncSpec

MAX_CHARS = 300
PRECISION, THRESHOLD, LINE_WIDTH = 6, 24, 100  # np.array2string's options for every array in a message
FIXED = f"%.{PRECISION}f "  # one number in fixed notation, as f"{x:.{PRECISION}f}" writes it, and a space
F64 = np.dtype(np.float64)
NEWLINE = re.compile(r"\s*\n\s*")


def value(v: Any, limit: int = MAX_CHARS) -> str:
    """numpy-style text of a value, abridged for big arrays and long lists."""
    if isinstance(v, np.ndarray):
        text = _small_floats(v)
        if text is None:
            text = np.array2string(v, precision=PRECISION, threshold=THRESHOLD, edgeitems=3, separator=", ",
                                   max_line_width=LINE_WIDTH, floatmode="maxprec")
        text = f"array({text})" if v.ndim else text
        text = text if v.ndim < 2 else f"{text}  # shape {v.shape}"
    elif isinstance(v, FuncSpec):
        text = f"{v.name}(" + ", ".join(f"{k}={value(p, 80)}" for k, p in v.params.items()) + ")"
    elif isinstance(v, tuple):
        text = _items("(", v, ("," if len(v) == 1 else "") + ")", limit)
    elif isinstance(v, list):
        text = _items("[", v[:8], (f", ... {len(v) - 8} more" if len(v) > 8 else "") + "]", limit)
    elif isinstance(v, float):
        text = repr(float(v))
    else:
        text = repr(v)
    if "\n" in text:
        text = NEWLINE.sub(" ", text)  # arrays of 2 dimensions, long rows: one line
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def _items(opening: str, items: Any, closing: str, limit: int) -> str:
    """`opening` + the items' texts joined by ", " + `closing`; the items after the one that takes the
    text past `limit` are not rendered, since abridging cuts them off anyway (same text, less work)."""
    text = opening
    for i, item in enumerate(items):
        text += (", " if i else "") + value(item, limit)
        if len(text) > limit:
            return text
    return text + closing


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


def _small_floats(v: np.ndarray) -> str | None:
    """Exactly the text np.array2string gives with our options, for the common case only: a finite
    float64 array of at most 2 dimensions and THRESHOLD elements, under numpy's default print
    options; None for anything else (numpy then does it).

    numpy prints each number as the shortest text that identifies it, cut at PRECISION digits and
    correctly rounded; for PRECISION <= 15 that is Python's correctly rounded fixed or exponent
    format with trailing zeros trimmed. tests/grader/test_describe.py checks it against numpy."""
    if type(v) is not np.ndarray or v.dtype != F64 or v.ndim > 2 or not 0 < v.size <= THRESHOLD:
        return None
    values = v.ravel().tolist()
    if not all(map(math.isfinite, values)):
        return None
    options = np.get_printoptions()
    if options["suppress"] or options["sign"] != "-" or options["legacy"] is not False or options["formatter"]:
        return None  # numpy's defaults, which the layout below assumes
    magnitudes = [abs(x) for x in values if x != 0.0]
    if magnitudes:
        low, high = min(magnitudes), max(magnitudes)
        if low < sys.float_info.min:
            return None  # subnormal: fewer significant bits than the reasoning above needs
    if magnitudes and (high >= 1e8 or low < 1e-4 or high / low > 1e3):
        words = _scientific(values)
    else:
        numbers = tuple(values)
        longest = max(map(len, (FIXED * len(values) % numbers).split()))  # of "2.000000", "-0.500000", ...
        aligned = (f"%{longest}.{PRECISION}f\0" * len(values) % numbers).split("\0")  # " 2.000000", ...: points
        texts = [t.rstrip("0") for t in aligned[:-1]]  # aligned, as PRECISION digits follow each; " 2.", "-0.5"
        width = max(map(len, texts))
        words = [t.ljust(width) for t in texts]
    if v.ndim == 0:
        return words[0]
    if v.ndim == 1:
        return "[" + _row(words, " ", LINE_WIDTH - 1)[1:] + "]"
    n = v.shape[1]
    if len(set(map(len, words))) == 1 and 2 + n * (len(words[0]) + 2) - 2 <= LINE_WIDTH - 2:
        return "[[" + "],\n [".join([", ".join(words[i:i + n]) for i in range(0, len(words), n)]) + "]]"  # no row wraps
    rows = [_row(words[i:i + n], "  ", LINE_WIDTH - 2)[2:] for i in range(0, len(words), n)]
    return "[[" + "],\n [".join(rows) + "]]"


def _scientific(values: list[float]) -> list[str]:
    """numpy's exponent notation for an array: as many mantissa digits as the longest needs (at
    most PRECISION), signs aligned, exponents of equal width."""
    firsts = [f"{x:.{PRECISION}e}".split("e") for x in values]
    whole = max(len(m.split(".")[0]) for m, _ in firsts)
    digits = max(len(m.split(".")[1].rstrip("0")) for m, _ in firsts)
    exp_width = max(len(e) for _, e in firsts) - 1
    words = []
    for x in values:
        mantissa, exponent = f"{x:.{digits}e}".split("e")
        mantissa = mantissa if digits else mantissa + "."
        words.append(f"{mantissa:>{whole + 1 + digits}}e{exponent[0]}{exponent[1:]:0>{exp_width}}")
    return words


def _row(words: list[str], indent: str, width: int) -> str:
    """One innermost row as numpy lays it out: `indent` first, words separated by ", ", wrapped onto
    a new `indent`ed line when a word would pass `width` (never when the line holds no word yet)."""
    if len(indent) + sum(map(len, words)) + 2 * len(words) - 2 <= width:
        return indent + ", ".join(words)  # all on one line: no word passes `width`, the last included
    text, line = "", indent
    for i, word in enumerate(words):
        if len(line) + len(word) > width and len(line) > len(indent):
            text += line.rstrip() + "\n"
            line = indent
        line += word if i == len(words) - 1 else word + ", "
    return text + line
