"""What the chart macros draw: the palette, number formats, and the frozen geometry each layout
returns (bars, stacked rows, lines, sparklines, histograms)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Colour-blind-safe (Okabe-Ito based) palette; fills are SVG attributes so they print.
PALETTE: dict[str, str] = {
    "primary": "#0072b2",
    "good": "#1b8a5a",
    "warn": "#e0a100",
    "bad": "#c8402f",
    "valid": "#1b8a5a",
    "invalid": "#d55e00",
    "missing": "#b8bcc2",
    "neutral": "#8a9099",
    "s1": "#0072b2",
    "s2": "#e69f00",
    "s3": "#009e73",
    "s4": "#cc79a7",
    "s5": "#56b4e9",
    "s6": "#d55e00",
}
SERIES_COLORS = ("s1", "s2", "s3", "s4", "s5", "s6")
#: line styles, one per round through SERIES_COLORS: 6 colours x 4 dashes tell 24 series apart
SERIES_DASHES = ("", "7 4", "2 3", "9 3 2 3")
FORMATS = ("num", "int", "pct", "pct0", "score")

FONT_PX = 12
CHAR_PX = 6.6  # average glyph width of the system sans font at FONT_PX, for label truncation
ROW_H = 22
BAR_H = 14
PAD = 6
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def color(name: str | None, default: str = "primary") -> str:
    """Resolve a palette name or hex colour; anything else falls back so no odd string reaches SVG."""
    if name and name in PALETTE:
        return PALETTE[name]
    if name and _HEX.match(name):
        return name
    return PALETTE.get(default, PALETTE["primary"])


def px(value: float) -> str:
    """An SVG coordinate: at most two decimals, no float noise such as ``102.39999999999999``."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def ink(fill: str) -> str:
    """Text class that stays readable on ``fill``: dark text on light fills, white on dark ones."""
    h = fill.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    try:
        r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return "on-dark"
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "on-light" if lum > 0.55 else "on-dark"


def format_value(value: float | int | None, fmt: str = "num") -> str:
    """Format a number for display; ``None`` (no data) is an em dash, never ``0``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown number format {fmt!r}: use one of {', '.join(FORMATS)}")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    text = _format(v, fmt)
    # a tiny negative rounds to "-0.0%": nothing changed, so no sign
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def _format(v: float, fmt: str) -> str:
    if fmt == "pct":
        return f"{v * 100:.1f}%"
    if fmt == "pct0":
        return f"{v * 100:.0f}%"
    if fmt == "int":
        return f"{round(v):,}"
    if fmt == "score":
        return f"{v:.1f}"
    return f"{int(v):,}" if v.is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class LegendEntry:
    name: str
    color: str
    note: str = ""
    dash: str = ""  # a line series' stroke-dasharray ("" = solid)


@dataclass(frozen=True)
class Tick:
    pos: float
    text: str


@dataclass(frozen=True)
class Bar:
    label: str
    short: str
    value: float | None
    text: str
    y: float
    width: float
    color: str


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    label_width: float
    plot_x: float
    plot_width: float
    bar_height: float
    bars: list[Bar]
    legend: list[LegendEntry]
    summary: str


@dataclass(frozen=True)
class Segment:
    series: str
    x: float
    width: float
    text: str
    short_text: str
    color: str
    ink: str  # CSS class for on-bar text: "on-dark" or "on-light"
    show_text: bool


@dataclass(frozen=True)
class StackedRow:
    label: str
    short: str
    y: float
    segments: list[Segment]
    text: str


@dataclass(frozen=True)
class StackedChart:
    width: float
    height: float
    label_width: float
    plot_x: float
    plot_width: float
    bar_height: float
    rows: list[StackedRow]
    legend: list[LegendEntry]
    series: list[str]
    summary: str


@dataclass(frozen=True)
class LinePoint:
    x: float
    y: float
    label: str
    text: str


@dataclass(frozen=True)
class LineSeries:
    name: str
    color: str
    paths: list[str]
    points: list[LinePoint]
    texts: list[str]  # one per x label, "—" where the series has no value
    dash: str = ""  # stroke-dasharray: series past the palette's six colours differ by dash, not only hue


@dataclass(frozen=True)
class LineChart:
    width: float
    height: float
    plot_x: float
    plot_y: float
    plot_width: float
    plot_height: float
    x_labels: list[str]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[LineSeries]
    legend: list[LegendEntry]
    summary: str


@dataclass(frozen=True)
class Sparkline:
    width: float
    height: float
    path: str
    last: LinePoint | None
    text: str
    summary: str


@dataclass(frozen=True)
class Column:
    label: str
    short: str
    x: float
    y: float
    width: float
    height: float
    text: str
    show_label: bool
    show_text: bool


@dataclass(frozen=True)
class Histogram:
    width: float
    height: float
    plot_x: float
    plot_y: float
    plot_width: float
    plot_height: float
    columns: list[Column]
    y_ticks: list[Tick]
    legend: list[LegendEntry]
    color: str
    summary: str


