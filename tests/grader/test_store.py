"""grader.store and grader.csvout: atomic files, resume keys and summaries, lazy results, exact CSV columns."""
import csv
import dataclasses
import io
import json

import pytest

from grader.assignment import load_assignment
from grader.csvout import checks_csv, grades_csv, write_checks, write_csvs
from grader.model import Check, StudentResult
from grader.store import (REPORT_FILES, ReportsState, ResultStore, atomic_write, from_json, result_key,
                          summarise, summary_from_head, to_json)


def _result(student="alice", total=12.5, **kw):
    check = Check(part="mlp", function="backward", case="lecture", kind="lecture", passed=False, points=0.0,
                  max_points=2.0, message='line1\nline2, "quoted"', fault="student")
    base = dict(student=student, status="graded", message="", late=False, seed=42, submission="a.py",
                parts={"perceptron": 0.0, "activations": 0.0, "mlp": total, "jacobian": 0.0, "relu_mse": 0.0},
                total=total, max_total=100.0, checks=(check,), key="k1")
    base.update(kw)
    return StudentResult(**base)


def test_result_round_trips_through_json():
    r = _result()
    assert from_json(to_json(r)) == r


def test_store_returns_result_only_for_matching_key(tmp_path):
    store = ResultStore(tmp_path, lambda s: s.replace("/", "_"))
    store.save(_result())
    assert store.load("alice", "k1") == _result()
    assert store.load("alice", "other") is None
    assert store.load("bob", "k1") is None
    store.path("alice").write_text("{corrupt")
    assert store.load("alice", "k1") is None


def test_result_key_depends_on_bytes_assignment_seed(tmp_path):
    f = tmp_path / "a.py"
    f.write_text("x = 1")
    k = result_key(f, "A", 1, "G")
    assert k == result_key(f, "A", 1, "G")
    assert len({k, result_key(f, "B", 1, "G"), result_key(f, "A", 2, "G"), result_key(f, "A", 1, "H")}) == 4
    f.write_text("x = 2")
    assert result_key(f, "A", 1, "G") != k


def test_atomic_write_leaves_no_temp_files(tmp_path):
    atomic_write(tmp_path / "x.csv", "a,b\n")
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_grades_csv_has_exact_columns_sorted_by_student():
    a = load_assignment("hw03")
    text = grades_csv(a, [_result("zoe", 50.0, late=True), _result("adam", 12.5)])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["student", "perceptron", "activations", "mlp", "jacobian", "relu_mse", "total",
                       "max_total", "percent", "status", "late", "seed"]
    assert [r[0] for r in rows[1:]] == ["adam", "zoe"]
    assert rows[1][3] == "12.5" and rows[1][8] == "12.5" and rows[2][10] == "true" and rows[1][11] == "42"


def test_checks_csv_has_exact_columns_and_escapes_messages():
    rows = list(csv.DictReader(io.StringIO(checks_csv([_result()]))))
    assert list(rows[0]) == ["student", "part", "function", "check", "passed", "points", "max_points", "message"]
    assert rows[0]["passed"] == "false" and rows[0]["message"] == 'line1\nline2, "quoted"'


def test_write_csvs_utf8(tmp_path):
    grades, _ = write_csvs(tmp_path, load_assignment("hw03"), [_result("zoë")])
    assert "zoë" in grades.read_text(encoding="utf-8")
    with pytest.raises(UnicodeDecodeError):
        grades.read_bytes().decode("ascii")


def test_result_file_starts_with_a_summary_line_and_has_one_check_per_line():
    r = _result(checks=(_result().checks[0],) * 3, stdout="a\nb")
    lines = to_json(r).splitlines()
    assert len(lines) == 1 + 1 + 3 + 1  # summary, "checks": [, three checks, ]}
    summary = summary_from_head(lines[0] + "\n")
    assert summary == summarise(r) and summary.percent == r.percent


def test_load_summary_reads_the_key_without_the_checks(tmp_path):
    store = ResultStore(tmp_path, str)
    store.save(_result())
    assert store.load_summary("alice", "k1") == summarise(_result())
    assert store.load_summary("alice", "k2") is None and store.load_summary("bob", "k1") is None
    store.path("alice").write_text(json.dumps(dataclasses.asdict(_result()), indent=1))  # an older layout
    assert store.load_summary("alice", "k1") is None


def test_summary_notes_a_timeout_in_any_check():
    late = dataclasses.replace(_result().checks[0], outcome="timeout")
    assert summarise(_result(checks=(_result().checks[0], late))).timed_out
    assert not summarise(_result()).timed_out
    assert summarise(_result(status="timeout", checks=())).timed_out


def test_stored_results_are_read_one_at_a_time_on_access(tmp_path):
    store = ResultStore(tmp_path, str)
    for name in ("bob", "alice"):
        store.save(_result(name))
    view = store.view(["alice", "bob"])
    store.save(_result("bob", total=3.0))  # read on access, so the newest file wins
    assert len(view) == 2 and view[1].total == 3.0
    assert [r.student for r in view] == ["alice", "bob"] and [r.student for r in view[1:]] == ["bob"]


def test_checks_streamed_from_the_store_equal_checks_from_memory(tmp_path):
    store = ResultStore(tmp_path, str)
    results = [_result(n, checks=(_result().checks[0],) * 2) for n in ("zed", "amy")]
    for r in results:
        store.save(r)
    buffer = io.StringIO()
    write_checks(buffer, store.view(["zed", "amy"]))
    assert buffer.getvalue() == checks_csv(results)
    assert [row[0] for row in csv.reader(io.StringIO(buffer.getvalue()))][1:] == ["amy", "amy", "zed", "zed"]


def test_reports_state_is_current_until_a_result_or_a_report_file_changes(tmp_path):
    rows = [summarise(_result("amy")), summarise(_result("bob"))]
    for name in REPORT_FILES[:2]:
        (tmp_path / name).write_text("x")
    state = ReportsState(tmp_path, rows)
    assert not state.current()
    state.mark()
    assert state.current() and ReportsState(tmp_path, rows[::-1]).current()
    assert not ReportsState(tmp_path, rows[:1]).current()
    assert not ReportsState(tmp_path, [rows[0], summarise(_result("bob", key="k2"))]).current()
    (tmp_path / "checks.csv").write_text("edited")
    assert not state.current()


def test_stored_results_by_student_and_grades_streamed(tmp_path):
    store = ResultStore(tmp_path, str)
    for name in ("zed", "amy", "bob"):
        store.save(_result(name))
    assert [r.student for r in store.view(["zed", "amy", "bob"]).by_student()] == ["amy", "bob", "zed"]
    assert [r.student for r in store.view(["amy", "bob"]).by_student()] == ["amy", "bob"]
    a = load_assignment("hw03")
    write_csvs(tmp_path, a, store.view(["zed", "amy", "bob"]), [summarise(_result(n)) for n in ("zed", "amy", "bob")])
    grades = (tmp_path / "grades.csv").read_text(encoding="utf-8")
    assert grades == grades_csv(a, [_result(n) for n in ("amy", "bob", "zed")])
    assert [row[0] for row in csv.reader(io.StringIO(grades))] == ["student", "amy", "bob", "zed"]


def test_an_encoded_result_is_stored_as_it_came_with_its_summary(tmp_path):
    from grader.store import Encoded, summarise, summary_of

    result = _result(checks=(Check("p", "f", "c1", "edge", False, 0.0, 1.0, "timeout: f did not finish", "student",
                                   outcome="timeout"),))
    text = to_json(result)
    encoded = Encoded.of(text)
    assert encoded.summary == summarise(result) == summary_of(encoded) == summary_of(result)
    store = ResultStore(tmp_path, lambda s: s)
    path = store.save(encoded)
    assert path.read_text(encoding="utf-8") == text  # written byte for byte, never re-encoded
    assert store.read("alice") == result
    for broken in (text[:-3], text.replace("\n", " "), "", '{"student": 1}\n]}\n'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            Encoded.of(broken)


def test_checks_read_back_equal_checks_built_by_their_constructor():
    check = Check("p", "f", "c", "edge", True, 1.0, 1.0, "", "none", public=True, hint="h", outcome="returned")
    back = from_json(to_json(_result(checks=(check,)))).checks[0]
    assert back == check and hash(back) == hash(check) and repr(back) == repr(check)
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.passed = False  # type: ignore[misc]
    older = to_json(_result(checks=(check,))).replace(', "outcome": "returned"', "")  # a field written by no one
    assert from_json(older).checks[0] == dataclasses.replace(check, outcome="")  # its default, as the constructor gives
    text = to_json(_result(checks=(check,))).replace('"hint": "h"', '"hint": "h", "surprise": 1')
    with pytest.raises(TypeError):  # an unknown field is refused, as Check(**fields) refuses it
        from_json(text)
