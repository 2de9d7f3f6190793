"""grader.report.html on the example class: every page is written, links resolve, charts are SVG,
failed cases carry their hints and public/hidden marks, and a page's replay command reproduces its case."""
from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from report_support import parse

from grader import replay
from grader.discover import safe_name
from grader.report.student import SHOWN_PER_FUNCTION

SVG = "{http://www.w3.org/2000/svg}"


def student_page(out: Path, student: str) -> Path:
    return out / "students" / f"{safe_name(student)}.html"


def test_index_links_to_every_student_and_links_resolve(example_report):
    run, out = example_report
    index = parse(out / "index.html")
    table = next(n for n in index.iter() if n.attrs.get("id") == "students")
    links = [a.attrs["href"] for a in table.find_all("a")]
    assert sorted(links) == sorted(f"students/{safe_name(r.student)}.html" for r in run.results)
    for href in links:
        assert (out / href).is_file(), href
        back = [a.attrs["href"] for a in parse(out / href).find_all("a")]
        assert "../index.html" in back and all((out / href).parent.joinpath(h.split("#")[0]).exists()
                                               for h in back if not h.startswith("#"))
    assert len(table.find_all("tr")) == len(run.results) + 1  # the header row and one per student


def test_index_counts_match_the_results(example_report):
    run, out = example_report
    index = parse(out / "index.html")
    cards = {c.find_all(cls="k")[0].all_text(): c.find_all(cls="v")[0].all_text() for c in index.find_all(cls="card")}
    load_errors = sum(r.status in ("syntax_error", "unreadable", "import_error", "crashed") for r in run.results)
    timeouts = sum(r.status == "timeout" or any(c.outcome == "timeout" for c in r.checks) for r in run.results)
    assert cards["students"] == str(len(run.results))
    assert cards["late submissions"] == str(sum(r.late for r in run.results)) == "1"
    assert cards["load errors"] == str(load_errors) == "1"  # garcia's syntax error
    assert cards["students with a timeout"] == str(timeouts) == "1"  # hughes
    text = index.all_text()
    assert "sha256(assignment seed:student id)" in text and str(run.assignment.seed) in text


def svgs(page: Path) -> list[ET.Element]:
    return [ET.fromstring(block) for block in re.findall(r"<svg\b.*?</svg>", page.read_text("utf-8"), re.S)]


def test_charts_are_valid_svg(example_report):
    run, out = example_report
    histogram, bars = svgs(out / "index.html")
    for svg in (histogram, bars):
        assert svg.tag == f"{SVG}svg"
    counts = [int(re.search(r": (\d+) student", r.find(f"{SVG}title").text)[1])
              for r in histogram.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(counts) == 10 and sum(counts) == len(run.results)
    bar_titles = [r.find(f"{SVG}title").text for r in bars.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert [t.split(" ")[0] for t in bar_titles] == [f.name for f in run.assignment.functions]


def test_failed_cases_show_hints_and_public_or_hidden(example_report):
    run, out = example_report
    results = {r.student: r for r in run.results}
    page = parse(student_page(out, "fischer"))
    assert "case split outside the sum" in " ".join(n.all_text() for n in page.find_all(cls="hint"))
    shown = 0
    for block in page.find_all("div", cls="case"):
        name = block.find_all("span", cls="name")[0].all_text()
        function = next(n for n in page.iter() if n.tag == "details" and block in list(n.iter())).attrs["id"][3:]
        check = next(c for c in results["fischer"].checks if c.function == function and c.case == name)
        badges = [b.all_text() for b in block.find_all("span", cls="badge")]
        assert ("public" in badges) == check.public and ("hidden" in badges) == (not check.public), name
        assert not check.passed
        shown += 1
    assert shown == 2 * SHOWN_PER_FUNCTION  # mse_grad and gradient_descent each failed more than 5 cases


def test_passed_functions_are_collapsed_and_failures_capped(example_report):
    run, out = example_report
    for r in run.results:
        page = parse(student_page(out, r.student))
        for details in page.find_all("details"):
            failing = details.attrs.get("id", "").startswith("fn-")
            assert ("open" in details.attrs) == failing
            assert len(details.find_all("div", cls="case")) <= SHOWN_PER_FUNCTION
        assert student_page(out, r.student).stat().st_size < 400_000
        anchors = {n.attrs["id"] for n in page.iter() if "id" in n.attrs}
        assert {a.attrs["href"][1:] for a in page.find_all("a") if a.attrs["href"].startswith("#")} <= anchors


def test_a_page_replay_command_reproduces_its_case(example_report, capsys):
    run, out = example_report
    fischer = next(r for r in run.results if r.student == "fischer")
    page = parse(student_page(out, "fischer"))
    block = next(b for b in page.find_all("div", cls="case")
                 if "hidden" in [s.all_text() for s in b.find_all("span", cls="badge")])
    name = block.find_all("span", cls="name")[0].all_text()
    check = next(c for c in fischer.checks if c.case == name and not c.passed and not c.public)
    command = next(c.all_text() for c in block.find_all("code") if c.all_text().startswith("grade replay"))
    argv = shlex.split(command)
    assert argv[:2] == ["grade", "replay"] and argv[argv.index("--case") + 1] == name
    assert replay.main(argv[2:]) == 1
    printed = capsys.readouterr().out
    assert check.message.replace("\n", "\n  ") in printed  # the same hidden case, seed and values
    assert check.hint and check.hint in printed


def test_a_student_whose_code_never_ran_gets_one_explanation(example_report):
    run, out = example_report
    garcia = next(r for r in run.results if r.status == "syntax_error")
    page = parse(student_page(out, garcia.student))
    assert page.find_all("div", cls="case") == []
    assert garcia.message.splitlines()[0] in page.all_text()


@pytest.mark.parametrize("student", ["chen"])
def test_load_warnings_and_output_are_shown(example_report, student):
    run, out = example_report
    result = next(r for r in run.results if r.student == student)
    text = parse(student_page(out, student)).all_text()
    assert result.load_warnings and all(w in text for w in result.load_warnings)


@pytest.mark.parametrize("submissions, timeout", [("subs", 10.0), ("my class/it's here", 3.5)])
def test_case_replays_are_the_replay_commands(submissions, timeout):
    from dataclasses import replace as with_fields

    from grader.assignment import load_assignment
    from grader.report.run import RunInfo
    from grader.report.student import _case_replays, replay_command

    run = with_fields(RunInfo.now(load_assignment("hw03"), submissions, timeout, 1024), assignment="hw 03")
    cases = ["lecture", "random 01", "it's \"odd\" $HOME", ""]
    assert _case_replays(run, "o'brien", "relu", cases) == {c: replay_command(run, "o'brien", "relu", c) for c in cases}
