"""The report in a real browser: headless Chromium loads index.html and a student page from disk,
runs the sort/filter script, renders the tables and SVG charts, and saves screenshots.

Set GRADER_SCREENSHOTS_DIR (e.g. docs/screenshots) to keep copies of the screenshots."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from report_support import parse

from grader.discover import safe_name

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed and could not be "
                                "(on Debian: apt-get install chromium; .ci/run does this when apt-get is available)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def chromium(tmp: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done


def dom(tmp: Path, page: Path, fragment: str = ""):
    """The DOM after the page loaded and its script ran, as Chromium serialises it."""
    done = chromium(tmp, page.resolve().as_uri() + fragment, "--dump-dom", "--virtual-time-budget=3000")
    assert "<table" in done.stdout, done.stdout[:500]
    return parse(done.stdout)


def rows(tree):
    table = next(n for n in tree.iter() if n.attrs.get("id") == "students")
    return table.find_all("tbody")[0].find_all("tr")


def by_id(tree, ident: str):
    return next(n for n in tree.iter() if n.attrs.get("id") == ident)


def test_index_renders_tables_charts_and_links(example_report, tmp_path):
    run, out = example_report
    tree = dom(tmp_path, out / "index.html")
    assert len(rows(tree)) == len(run.results)
    assert by_id(tree, "shown").all_text() == f"{len(run.results)} of {len(run.results)}"  # set by the script
    svgs = tree.find_all("svg")
    assert len(svgs) == 2 and all(len(s.find_all("rect")) >= 10 for s in svgs)
    assert {len(by_id(tree, t).find_all("tr")) for t in ("parts", "functions")} == {
        len(run.assignment.parts) + 1, len(run.assignment.functions) + 1}
    hrefs = [a.attrs["href"] for a in tree.find_all("a")]
    assert {h for h in hrefs if h.startswith("students/")} == {f"students/{safe_name(r.student)}.html"
                                                              for r in run.results}
    assert all((out / h).is_file() for h in hrefs)


def test_sort_and_filter_script(example_report, tmp_path):
    run, out = example_report
    ordered = [r.cells[0].all_text().strip() if hasattr(r, "cells") else r.find_all("td")[0].all_text().strip()
               for r in rows(dom(tmp_path, out / "index.html", "#sort=-total"))]
    totals = {r.student: r.total for r in run.results}
    assert [totals[s] for s in ordered] == sorted(totals.values(), reverse=True)
    assert ordered == sorted(totals, key=lambda s: (-totals[s], s))  # ties by name
    tree = dom(tmp_path, out / "index.html", "#sort=student&q=late")
    visible = [r.find_all("td")[0].all_text().strip() for r in rows(tree) if "hidden" not in r.attrs]
    assert visible == sorted(r.student for r in run.results if r.late)
    assert by_id(tree, "shown").all_text() == f"{len(visible)} of {len(run.results)}"
    header = next(th for th in tree.find_all("th") if th.attrs.get("data-key") == "student")
    assert header.attrs.get("aria-sort") == "ascending"


def test_script_has_no_syntax_error(example_report, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the browser tests above still run the script")
    _, out = example_report
    script = parse(out / "index.html").find_all("script")[0].all_text()
    (tmp_path / "table.js").write_text(script, encoding="utf-8")
    done = subprocess.run([node, "--check", str(tmp_path / "table.js")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_student_page_renders_and_links_resolve(example_report, tmp_path):
    run, out = example_report
    page = out / "students" / f"{safe_name('evans')}.html"
    tree = dom(tmp_path, page)
    assert tree.find_all("div", cls="case") and tree.find_all("div", cls="hint")
    assert len(tree.find_all("section", cls="part-card")) == len(run.assignment.parts)
    for href in (a.attrs["href"] for a in tree.find_all("a")):
        target, _, anchor = href.partition("#")
        if target:
            assert (page.parent / target).is_file(), href
        else:
            assert any(n.attrs.get("id") == anchor for n in tree.iter()), href


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("page", ["index.html", f"students/{safe_name('evans')}.html"])
def test_screenshot(example_report, tmp_path, page):
    _, out = example_report
    shot = tmp_path / (Path(page).stem + ".png")
    chromium(tmp_path, (out / page).resolve().as_uri(), f"--screenshot={shot}", "--window-size=1280,2000")
    assert png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 30_000  # a blank page compresses to a few KB
    keep = os.environ.get("GRADER_SCREENSHOTS_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / ("index.png" if page == "index.html" else "student.png"))
