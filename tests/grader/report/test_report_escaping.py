"""Nothing a student wrote can inject markup into a page: names, output, messages, warnings, file names."""
from __future__ import annotations

import base64
import hashlib
import textwrap

from report_support import parse

from grader.assignment import load_assignment
from grader.model import Check, StudentResult
from grader.pipeline import GradeOptions, grade_class
from grader.report import RunInfo, write_html

HW03 = load_assignment("hw03")
OUR_TAGS = {"#document", "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section",
            "div", "span", "p", "b", "a", "h1", "h2", "h3", "code", "pre", "ul", "li", "table", "thead", "tbody",
            "tr", "th", "td", "details", "summary", "figure", "figcaption", "input", "script",
            "svg", "rect", "line", "text"}
EVIL = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "</pre><iframe src=//evil.example>",
        "<svg onload=alert(3)>", "' onmouseover='alert(4)", "{{ 7*7 }}", "&lt;already&gt;"]


def hostile_result(student: str) -> StudentResult:
    checks = tuple(
        Check(part="activations", function="relu", case=f"case {evil}", kind="random", passed=False, points=0.0,
              max_points=1.0, message=f"case 'case {evil}' (seed 5) -- {evil}\n call: relu(z={evil})\n"
              f"raised ValueError: {evil}\n expected: {evil}\n got:      {evil}", fault="student",
              public=i % 2 == 0, hint=f"hint {evil}", outcome="returned")
        for i, evil in enumerate(EVIL))
    return StudentResult(student=student, status="graded", message=" ".join(EVIL), late=True, seed=5,
                         submission=EVIL[1] + ".py", parts={p.name: 0.0 for p in HW03.parts}, total=0.0,
                         max_total=HW03.max_total, checks=checks, load_warnings=tuple(EVIL),
                         stdout="\n".join(EVIL), stderr="\n".join(EVIL))


def assert_inert(page_path, script_allowed: str | None) -> str:
    """No element or attribute the templates do not make; only our own script; returns the page's text."""
    page = parse(page_path)
    for node in page.iter():
        assert node.tag in OUR_TAGS, (page_path.name, node.tag, node.attrs)
        assert not any(name.startswith("on") for name in node.attrs), (page_path.name, node.tag, node.attrs)
        assert all("javascript:" not in (v or "") for v in node.attrs.values())
    scripts = page.find_all("script")
    if script_allowed is None:
        assert scripts == []
    else:
        assert [s.all_text() for s in scripts] == [script_allowed]
    csp = next(m.attrs["content"] for m in page.find_all("meta") if m.attrs.get("http-equiv") ==
               "Content-Security-Policy")
    assert "default-src 'none'" in csp
    if script_allowed is not None:
        digest = base64.b64encode(hashlib.sha256(script_allowed.encode()).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in csp
    else:
        assert "script-src 'none'" in csp
    return page.all_text()


def our_script() -> str:
    from grader.report.html import environment

    env = environment()
    return env.loader.get_source(env, "table.js")[0]


def test_constructed_hostile_results_are_escaped(tmp_path):
    students = ['<b>"bold"</b>', "x' onclick='y", "plain"]
    results = [hostile_result(s) for s in students]
    run = RunInfo.now(HW03, '"><script>alert(5)</script>', 10.0, 2048)
    written = write_html(tmp_path, HW03, results, run)
    pages = written.pages()
    assert written.students == len(pages) == len(students)
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in [written.index, *pages])
    index_text = assert_inert(written.index, our_script())
    assert all(s in index_text for s in students)  # shown as text
    for page in pages:
        text = assert_inert(page, None)
        for evil in EVIL:
            assert evil in text  # every hostile string is on the page, as text


def test_a_hostile_submission_graded_end_to_end(tmp_path):
    root = tmp_path / "class"
    root.mkdir()
    student = '<img src=x onerror=alert(1)> "q"'
    (root / f"{student}.py").write_text(textwrap.dedent('''
        import numpy as np
        print("<script>alert('top level')</script>")

        def relu(z):
            print("</pre><script>alert('in relu')</script>")
            return np.zeros(3)

        def relu_grad(z):
            raise ValueError("<iframe src=//evil.example></iframe>")
    '''), encoding="utf-8")
    run = grade_class(GradeOptions(submissions=root, out=tmp_path / "out", timeout=5.0, jobs=1))
    (result,) = run.results
    assert result.student == student and "<script>" in result.stdout
    pages = [tmp_path / "out" / "index.html", *(tmp_path / "out" / "students").glob("*.html")]
    assert len(pages) == 2
    assert student in assert_inert(pages[0], our_script())
    text = assert_inert(pages[1], None)
    assert "<script>alert('top level')</script>" in text and "<iframe src=//evil.example></iframe>" in text
