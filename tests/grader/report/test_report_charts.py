"""grader.report.charts: well-formed SVG, bars that match the data, labels escaped."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from grader.report.charts import histogram, histogram_bins, histogram_of, rate_bars

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_histogram_bins_edges():
    # 0 and 9.99 in the first bin, 10 in the second, 100 in the last, 55 in the sixth
    assert histogram_bins([0.0, 9.99, 10.0, 100.0, 55.0]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]


def test_histogram_bar_heights_follow_the_counts():
    rects = bars(histogram([5.0, 5.0, 95.0, 100.0, 100.0, 100.0]))
    heights = [float(r.get("height")) for r in rects]
    assert len(rects) == 10
    assert heights[0] == pytest.approx(heights[9] * 2 / 4) and heights[9] == max(heights)
    assert all(h == 0 for h in heights[1:9])


def test_rate_bars_widths_are_proportional_and_labels_escaped():
    rows = [("f<script>", "part & co", 1.0), ("g", "other", 0.5), ("h", "other", 0.0)]
    svg = rate_bars(rows)
    rects = bars(svg)
    widths = [float(r.get("width")) for r in rects]
    assert widths[1] == pytest.approx(widths[0] / 2) and widths[2] < 1
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "f<script>" in texts and "part & co" in texts  # shown as text, parsed back from escaped XML
    assert "<script" not in svg
    colours = {r.get("fill") for r in rects}
    assert len(colours) == 2  # one colour per group


def test_histogram_of_counts_equals_histogram_of_percents():
    percents = [0.0, 9.99, 10.0, 100.0, 55.0, 55.5]
    assert histogram_of(histogram_bins(percents)) == histogram(percents)
    assert "Histogram of totals: 6 students" in histogram_of(histogram_bins(percents))
