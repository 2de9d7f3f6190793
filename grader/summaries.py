"""The run's per-student summaries packed into bytes: about 200 bytes a student in memory instead of 600."""
from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np

from grader.store import ResultSummary

# status, fault, isolation (indexes into the words), flags (1: late, 2: timed out), seed, total, max_total,
# seconds, number of parts, then per part (word index, points), then the resume key in UTF-8
_HEAD = struct.Struct("<BBBBqdddB")
_PART = struct.Struct("<Bd")
_LATE, _TIMED_OUT = 1, 2
Record = bytes | ResultSummary  # a summary that does not pack (an odd seed, 256+ distinct words) is kept whole


class Summaries(Sequence[ResultSummary]):
    """Summaries sorted by student, one packed record each; a ResultSummary is made on each access."""

    def __init__(self, students: tuple[str, ...], records: tuple[Record, ...], words: tuple[str, ...]) -> None:
        self.students = students  # sorted
        self._records = records
        self._words = words

    def __len__(self) -> int:
        return len(self.students)

    @overload
    def __getitem__(self, index: int) -> ResultSummary: ...

    @overload
    def __getitem__(self, index: slice) -> Summaries: ...

    def __getitem__(self, index: int | slice) -> ResultSummary | Summaries:
        if isinstance(index, slice):
            return Summaries(self.students[index], self._records[index], self._words)
        return _unpack(self.students[index], self._records[index], self._words)

    def __iter__(self) -> Iterator[ResultSummary]:
        words = self._words
        return (_unpack(s, r, words) for s, r in zip(self.students, self._records))

    def __repr__(self) -> str:
        return f"Summaries({len(self)} students)"


class SummaryCollector:
    """Collects summaries in any order while a class is graded; `sorted()` gives them by student.

    A student added twice keeps the last summary, as a dict keyed by student would.
    """

    def __init__(self) -> None:
        self._students: list[str] = []
        self._records: list[Record] = []
        self._words: list[str] = []  # distinct statuses, faults and part names: a handful per run
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._students)

    def add(self, summary: ResultSummary) -> None:
        self._students.append(summary.student)
        self._records.append(self._pack(summary))

    def sorted(self) -> Summaries:
        names, records = self._students, self._records
        if not names:
            return Summaries((), (), tuple(self._words))
        # argsort in numpy: 24 bytes a student, not a Python int each; stable, so of equal names the last
        # added comes last and is the one kept
        column = np.array(names, dtype=object)
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        keep = order[np.append(ordered[:-1] != ordered[1:], True)]
        return Summaries(tuple(names[i] for i in keep), tuple(records[i] for i in keep), tuple(self._words))

    def _word(self, word: str) -> int:
        if word not in self._index:
            self._index[word] = len(self._words)
            self._words.append(word)
        return self._index[word]

    def _pack(self, s: ResultSummary) -> Record:
        try:
            codes = [self._word(s.status), self._word(s.fault), self._word(s.isolation),
                     *(self._word(p) for p in s.parts)]
            if max(codes) > 255 or len(s.parts) > 255:
                return s
            flags = (_LATE if s.late else 0) | (_TIMED_OUT if s.timed_out else 0)
            head = _HEAD.pack(codes[0], codes[1], codes[2], flags, s.seed, s.total, s.max_total, s.seconds,
                              len(s.parts))
            parts = b"".join(_PART.pack(code, points) for code, points in zip(codes[3:], s.parts.values()))
            return head + parts + s.key.encode("utf-8")
        except (struct.error, TypeError, OverflowError):  # a seed beyond 64 bits, a non-number: keep it whole
            return s


def _unpack(student: str, record: Record, words: tuple[str, ...]) -> ResultSummary:
    if isinstance(record, ResultSummary):
        return record
    status, fault, isolation, flags, seed, total, max_total, seconds, count = _HEAD.unpack_from(record)
    parts = {}
    offset = _HEAD.size
    for _ in range(count):
        code, points = _PART.unpack_from(record, offset)
        parts[words[code]] = points
        offset += _PART.size
    return ResultSummary(student, words[status], bool(flags & _LATE), seed, parts, total, max_total, words[fault],
                         record[offset:].decode("utf-8"), seconds, bool(flags & _TIMED_OUT), words[isolation])
