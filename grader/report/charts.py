"""Charts as inline SVG strings (well-formed XML, no scripts, no external references): histogram and bars."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#3b6ea5", "#c2703d", "#4f8a5b", "#8a5a9e", "#b8475c", "#5b8f95", "#9a8a3a", "#6b6b6b")
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\""


def histogram_bins(percents: Sequence[float], bins: int = 10) -> list[int]:
    """Counts of percents in [0, 10), [10, 20), ..., [90, 100] (the last bin holds 100)."""
    counts = [0] * bins
    for p in percents:
        counts[histogram_bin(p, bins)] += 1
    return counts


def histogram_bin(percent: float, bins: int = 10) -> int:
    """The bin of one percent: 0 for [0, 10), ..., bins - 1 for [90, 100] (the last bin holds 100)."""
    return min(bins - 1, max(0, int(percent // (100.0 / bins))))


def histogram(percents: Sequence[float], bins: int = 10, width: int = 440, height: int = 240) -> str:
    """A histogram of the students' totals (percent of the maximum), one bar per 10 points."""
    return histogram_of(histogram_bins(percents, bins), width, height)


def histogram_of(counts: Sequence[int], width: int = 440, height: int = 240) -> str:
    """The histogram of `counts` (students per bin, as `histogram_bins` gives them): counted as the students
    go by, so the class's percents need not be kept."""
    counts, bins = list(counts), len(counts)
    top = max(counts + [1])
    left, right, upper, lower = 40, 12, 24, 40
    plot_w, plot_h = width - left - right, height - upper - lower
    bar_w = plot_w / bins
    parts = [_open(width, height, f"Histogram of totals: {sum(counts)} students")]
    for tick in _ticks(top):
        y = upper + plot_h * (1 - tick / top)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#555">{tick}</text>')
    for i, n in enumerate(counts):
        x = left + i * bar_w
        h = plot_h * n / top
        lo, hi = i * 100 // bins, (i + 1) * 100 // bins
        label = f"{lo}-{hi}%: {n} student{'s' if n != 1 else ''}"
        parts.append(f'<rect class="bar" x="{x + 2:.1f}" y="{upper + plot_h - h:.1f}" width="{bar_w - 4:.1f}" '
                     f'height="{h:.1f}" fill="{PALETTE[0]}" rx="2"><title>{escape(label)}</title></rect>')
        if n:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{upper + plot_h - h - 5:.1f}" text-anchor="middle" '
                         f'font-size="11" fill="#333">{n}</text>')
    for i in range(bins + 1):
        x = left + i * bar_w
        parts.append(f'<text x="{x:.1f}" y="{upper + plot_h + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#555">{i * 100 // bins}</text>')
    parts.append(f'<line x1="{left}" y1="{upper + plot_h}" x2="{width - right}" y2="{upper + plot_h}" stroke="#888"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" '
                 f'fill="#333">total (% of maximum)</text>')
    parts.append(f'<text x="{left}" y="14" font-size="12" fill="#333">students</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def rate_bars(rows: Sequence[tuple[str, str, float]], width: int = 640, row_h: int = 20) -> str:
    """Horizontal bars of pass rates; `rows` are (label, group, rate in [0, 1]); one colour per group."""
    groups = list(dict.fromkeys(g for _, g, _ in rows))
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    label_w, right, upper = 170, 56, 34
    plot_w = width - label_w - right
    height = upper + row_h * len(rows) + 26
    parts = [_open(width, height, f"Pass rate of each function's cases ({len(rows)} functions)")]
    x = label_w
    for g in groups:  # the legend: one swatch per group (part)
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour[g]}" rx="2"/>')
        parts.append(f'<text x="{x + 16}" y="18" font-size="11" fill="#333">{escape(g)}</text>')
        x += 24 + 7 * len(g)
    for tick in (0, 25, 50, 75, 100):
        tx = label_w + plot_w * tick / 100
        parts.append(f'<line x1="{tx:.1f}" y1="{upper - 4}" x2="{tx:.1f}" y2="{upper + row_h * len(rows)}" '
                     f'stroke="#e3e6ea"/>')
        parts.append(f'<text x="{tx:.1f}" y="{upper + row_h * len(rows) + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#555">{tick}%</text>')
    for i, (label, group, rate) in enumerate(rows):
        y = upper + i * row_h
        rate = min(1.0, max(0.0, rate))
        tip = f"{label} ({group}): {100 * rate:.1f}% of cases passed"
        parts.append(f'<text x="{label_w - 8}" y="{y + row_h * 0.68:.1f}" text-anchor="end" font-size="12" '
                     f'font-family="ui-monospace, monospace" fill="#222">{escape(label)}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{max(plot_w * rate, 0.5):.1f}" '
                     f'height="{row_h - 6}" fill="{colour[group]}" rx="2"><title>{escape(tip)}</title></rect>')
        parts.append(f'<text x="{label_w + plot_w * rate + 5:.1f}" y="{y + row_h * 0.68:.1f}" font-size="11" '
                     f'fill="#333">{100 * rate:.0f}%</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" {FONT}>'
            f"<title>{escape(title)}</title>")


def _ticks(top: int) -> list[int]:
    """A few round y-axis values from 0 to `top`."""
    step = max(1, -(-top // 5))
    return list(range(0, top + 1, step))
