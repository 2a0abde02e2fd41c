"""The geometry of the dashboard's charts, drawn as server-rendered SVG by the templates (ANA-6):
no chart library, no script. Each function turns a selector's figures into shapes in a fixed
viewBox (the SVG scales to its box, so a 375 px phone shows the whole chart)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ratings_inbox import l10n

WIDTH = 360
BAR_AREA_TOP = 12
BAR_AREA_HEIGHT = 120
AXIS_Y = BAR_AREA_TOP + BAR_AREA_HEIGHT
LEFT = 28
ROW_HEIGHT = 26
LABEL_WIDTH = 110


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str = ""


def _round(value: float) -> float:
    return round(value, 1)


def nps_bars(series: list[dict], *, labels: list[str], width: int = WIDTH) -> dict:
    """Stacked bars per period (detractors at the bottom, then passives, promoters on top), their
    height the period's volume, and the NPS of each period as a line over a -100..100 scale.
    `width`: the viewBox's (a wide chart for wide screens keeps its text the size of the page's)."""
    chart_width = width
    count = max(len(series), 1)
    slot = (chart_width - LEFT - 4) / count
    width = max(min(slot * 0.7, 36), 1.5)
    peak = max([row["ratings"] for row in series] + [1])
    rects, points, ticks = [], [], []
    every = max(1, round(count / (chart_width / 60)))
    for index, (row, label) in enumerate(zip(series, labels, strict=True)):
        x = LEFT + index * slot + (slot - width) / 2
        y = AXIS_Y
        for band in ("detractors", "passives", "promoters"):
            height = BAR_AREA_HEIGHT * row[band] / peak
            if height:
                y -= height
                rects.append(Rect(_round(x), _round(y), _round(width), _round(height), band,
                                  f"{label}: {row[band]}"))
        if row["nps"] is not None:
            points.append((_round(x + width / 2), _round(AXIS_Y - BAR_AREA_HEIGHT * (row["nps"] + 100) / 200)))
        if index % every == 0:
            ticks.append({"x": _round(x + width / 2), "label": label})
    return {"rects": rects, "line": " ".join(f"{x},{y}" for x, y in points), "dots": points, "ticks": ticks,
            "peak": peak, "axis_y": AXIS_Y, "top": BAR_AREA_TOP, "middle": BAR_AREA_TOP + BAR_AREA_HEIGHT / 2,
            "left": LEFT, "right": chart_width - 4, "height": AXIS_Y + 22, "width": chart_width}


def horizontal_bars(rows: list[tuple[str, float | None, str]], *, low: float, high: float,
                    css: str = "positive") -> dict:
    """One labelled bar per row (label, value or None, shown text) on a low..high scale, from zero;
    a negative value's bar is drawn left of zero, in the class `negative`."""
    span = high - low
    area = WIDTH - LABEL_WIDTH - 56  # room for the value after the longest bar
    zero = LABEL_WIDTH + area * (0 - low) / span
    bars = []
    for index, (label, value, text) in enumerate(rows):
        y = index * ROW_HEIGHT + 4
        if value is None:
            bars.append({"y": y, "label": label, "text": text, "rect": None, "text_x": _round(zero + 4)})
            continue
        end = LABEL_WIDTH + area * (value - low) / span
        x, width = min(zero, end), abs(end - zero)
        bars.append({"y": y, "label": label, "text": text, "text_x": _round(max(zero, end) + 4),
                     "rect": Rect(_round(x), y + 3, _round(max(width, 1)), ROW_HEIGHT - 10, "negative" if value < 0 else css)})
    return {"bars": bars, "zero": _round(zero), "label_x": LABEL_WIDTH - 6, "width": WIDTH,
            "height": max(len(rows), 1) * ROW_HEIGHT + 6}


def funnel(steps: list[tuple[str, int, str]], base: int) -> dict:
    """The recovery funnel: each step a bar centred on the axis, its width its share of the base."""
    area = WIDTH - 8
    bars = []
    for index, (label, count, text) in enumerate(steps):
        width = area * count / base if base else 0
        y = index * (ROW_HEIGHT + 10) + 14
        bars.append({"label": label, "text": text, "label_y": y, "rect": Rect(
            _round(4 + (area - width) / 2), y + 4, _round(max(width, 1.5)), ROW_HEIGHT - 8, f"step step-{index}")})
    return {"bars": bars, "width": WIDTH, "height": len(steps) * (ROW_HEIGHT + 10) + 8, "middle": WIDTH / 2}


def nps_svg(chart: dict, *, size: str, labelledby: str) -> SafeString:
    """The NPS chart's SVG markup, written here rather than by template loops: two years by week
    are some 700 shapes, which the template language drew in 60 ms (bench)."""
    left, right, top, middle, axis = chart["left"], chart["right"], chart["top"], chart["middle"], chart["axis_y"]
    parts = [f'<svg class="chart chart-{escape(size)}" viewBox="0 0 {chart["width"]} {chart["height"]}" role="img" '
             f'aria-labelledby="{escape(labelledby)}" focusable="false">',
             f'<line class="axis" x1="{left}" x2="{right}" y1="{axis}" y2="{axis}"/>',
             f'<line class="grid" x1="{left}" x2="{right}" y1="{top}" y2="{top}"/>',
             f'<line class="grid" x1="{left}" x2="{right}" y1="{middle}" y2="{middle}"/>',
             f'<text class="tick" x="{left - 4}" y="{top + 4}" text-anchor="end">{chart["peak"]}</text>',
             f'<text class="tick" x="{left - 4}" y="{axis}" text-anchor="end">0</text>']
    parts += [f'<rect class="{r.css}" x="{r.x}" y="{r.y}" width="{r.width}" height="{r.height}">'
              f'<title>{escape(r.title)}</title></rect>' for r in chart["rects"]]
    if chart["line"]:
        parts.append(f'<polyline class="nps-line" points="{chart["line"]}"/>')
    parts += [f'<circle class="nps-dot" cx="{x}" cy="{y}" r="2.2"/>' for x, y in chart["dots"]]
    parts += [f'<text class="tick" x="{tick["x"]}" y="{axis + 14}" text-anchor="middle">{escape(tick["label"])}</text>'
              for tick in chart["ticks"]]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value is a number of ours or escaped above


def _number(value) -> str:
    """A count as the page shows it: grouped in the active language's way past 999, '—' for none;
    text (a figure formatted already) escaped."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return escape(value)
    if -1000 < value < 1000:
        return str(value)
    return l10n.number(value)


def table_rows(rows: list[tuple[str, list]], *, css: str = "") -> SafeString:
    """<tr>s of a numbers table, (row label, values): the NPS table has a row per week, 105 over two
    years, and a large merchant's branch tables 20 rows each, which template loops and their
    localisation drew in 25 ms and more (bench)."""
    row_class = f' class="{escape(css)}"' if css else ""
    return mark_safe("".join(
        f'<tr{row_class}><th scope="row">{escape(label)}</th>'
        + "".join(f'<td class="num">{_number(value)}</td>' for value in values) + "</tr>"
        for label, values in rows))  # labels and text escaped, the rest numbers


def hbars_svg(chart: dict, *, labelledby: str) -> SafeString:
    """A horizontal_bars() chart's SVG markup (one bar per branch: 20 at a large merchant)."""
    parts = [f'<svg class="chart hbars" viewBox="0 0 {chart["width"]} {chart["height"]}" role="img" '
             f'aria-labelledby="{escape(labelledby)}" focusable="false">',
             f'<line class="axis" x1="{chart["zero"]}" x2="{chart["zero"]}" y1="0" y2="{chart["height"]}"/>']
    for bar in chart["bars"]:
        label = bar["label"] if len(bar["label"]) <= 18 else bar["label"][:17] + "…"
        parts.append(f'<text class="bar-label" x="{chart["label_x"]}" y="{bar["y"] + 14}" text-anchor="end">'
                     f'{escape(label)}</text>')
        rect = bar["rect"]
        if rect is not None:
            parts.append(f'<rect class="{rect.css}" x="{rect.x}" y="{rect.y}" width="{rect.width}" '
                         f'height="{rect.height}"/>')
        parts.append(f'<text class="bar-value" x="{bar["text_x"]}" y="{bar["y"] + 14}">{escape(bar["text"])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value is a number of ours or escaped above
