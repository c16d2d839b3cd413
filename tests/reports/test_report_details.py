"""Small report details a reader trips over: signed zeros, and trend series told apart."""

from __future__ import annotations

from mdm.reports.charts import SERIES_COLORS, format_value, layout_lines
from mdm.reports.html import environment


def test_no_negative_zero() -> None:
    assert format_value(-0.00001, "pct") == "0.0%"
    assert format_value(-0.004, "pct0") == "0%"
    assert format_value(-0.01, "score") == "0.0"
    assert format_value(-0.2, "int") == "0"
    assert format_value(-0.02, "pct") == "-2.0%", "a real decrease keeps its sign"


def test_seventeen_trend_series_all_look_different() -> None:
    series = [[f"attr{i}", [["2026-01", i / 20], ["2026-02", i / 19]]] for i in range(17)]
    chart = layout_lines(series, fmt="pct")
    styles = [(s.color, s.dash) for s in chart.series]
    assert len(set(styles)) == 17 > len(SERIES_COLORS)
    assert [(e.color, e.dash) for e in chart.legend] == styles, "the legend shows each series' style"


def test_dashed_series_are_drawn_dashed() -> None:
    series = [[f"s{i}", [["a", 0.1], ["b", 0.2]]] for i in range(8)]
    page = environment().from_string('{% import "charts.html.j2" as c %}{{ c.line_chart(series, "t") }}').render(
        series=series)
    assert page.count('stroke-dasharray="7 4"') == 2 * 2, "two dashed series: a polyline and a legend swatch each"
