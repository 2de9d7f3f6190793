"""Caps on what student data may take in the grader, at each boundary, and the notes that say what was cut."""
from __future__ import annotations

import re
from collections.abc import Iterable

from grader.safetext import encodable

MESSAGE_MAX = 8000  # characters of one check's message (results, checks.csv, reports, replay)
TYPE_NAME_MAX = 200  # characters of a type name a student's value claims
MARKER_TEXT_MAX = 400  # characters of the text of a value the wire cannot carry
WARNINGS_MAX = 100  # load warnings the grader itself makes (magics, exports) kept per student
WARNING_MAX = 500  # characters of one of them

VALUE_MAX = 24 * 2**20  # estimated bytes one call's result may take in the grader (a 16 MB array fits)
VALUE_FREE = 16 * 2**10  # records estimated this small are always kept: at most this much per case
VALUES_MAX = 64 * 2**20  # estimated bytes the larger results of one submission may take, all calls together

# What a JSON document's values cost in the grader once parsed, by the character that starts them:
# a list ~64 bytes, a dict up to ~250, any item (after a comma) at most a pointer and a 40-byte object.
LIST_COST, DICT_COST, ITEM_COST = 64, 256, 48
_COSTS = {"[": LIST_COST, "{": DICT_COST, ",": ITEM_COST}
_JSON_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[{,]')  # a whole string (skipped), or what starts a value


def clip(text: str, limit: int) -> str:
    """`text`, or its first characters and a note of how many more there were, in at most about `limit`;
    writable as UTF-8 either way (see grader.safetext.encodable)."""
    if len(text) <= limit:
        return encodable(text)
    keep = max(0, limit - 40)
    return encodable(f"{text[:keep]}... [{len(text) - keep} more characters]")


class Notes:
    """Texts kept as they come, at most `limit` (each clipped); past that only counted, so that
    `texts()` ends with "... and N more {what}" however many came."""

    def __init__(self, limit: int = WARNINGS_MAX, what: str = "load warnings", each: int = WARNING_MAX) -> None:
        self.limit, self.what, self.each = limit, what, each
        self.kept: list[str] = []
        self.more = 0

    def extend(self, texts: Iterable[str]) -> None:
        for text in texts:
            if len(self.kept) < self.limit:
                self.kept.append(clip(text, self.each))
            else:
                self.more += 1

    def texts(self) -> tuple[str, ...]:
        if not self.more:
            return tuple(self.kept)
        return (*self.kept[:-1], f"... and {self.more + 1} more {self.what}")


def json_structure(data: bytes | str) -> int:
    """An upper bound, in bytes, of what parsing the JSON in `data` builds beyond its strings' own
    characters: every list, dict and item at its most expensive (counted in C: fast on any size,
    but a comma inside a string counts too)."""
    if isinstance(data, str):
        return (LIST_COST * data.count("[") + DICT_COST * data.count("{") + ITEM_COST * data.count(","))
    return LIST_COST * data.count(b"[") + DICT_COST * data.count(b"{") + ITEM_COST * data.count(b",")


def json_structure_outside_strings(text: str, stop: int) -> int:
    """`json_structure` of `text` without what is inside its strings; the count ends once past `stop`."""
    cost = 0
    for match in _JSON_TOKENS.finditer(text):
        cost += _COSTS.get(text[match.start()], 0)
        if cost > stop:
            break
    return cost


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size < 10 * 2**20 else f"{size / 2**20:.0f} MB"


class ValueBudget:
    """How much of one submission's results the grader keeps: every small one, the larger ones
    while VALUES_MAX lasts, none above VALUE_MAX. A result not kept fails its case, with a note."""

    def __init__(self, per_value: int = VALUE_MAX, total: int = VALUES_MAX, free: int = VALUE_FREE) -> None:
        self.per_value, self.total, self.free = per_value, total, free
        self.used = 0

    def refuse(self, record: bytes) -> str | None:
        """None when the result `record` (its JSON bytes) may be parsed and kept (it is then counted);
        otherwise why not, for the student."""
        cost = len(record) + json_structure(record)
        if cost <= self.free:
            return None
        if cost > self.per_value:
            return (f"it would take about {megabytes(cost)} in the grader, more than the "
                    f"{megabytes(self.per_value)} one result may take")
        if self.used + cost > self.total:
            return (f"this submission's earlier results already take {megabytes(self.used)} in the grader, "
                    f"and all its results together may take {megabytes(self.total)}")
        self.used += cost
        return None
