"""grader.report.html: what write_html writes and removes, page names, and the pages' security policy."""
from __future__ import annotations

from dataclasses import replace

from report_support import parse

from grader.assignment import load_assignment
from grader.discover import safe_name
from grader.model import StudentResult
from grader.report import RunInfo, write_html
from grader.report.html import csp, page_name
from grader.store import ResultStore

HW03 = load_assignment("hw03")


def empty(student: str) -> StudentResult:
    return StudentResult(student=student, status="no_submission", message="no file", late=False, seed=1,
                         submission=None, parts={p.name: 0.0 for p in HW03.parts}, total=0.0,
                         max_total=HW03.max_total)


def test_written_pages_and_stale_pages_removed(tmp_path):
    run = RunInfo.now(HW03, "subs", 10.0, 2048)
    first = write_html(tmp_path, HW03, [empty("bob"), empty("Ann Lee")], run)
    assert first.index == tmp_path / "index.html" and first.students == 2
    assert first.pages() == sorted([tmp_path / page_name("Ann Lee"), tmp_path / "students" / "bob.html"])
    assert page_name("Ann Lee") == f"students/{safe_name('Ann Lee')}.html"
    (tmp_path / "students" / "notes.txt").write_text("mine")
    second = write_html(tmp_path, HW03, [empty("bob")], run)
    assert sorted(p.name for p in (tmp_path / "students").iterdir()) == ["bob.html", "notes.txt"]
    assert second.pages() == [tmp_path / "students" / "bob.html"] and second.students == 1


def test_run_info_goes_on_the_pages(tmp_path):
    run = RunInfo.now(HW03, "subs", 3.0, 512)
    assert run.replay_args() == ["--assignment", "hw03", "--seed", str(HW03.seed), "--timeout", "3", "--memory", "512"]
    assert RunInfo.now(HW03, "subs", 10.0, 2048).replay_args() == ["--assignment", "hw03", "--seed", str(HW03.seed)]
    write_html(tmp_path, HW03, [empty("bob")], run)
    text = parse(tmp_path / "index.html").all_text()
    assert run.finished in text and "3 s" in text and "512 MB" in text and HW03.title in text


def test_policy_allows_only_the_given_script():
    assert "script-src 'none'" in csp(None) and "default-src 'none'" in csp(None)
    assert csp("a") != csp("b") and "script-src 'sha256-" in csp("a")


def test_results_are_read_once_so_they_can_stream_from_disk(tmp_path):
    run = RunInfo.now(HW03, "subs", 10.0, 2048)
    written = write_html(tmp_path, HW03, iter([empty("zed"), empty("amy")]), run)  # a one-pass iterator
    assert [p.name for p in written.pages()] == ["amy.html", "zed.html"]
    links = [a.attrs["href"] for a in parse(written.index).find_all("a")]
    assert links == ["students/amy.html", "students/zed.html"]


def test_isolation_is_shown_and_process_only_is_loud(tmp_path):
    write_html(tmp_path / "ns", HW03, [empty("bob")], RunInfo.now(HW03, "subs", 10.0, 2048, "namespaces"))
    write_html(tmp_path / "pr", HW03, [empty("bob")], RunInfo.now(HW03, "subs", 10.0, 2048, "process"))
    assert "Isolation: namespaces" in (tmp_path / "ns" / "index.html").read_text()
    assert "PROCESS ONLY" in (tmp_path / "pr" / "index.html").read_text()
    assert "PROCESS ONLY" not in (tmp_path / "ns" / "index.html").read_text()


def test_index_rows_stream_from_stored_results_in_student_order(tmp_path):
    """400 students stored out of order: their rows span several spilled blocks and come out sorted, each once."""
    run = RunInfo.now(HW03, "subs", 10.0, 2048)
    store = ResultStore(tmp_path, safe_name)
    names = [f"s{i:03d}" for i in range(400)][::-1]
    for i, name in enumerate(names):
        parts = {p.name: 0.0 for p in HW03.parts} | {"mlp": float(i % 39)}
        store.save(replace(empty(name), status="graded", late=i % 3 == 0, parts=parts, total=float(i % 39)))
    written = write_html(tmp_path, HW03, store.view(names), run)
    assert written.students == 400
    assert written.index.stat().st_size > 3 * 65536  # the rows spilled past several blocks
    table = next(n for n in parse(written.index).iter() if n.attrs.get("id") == "students")
    rows = [tr.find_all("td") for tr in table.find_all("tr")[1:]]
    assert [r[0].all_text() for r in rows] == sorted(names)
    by_name = {name: i for i, name in enumerate(names)}
    for cells in rows:
        i = by_name[cells[0].all_text()]
        assert cells[2].attrs["data-v"] == ("1" if i % 3 == 0 else "0")
        total = next(c for c in cells if c.find_all("b"))
        assert float(total.attrs["data-v"]) == i % 39
    assert "400 of 400" in parse(written.index).all_text()
    assert "Histogram of totals: 400 students" in written.index.read_text(encoding="utf-8")
