"""Chart geometry for the inline-SVG macros in ``templates/charts.html.j2``.

The macros only emit markup; every coordinate, scale, tick and formatted number is
computed here, in typed and testable Python, and handed to the template as frozen
dataclasses. Nothing here returns markup, so autoescaping still covers every label.

Inputs are plain data so callers can pass rows straight from JSON documents:

* a *pair* is ``[label, value]`` (list or tuple) or a mapping with ``label`` and ``value``;
* a *series* is ``{"name", "points": [[x_label, y], ...], "color"?}`` or ``[name, points]``;
* a *colour* is a palette name (see :data:`PALETTE`) or ``#rgb`` / ``#rrggbb``.

The palette, number formats and the geometry types live in :mod:`mdm.reports.chart_types`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mdm.reports.chart_types import (  # the types and helpers are read from here too (charts.PALETTE, ...)
    BAR_H,
    CHAR_PX,
    FORMATS,
    PAD,
    PALETTE,
    ROW_H,
    SERIES_COLORS,
    SERIES_DASHES,
    Bar,
    BarChart,
    Column,
    Histogram,
    LegendEntry,
    LineChart,
    LinePoint,
    LineSeries,
    Segment,
    Sparkline,
    StackedChart,
    StackedRow,
    Tick,
    color,
    format_value,
    ink,
    px,
)


def _pair(item: Any) -> tuple[str, float | None]:
    """Accept ``[label, value]`` or ``{"label", "value"}`` so JSON rows can be passed as they are."""
    if isinstance(item, Mapping):
        label, value = item.get("label"), item.get("value")
    elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        label, value = item[0], item[1]
    else:
        raise ValueError(f"chart item {item!r} must be [label, value] or a mapping with 'label' and 'value'")
    return ("" if label is None else str(label)), as_number(value)


def as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _short(label: str, max_chars: int) -> str:
    return label if len(label) <= max_chars else label[: max(1, max_chars - 1)] + "…"


def _label_width(labels: Iterable[str], width: float) -> float:
    longest = max((len(lb) for lb in labels), default=4)
    return float(min(longest * CHAR_PX + 10, width * 0.32))


def legend_entries(entries: Iterable[Any]) -> list[LegendEntry]:
    """Normalise ``LegendEntry``, ``name``, ``[name, colour]`` or ``{"name", "color", "note"?}``.

    Entries without a usable colour get the next series colour, so callers may pass names only.
    """
    out: list[LegendEntry] = []
    for i, e in enumerate(entries):
        default = SERIES_COLORS[i % len(SERIES_COLORS)]
        if isinstance(e, LegendEntry):
            out.append(e)
        elif isinstance(e, Mapping):
            out.append(LegendEntry(str(e.get("name", "")), color(e.get("color"), default), str(e.get("note", ""))))
        elif isinstance(e, str):
            out.append(LegendEntry(e, color(None, default)))
        else:
            out.append(LegendEntry(str(e[0]), color(e[1] if len(e) > 1 else None, default)))
    return out


def _thresholds(thresholds: Iterable[Any] | None, fmt: str) -> list[tuple[float, str, str]]:
    """``[[min, colour, name?], ...]`` or mappings ``{"min", "color", "label"?}``, highest ``min`` first."""
    out: list[tuple[float, str, str]] = []
    for t in thresholds or []:
        if isinstance(t, Mapping):
            lo, col, name = t["min"], t["color"], t.get("label")
        else:
            lo, col, name = t[0], t[1], (t[2] if len(t) > 2 else None)
        out.append((float(lo), color(col), str(name) if name else f"≥ {format_value(float(lo), fmt)}"))
    return sorted(out, key=lambda x: x[0], reverse=True)


def layout_bars(items: Iterable[Any], *, fmt: str = "num", max_value: float | None = None,
                thresholds: Iterable[Any] | None = None, color_name: str = "primary",
                series_name: str = "value", width: float = 640) -> BarChart:
    """Horizontal bars; a bar takes the colour of the first threshold its value reaches."""
    pairs = [_pair(i) for i in items]
    if max_value is None and fmt in ("pct", "pct0"):
        max_value = 1.0
    top = max_value if max_value is not None else max((v for _, v in pairs if v is not None), default=0.0)
    top = top if top and top > 0 else 1.0
    bands = _thresholds(thresholds, fmt)
    base = color(color_name)
    label_w = _label_width((lb for lb, _ in pairs), width)
    value_w = 64.0
    plot_x = label_w + PAD
    plot_w = max(width - plot_x - value_w, 40.0)
    bars: list[Bar] = []
    for i, (label, value) in enumerate(pairs):
        col = base
        if value is not None:
            col = next((c for lo, c, _ in bands if value >= lo), base)
        frac = 0.0 if value is None else min(max(value / top, 0.0), 1.0)
        bars.append(Bar(label, _short(label, int(label_w / CHAR_PX)), value, format_value(value, fmt),
                        PAD + i * ROW_H, round(frac * plot_w, 2), col))
    legend = ([LegendEntry(name, c) for _, c, name in bands] if bands
              else [LegendEntry(series_name, base)])
    height = PAD * 2 + max(len(bars), 1) * ROW_H
    summary = "; ".join(f"{b.label}: {b.text}" for b in bars) or "no data"
    return BarChart(width, height, label_w, plot_x, plot_w, BAR_H, bars, legend, summary)


def layout_stacked(rows: Iterable[Any], series: Iterable[Any], *, fmt: str = "pct", normalize: bool = True,
                   width: float = 640) -> StackedChart:
    """Stacked horizontal bars, one per row; ``normalize`` scales each row to its own total (shares)."""
    legend = legend_entries(series)
    parsed: list[tuple[str, list[float]]] = []
    for r in rows:
        if isinstance(r, Mapping):
            label, values = r.get("label"), r.get("values")
        else:
            label, values = r[0], r[1]
        vals = [max(as_number(v) or 0.0, 0.0) for v in (values or [])]
        parsed.append(("" if label is None else str(label), vals))
    biggest = max((sum(v) for _, v in parsed), default=0.0) or 1.0
    label_w = _label_width((lb for lb, _ in parsed), width)
    value_w = 120.0
    plot_x = label_w + PAD
    plot_w = max(width - plot_x - value_w, 40.0)
    compact = "pct0" if fmt in ("pct", "pct0") else fmt
    out: list[StackedRow] = []
    for i, (label, vals) in enumerate(parsed):
        total = sum(vals)
        scale = (plot_w / total if total else 0.0) if normalize else plot_w / biggest
        x = plot_x
        segs: list[Segment] = []
        texts: list[str] = []
        for j, v in enumerate(vals[: len(legend)]):
            shown = (v / total if total else 0.0) if (normalize and fmt in ("pct", "pct0")) else v
            w = round(v * scale, 2)
            text = format_value(shown, fmt)
            small = format_value(shown, compact)
            segs.append(Segment(legend[j].name, round(x, 2), w, text, small, legend[j].color,
                                ink(legend[j].color), w >= len(small) * CHAR_PX + 6))
            texts.append(small)
            x += w
        out.append(StackedRow(label, _short(label, int(label_w / CHAR_PX)), PAD + i * ROW_H, segs,
                              " / ".join(texts)))
    height = PAD * 2 + max(len(out), 1) * ROW_H
    summary = "; ".join(f"{r.label}: " + ", ".join(f"{sg.series} {sg.text}" for sg in r.segments)
                        for r in out) or "no data"
    return StackedChart(width, height, label_w, plot_x, plot_w, BAR_H, out, legend, [e.name for e in legend],
                        summary)


def nice_ticks(lo: float, hi: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 x 10^k steps) that cover ``lo..hi``."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(math.ceil(step), 1)
    start, stop = math.floor(lo / step) * step, math.ceil(hi / step) * step
    n = round((stop - start) / step)
    return [round(start + k * step, 10) for k in range(n + 1)]


def _tick_fmt(fmt: str) -> str:
    return "pct0" if fmt in ("pct", "pct0") else fmt


def _series(series: Iterable[Any]) -> list[tuple[str, str, list[tuple[str, float | None]]]]:
    out: list[tuple[str, str, list[tuple[str, float | None]]]] = []
    for i, s in enumerate(series):
        if isinstance(s, Mapping):
            name, points, col = s.get("name", f"series {i + 1}"), s.get("points", []), s.get("color")
        else:
            name, points, col = s[0], s[1], (s[2] if len(s) > 2 else None)
        out.append((str(name), color(col, SERIES_COLORS[i % len(SERIES_COLORS)]),
                    [_pair(p) for p in points or []]))
    return out


def layout_lines(series: Iterable[Any], *, fmt: str = "num", y_min: float | None = None,
                 y_max: float | None = None, width: float = 640, height: float = 220) -> LineChart:
    """Multi-series line chart over categorical x labels (union of all series, first-seen order)."""
    parsed = _series(series)
    x_labels: list[str] = []
    for _, _, pts in parsed:
        for lb, _ in pts:
            if lb not in x_labels:
                x_labels.append(lb)
    values = [v for _, _, pts in parsed for _, v in pts if v is not None]
    lo = y_min if y_min is not None else min([0.0, *values])
    hi = y_max if y_max is not None else max([1.0 if fmt in ("pct", "pct0") else 0.0, *values])
    ticks = nice_ticks(lo, hi, integer=fmt == "int")
    if y_min is not None:
        ticks = [t for t in ticks if t >= y_min] or [y_min]
    if y_max is not None:
        ticks = [t for t in ticks if t <= y_max] or [y_max]
    lo, hi = min([*ticks, lo]), max([*ticks, hi])
    span = (hi - lo) or 1.0
    plot_x, plot_y = 52.0, 10.0
    plot_w, plot_h = max(width - plot_x - 30, 40.0), max(height - plot_y - 30, 40.0)  # room for centred x labels
    n = len(x_labels)
    step = plot_w / (n - 1) if n > 1 else 0.0

    def xpos(i: int) -> float:
        return round(plot_x + (i * step if n > 1 else plot_w / 2), 2)

    def ypos(v: float) -> float:
        return round(plot_y + plot_h - (min(max(v, lo), hi) - lo) / span * plot_h, 2)

    every = max(1, math.ceil(n / max(int(plot_w // 60), 1)))
    x_ticks = [Tick(xpos(i), _short(lb, 12)) for i, lb in enumerate(x_labels) if i % every == 0 or i == n - 1]
    y_ticks = [Tick(ypos(t), format_value(t, _tick_fmt(fmt))) for t in ticks]
    out: list[LineSeries] = []
    legend: list[LegendEntry] = []
    for k, (name, col, pts) in enumerate(parsed):
        dash = SERIES_DASHES[(k // len(SERIES_COLORS)) % len(SERIES_DASHES)]
        by_x = dict(pts)
        paths: list[str] = []
        run: list[str] = []
        points: list[LinePoint] = []
        for i, lb in enumerate(x_labels):
            v = by_x.get(lb)
            if v is None:
                if run:
                    paths.append(" ".join(run))
                run = []
                continue
            p = LinePoint(xpos(i), ypos(v), lb, format_value(v, fmt))
            points.append(p)
            run.append(f"{px(p.x)},{px(p.y)}")
        if run:
            paths.append(" ".join(run))
        texts = [format_value(by_x.get(lb), fmt) for lb in x_labels]
        out.append(LineSeries(name, col, paths, points, texts, dash))
        legend.append(LegendEntry(name, col, f"latest {points[-1].text} ({points[-1].label})" if points else "no data",
                                  dash))
    summary = "; ".join(f"{e.name}: {e.note}" for e in legend) or "no data"
    return LineChart(width, height, plot_x, plot_y, plot_w, plot_h, x_labels, x_ticks, y_ticks, out, legend,
                     summary)


def layout_sparkline(points: Iterable[Any], *, fmt: str = "num", width: float = 120,
                     height: float = 28) -> Sparkline:
    """A word-sized trend line: no axes, last point marked, min/max/latest given as text."""
    pairs = [_pair(p) for p in points]
    values = [v for _, v in pairs if v is not None]
    if not values:
        return Sparkline(width, height, "", None, "—", "no data")
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    n = len(pairs)
    coords: list[LinePoint] = []
    for i, (lb, v) in enumerate(pairs):
        if v is None:
            continue
        x = 2 + (i * (width - 4) / (n - 1) if n > 1 else (width - 4) / 2)
        y = height - 3 - ((v - lo) / span) * (height - 6) if hi != lo else height / 2
        coords.append(LinePoint(round(x, 2), round(y, 2), lb, format_value(v, fmt)))
    last = coords[-1]
    summary = (f"latest {last.text} ({last.label}); min {format_value(lo, fmt)}, "
               f"max {format_value(hi, fmt)}, {len(values)} points")
    return Sparkline(width, height, " ".join(f"{px(p.x)},{px(p.y)}" for p in coords), last, last.text, summary)


def layout_histogram(bins: Iterable[Any], *, fmt: str = "int", color_name: str = "primary",
                     series_name: str = "count", width: float = 640, height: float = 220) -> Histogram:
    """Vertical bars over ordered bins (e.g. cluster size -> number of clusters)."""
    pairs = [_pair(b) for b in bins]
    top = max((v for _, v in pairs if v is not None), default=0.0)
    ticks = nice_ticks(0.0, top or 1.0, integer=fmt == "int")
    hi = ticks[-1] or 1.0
    plot_x, plot_y = 52.0, 18.0
    plot_w, plot_h = max(width - plot_x - 10, 40.0), max(height - plot_y - 30, 40.0)
    n = max(len(pairs), 1)
    slot = plot_w / n
    gap = min(slot * 0.2, 8.0)
    every = max(1, math.ceil(n / max(int(plot_w // 40), 1)))
    cols: list[Column] = []
    for i, (lb, v) in enumerate(pairs):
        h = 0.0 if v is None else max(v, 0.0) / hi * plot_h
        text = format_value(v, fmt)
        cols.append(Column(lb, _short(lb, max(int(slot * every / CHAR_PX), 2)), round(plot_x + i * slot + gap / 2, 2),
                           round(plot_y + plot_h - h, 2), round(slot - gap, 2), round(h, 2), text,
                           i % every == 0, slot >= len(text) * CHAR_PX * 0.85))
    y_ticks = [Tick(round(plot_y + plot_h - t / hi * plot_h, 2), format_value(t, _tick_fmt(fmt))) for t in ticks]
    col = color(color_name)
    summary = "; ".join(f"{c.label}: {c.text}" for c in cols) or "no data"
    return Histogram(width, height, plot_x, plot_y, plot_w, plot_h, cols, y_ticks,
                     [LegendEntry(series_name, col)], col, summary)


__all__ = ["FORMATS", "PALETTE", "as_number", "color", "format_value", "ink", "layout_bars", "layout_histogram",
           "layout_lines", "layout_sparkline", "layout_stacked", "legend_entries", "nice_ticks", "px"]
