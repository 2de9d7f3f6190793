"""grader.report.html: what write_html writes and removes, page names, and the pages' security policy."""
from __future__ import annotations

from report_support import parse

from grader.assignment import load_assignment
from grader.discover import safe_name
from grader.model import StudentResult
from grader.report import RunInfo, write_html
from grader.report.html import csp, page_name

HW03 = load_assignment("hw03")


def empty(student: str) -> StudentResult:
    return StudentResult(student=student, status="no_submission", message="no file", late=False, seed=1,
                         submission=None, parts={p.name: 0.0 for p in HW03.parts}, total=0.0,
                         max_total=HW03.max_total)


def test_written_pages_and_stale_pages_removed(tmp_path):
    run = RunInfo.now(HW03, "subs", 10.0, 2048)
    first = write_html(tmp_path, HW03, [empty("bob"), empty("Ann Lee")], run)
    assert first == [tmp_path / "index.html", tmp_path / page_name("Ann Lee"), tmp_path / "students" / "bob.html"]
    assert page_name("Ann Lee") == f"students/{safe_name('Ann Lee')}.html"
    (tmp_path / "students" / "notes.txt").write_text("mine")
    second = write_html(tmp_path, HW03, [empty("bob")], run)
    assert sorted(p.name for p in (tmp_path / "students").iterdir()) == ["bob.html", "notes.txt"]
    assert second == [tmp_path / "index.html", tmp_path / "students" / "bob.html"]


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
    assert [p.name for p in written] == ["index.html", "amy.html", "zed.html"]
    links = [a.attrs["href"] for a in parse(written[0]).find_all("a")]
    assert links == ["students/amy.html", "students/zed.html"]


def test_isolation_is_shown_and_process_only_is_loud(tmp_path):
    write_html(tmp_path / "ns", HW03, [empty("bob")], RunInfo.now(HW03, "subs", 10.0, 2048, "namespaces"))
    write_html(tmp_path / "pr", HW03, [empty("bob")], RunInfo.now(HW03, "subs", 10.0, 2048, "process"))
    assert "Isolation: namespaces" in (tmp_path / "ns" / "index.html").read_text()
    assert "PROCESS ONLY" in (tmp_path / "pr" / "index.html").read_text()
    assert "PROCESS ONLY" not in (tmp_path / "ns" / "index.html").read_text()
