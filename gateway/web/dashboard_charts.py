"""The dashboard's charts, drawn on the server as inline SVG: no script, no chart library.

Each chart is geometry computed here (rectangles, lines and labels in the SVG's own units)
and drawn by templates/dashboard_chart.html with presentation attributes only (``fill``,
``x``, ``width``...), which the strict Content-Security-Policy allows where a ``style``
attribute would be refused. Every chart has a title and a text alternative, and the page
shows its data as a table beside it, so nothing is only in the picture.

The figures are the requests service's; the only arithmetic here is for drawing: a bar's
length, and the cumulative buckets of response times taken apart into the four bands a
stacked bar shows (within a week, one to two, two to four, over four weeks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 720
# colours with at least 3:1 contrast against white and each other's neighbours (WCAG 1.4.11)
BAR = "#004494"
TARGET = "#da2131"
GRID = "#8c8c8c"
TEXT = "#1f1f1f"
BANDS = ("#1b6e20", "#5d8a0b", "#a35c00", "#b3112b")
BAND_KEYS = ("within_1_week", "one_to_two_weeks", "two_to_four_weeks", "over_4_weeks")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    label: str  # what the shape stands for, read out as its <title>


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"  # SVG text-anchor


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID
    dashed: bool = False


@dataclass
class Chart:
    id: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, text)


def _nice_top(value: float, ticks: int = 4) -> int:
    """The axis' end: ``ticks`` whole steps of 1, 2 or 5 times a power of ten, at or above
    ``value``, so that every gridline is labelled with a whole number."""
    if value <= 0:
        return ticks
    wanted = value / ticks
    power = 10 ** max(0, math.floor(math.log10(wanted)))
    steps = (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10)  # 2.5: whole from 10 up
    for step in steps:
        if wanted <= step * power:
            return int(step * power * ticks)
    return int(10 * power * ticks)


def column_chart(chart_id: str, points: list[tuple[str, int]], number, describe) -> Chart:
    """Vertical bars, one per point (label, value); ``number`` writes a value in the reader's
    locale, ``describe(label, value)`` says what one bar is."""
    left, right, top, bottom = 56, 16, 16, 48
    height = 280
    chart = Chart(chart_id, WIDTH, height)
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    highest = _nice_top(max((value for _, value in points), default=0))
    for step in range(5):
        value = highest * step / 4
        y = top + plot_height - plot_height * step / 4
        chart.lines.append(Line(left, y, WIDTH - right, y))
        chart.labels.append(Label(left - 6, y + 4, number(int(value)), "end"))
    if not points:
        return chart
    slot = plot_width / len(points)
    every = max(1, math.ceil(len(points) / 12))  # at most twelve labels under the bars
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / highest
        x = left + index * slot + slot * 0.15
        chart.rects.append(
            Rect(x, top + plot_height - bar_height, slot * 0.7, bar_height, BAR,
                 describe(label, value))
        )  # fmt: skip
        if index % every == 0:
            chart.labels.append(Label(x + slot * 0.35, height - bottom + 18, label, "middle"))
    return chart


def response_bands(row: dict) -> dict[str, int]:
    """The cumulative buckets of one row of ``response_times`` as four separate bands."""
    return {
        "within_1_week": row["within_1_week"],
        "one_to_two_weeks": row["within_2_weeks"] - row["within_1_week"],
        "two_to_four_weeks": row["within_4_weeks"] - row["within_2_weeks"],
        "over_4_weeks": row["over_4_weeks"],
    }


def stacked_bar_chart(
    chart_id: str, rows: list[tuple[str, dict[str, int]]], band_names: dict[str, str], describe
) -> Chart:
    """Horizontal bars of 100 %, one per row (label, bands), each split into the bands'
    shares; ``describe(label, band name, count, total)`` says what one piece is."""
    left, right, top, row_height = 160, 16, 40, 26
    height = top + row_height * len(rows) + 24
    chart = Chart(chart_id, WIDTH, height)
    plot_width = WIDTH - left - right
    chart.legend = [(colour, band_names[key]) for colour, key in zip(BANDS, BAND_KEYS, strict=True)]
    for index, (colour, key) in enumerate(zip(BANDS, BAND_KEYS, strict=True)):
        x = 8 + index * (WIDTH - 8) / 4
        chart.rects.append(Rect(x, 8, 14, 14, colour, band_names[key]))
        chart.labels.append(Label(x + 20, 20, band_names[key]))
    for row_index, (label, bands) in enumerate(rows):
        y = top + row_index * row_height
        chart.labels.append(Label(left - 8, y + row_height * 0.6, label, "end"))
        total = sum(bands.values())
        x = left
        for colour, key in zip(BANDS, BAND_KEYS, strict=True):
            count = bands[key]
            if not total or not count:
                continue
            width = plot_width * count / total
            chart.rects.append(
                Rect(x, y + 3, width, row_height - 6, colour,
                     describe(label, band_names[key], count, total))
            )  # fmt: skip
            x += width
    chart.lines.append(Line(left, top - 4, left, height - 20))
    return chart


def bar_chart(
    chart_id: str,
    rows: list[tuple[str, float | None]],
    top: float,
    tick,
    describe,
    target: float | None = None,
) -> Chart:
    """Horizontal bars, one per row (label, value; None draws nothing), on an axis from 0 to
    ``top`` whose four steps ``tick(value)`` writes, with the target as a dashed line."""
    left, right, top_margin, row_height = 160, 16, 24, 24
    height = top_margin + row_height * len(rows) + 24
    chart = Chart(chart_id, WIDTH, height)
    plot_width = WIDTH - left - right
    for step in range(5):
        x = left + plot_width * step / 4
        chart.lines.append(Line(x, top_margin - 4, x, height - 20))
        chart.labels.append(Label(x, top_margin - 10, tick(top * step / 4), "middle"))
    for index, (label, value) in enumerate(rows):
        y = top_margin + index * row_height
        chart.labels.append(Label(left - 8, y + row_height * 0.6, label, "end"))
        if value:
            width = plot_width * min(value, top) / top
            chart.rects.append(
                Rect(left, y + 4, width, row_height - 8, BAR, describe(label, value))
            )
    if target is not None:
        x = left + plot_width * min(target, top) / top
        chart.lines.append(Line(x, top_margin - 4, x, height - 20, TARGET, dashed=True))
    return chart


def share_chart(
    chart_id: str, rows: list[tuple[str, float | None]], target: float | None, percent, describe
) -> Chart:
    """Horizontal bars of a share (0 to 1) per row, with the target as a dashed line."""
    return bar_chart(chart_id, rows, 1, percent, describe, target)


def count_chart(chart_id: str, rows: list[tuple[str, int]], number, describe) -> Chart:
    """Horizontal bars of a count per row, on an axis of whole numbers."""
    top = _nice_top(max((value for _, value in rows), default=0))
    return bar_chart(chart_id, rows, top, lambda value: number(int(value)), describe)


def measure_chart(
    chart_id: str, rows: list[tuple[str, float | None]], target: float, number, describe
) -> Chart:
    """Horizontal bars of a measure per row (days, say) with its target as a dashed line, on
    an axis long enough for both."""
    values = [value for _, value in rows if value is not None]
    top = _nice_top(max([*values, target]))
    return bar_chart(chart_id, rows, top, lambda value: number(int(value)), describe, target)


def paired_bar_chart(
    chart_id: str, rows: list[tuple[str, int, int]], names: tuple[str, str], number, describe
) -> Chart:
    """Two horizontal bars per row (label, first, second) on one axis of whole numbers, told
    apart by colour and a legend; ``describe(label, name, value)`` says what one bar is."""
    left, right, top, row_height = 160, 16, 48, 30
    height = top + row_height * len(rows) + 24
    chart = Chart(chart_id, WIDTH, height)
    plot_width = WIDTH - left - right
    colours = (BAR, BANDS[2])
    for index, (colour, name) in enumerate(zip(colours, names, strict=True)):
        x = 8 + index * (WIDTH - 8) / 2
        chart.rects.append(Rect(x, 8, 14, 14, colour, name))
        chart.labels.append(Label(x + 20, 20, name))
    highest = _nice_top(max((max(first, second) for _, first, second in rows), default=0))
    for step in range(5):
        x = left + plot_width * step / 4
        chart.lines.append(Line(x, top - 4, x, height - 20))
        chart.labels.append(Label(x, top - 10, number(int(highest * step / 4)), "middle"))
    for index, (label, *values) in enumerate(rows):
        y = top + index * row_height
        chart.labels.append(Label(left - 8, y + row_height * 0.6, label, "end"))
        for offset, (colour, name, value) in enumerate(zip(colours, names, values, strict=True)):
            if value:
                chart.rects.append(
                    Rect(left, y + 3 + offset * 12, plot_width * value / highest, 11, colour,
                         describe(label, name, value))
                )  # fmt: skip
    return chart
