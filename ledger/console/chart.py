"""A stacked bar chart of fund totals by month and programme, drawn as SVG on the server.

No script and no chart library: the page carries plain ``<rect>`` elements
(presentation attributes, not inline styles, so the CSP forbids nothing it needs)
and prints as sharply as it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.console.formats import yuan
from ledger.domain.programme_names import programme_name

COLOURS = ("#1f6fb2", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bb8", "#8c6d3f", "#d16ba5",
           "#7f8c8d", "#b5a31f")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 760, 260, 90, 30, 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    months: list[tuple[float, str]]
    legend: list[tuple[str, str]]


def fund_chart(months: dict[str, dict[str, int]]) -> Chart:
    """``months``: month -> programme -> net fen paid; twelve or fewer months side by side."""
    programmes = sorted({p for by in months.values() for p in by})
    colour = {p: COLOURS[i % len(COLOURS)] for i, p in enumerate(programmes)}
    top = max((sum(max(v, 0) for v in by.values()) for by in months.values()), default=0) or 1
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bars, labels = [], []
    for i, (month, by) in enumerate(sorted(months.items())):
        width = min(slot * 0.7, 60.0)
        x = LEFT + i * slot + (slot - width) / 2
        y: float = HEIGHT - BOTTOM
        for programme in programmes:
            value = max(by.get(programme, 0), 0)
            h = plot_h * value / top
            y -= h
            bars.append(Bar(round(x, 1), round(y, 1), round(width, 1), round(h, 1),
                            colour[programme],
                            f"{month} {programme_name(programme)} {yuan(value)} 元"))
        labels.append((round(x + width / 2, 1), month[5:] + "月"))
    ticks = [(round(HEIGHT - BOTTOM - plot_h * k / 4, 1), _tick(top * k // 4)) for k in range(5)]
    legend = [(colour[p], programme_name(p)) for p in programmes]
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, legend)


def _tick(fen: int) -> str:
    """An axis label: yuan below 100,000, 万元 above."""
    yuan_value = fen // 100
    return f"{yuan_value:,}" if yuan_value < 100_000 else f"{yuan_value / 10000:,.1f}万"
