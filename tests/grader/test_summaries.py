"""grader.summaries: packed per-student summaries read back equal, sorted by student, last one per student wins."""
import random
import sys

import pytest

from grader.store import ResultSummary
from grader.summaries import Summaries, SummaryCollector

PARTS = ("perceptron", "activations", "mlp", "jacobian", "relu_mse")


def summary(student: str, **kw) -> ResultSummary:
    fields = dict(student=student, status="graded", late=False, seed=3394000660,
                  parts={p: 1.25 * i for i, p in enumerate(PARTS)}, total=12.5, max_total=100.0, fault="none",
                  key="4572b5d97f55f19cf8e6b144", seconds=0.118, timed_out=False, isolation="namespaces")
    fields.update(kw)
    return ResultSummary(**fields)


VARIED = [
    summary("zoe", late=True, timed_out=True, status="timeout", fault="student"),
    summary("Ann Lee", parts={}, total=0.0, key="", seconds=0.0, isolation=""),  # a grader fault: no parts, no key
    summary("carl", isolation="process"),
    summary("émile", parts={"activations": 1 / 3}, total=1 / 3, max_total=1.0, seed=0),
    summary("bob", seed=-5, total=float("inf"), status="grader_error", fault="grader"),
    summary("amy", seed=2 ** 70),  # beyond 64 bits: kept whole, still read back
]


def test_summaries_read_back_equal_and_sorted_by_student():
    collector = SummaryCollector()
    for s in VARIED:
        collector.add(s)
    packed = collector.sorted()
    expected = sorted(VARIED, key=lambda s: s.student)
    assert list(packed) == expected
    assert [packed[i] for i in range(len(packed))] == expected
    assert packed.students == tuple(s.student for s in expected)
    assert list(packed[1:3]) == expected[1:3] and isinstance(packed[1:3], Summaries)
    assert [s.percent for s in packed] == [s.percent for s in expected]


def test_floats_and_part_order_survive_exactly():
    s = summary("x", parts={"mlp": 0.1 + 0.2, "perceptron": 1e-300}, total=0.1 + 0.2 + 1e-300, seconds=1 / 7)
    collector = SummaryCollector()
    collector.add(s)
    back = collector.sorted()[0]
    assert back == s and list(back.parts) == ["mlp", "perceptron"]
    assert back.total == s.total and back.seconds == s.seconds


def test_a_student_added_twice_keeps_the_last_summary():
    collector = SummaryCollector()
    for s in (summary("bob", total=1.0), summary("amy"), summary("bob", total=2.0), summary("bob", total=3.0)):
        collector.add(s)
    packed = collector.sorted()
    assert packed.students == ("amy", "bob") and packed[1].total == 3.0


def deep_size(s: ResultSummary) -> int:
    values = [s.seed, s.total, s.max_total, s.key, s.seconds, s.parts, *s.parts.values()]
    return sys.getsizeof(s) + sum(sys.getsizeof(v) for v in values)


def test_packed_summaries_are_smaller_than_the_records():
    records = [summary(f"s{i:05d}", total=float(i)) for i in range(2000)]
    collector = SummaryCollector()
    for s in records:
        collector.add(s)
    packed = collector.sorted()
    record_bytes = sum(deep_size(s) for s in records)  # what a dict of ResultSummary held, names aside
    packed_bytes = sum(sys.getsizeof(r) for r in packed._records)
    assert all(isinstance(r, bytes) for r in packed._records) and packed_bytes < record_bytes / 3
    assert list(packed) == records


def test_empty():
    packed = SummaryCollector().sorted()
    assert len(packed) == 0 and list(packed) == []
    with pytest.raises(IndexError):
        packed[0]


def test_many_students_in_any_order_come_back_as_a_dict_would_keep_them():
    rng = random.Random(6)
    names = [rng.choice(["s", "S", "é", "z_", "a b"]) + str(rng.randrange(300)) for _ in range(1000)]
    collector, latest = SummaryCollector(), {}
    for i, name in enumerate(names):
        collector.add(s := summary(name, total=float(i)))
        latest[name] = s
    assert list(collector.sorted()) == [latest[n] for n in sorted(latest)]
