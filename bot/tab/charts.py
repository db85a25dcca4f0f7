"""Bar charts drawn on the server as SVG: counts by health, phase and transfer status.

Each chart is a `<figure>`: a caption, an SVG of horizontal bars with their labels and counts
(an image to assistive technology, its `aria-label` saying every count), and a list of the
same counts as links that filter the table (`/tab?health=red`), which is what a keyboard or
screen reader user follows. Colours come from CSS classes (`bar-red`, `bar-accent`, …) so the
themes restyle them; the SVG uses presentation attributes only, no inline style, which the
page's Content-Security-Policy would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

BAR_HEIGHT = 22
GAP = 8
CHARACTER_WIDTH = 7      # a 12 px label's characters, generously
BAR_WIDTH = 170
COUNT_WIDTH = 50


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    css: str          # the bar's colour class
    href: str         # the table filtered to these projects


def bar_chart(chart_id: str, title: str, bars: list[Bar], summary: str) -> str:
    """One chart as HTML (`summary` is the spoken text: every label with its count)."""
    largest = max((bar.count for bar in bars), default=0) or 1
    label_width = 12 + CHARACTER_WIDTH * max((len(bar.label) for bar in bars), default=4)
    height = len(bars) * (BAR_HEIGHT + GAP)
    width = label_width + BAR_WIDTH + COUNT_WIDTH
    shapes = []
    for index, bar in enumerate(bars):
        y = index * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * bar.count / largest) if bar.count else 0
        middle = y + BAR_HEIGHT / 2
        shapes.append(
            f'<text x="{label_width - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{max(length, 2)}" height="{BAR_HEIGHT}" '
            f'rx="3" class="bar {escape(bar.css)}"></rect>'
            f'<text x="{label_width + max(length, 2) + 6}" y="{middle}" '
            f'dominant-baseline="middle" class="chart-count">{bar.count}</text>')
    links = "".join(
        f'<li><a href="{escape(bar.href)}">{escape(bar.label)}: {bar.count}</a></li>'
        for bar in bars)
    return (f'<figure class="chart" id="{escape(chart_id)}">'
            f'<figcaption>{escape(title)}</figcaption>'
            f'<svg role="img" aria-label="{escape(summary)}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" focusable="false">{"".join(shapes)}</svg>'
            f'<ul class="chart-links">{links}</ul></figure>')
