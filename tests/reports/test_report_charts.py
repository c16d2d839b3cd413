"""Chart macros render accessible inline SVG with legends and values as text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mdm.reports import charts
from mdm.reports.html import environment


def _macro(call: str, **context: Any) -> str:
    template = environment().from_string('{% import "charts.html.j2" as charts %}' + call)
    return template.render(**context)


def _chart_svg(doc: Any) -> Any:
    return next(s for s in doc.find_all("svg") if s.attrs.get("role") == "img")


def test_bar_chart_colours_by_threshold(parse_html: Callable[[str], Any]) -> None:
    html = _macro('{{ charts.bar_chart(items, "Completeness", fmt="pct", thresholds=t) }}',
                  items=[["email", 0.95], ["phone", 0.5], {"label": "<b>x</b>", "value": None}],
                  t=[[0.9, "good", "ok"], [0, "bad", "poor"]])
    doc = parse_html(html)
    svg = _chart_svg(doc)
    assert svg.attrs["aria-label"] == "Completeness"
    fills = [r.attrs["fill"] for r in svg.find_all("rect")]
    assert fills[:2] == [charts.PALETTE["good"], charts.PALETTE["bad"]]
    assert "95.0%" in svg.text and "50.0%" in svg.text and "—" in svg.text
    assert [li.text for li in doc.find_all("ul", "legend")[0].find_all("li")] == ["ok", "poor"]
    assert "<b>" not in html


def test_stacked_bar_counts_not_normalised(parse_html: Callable[[str], Any]) -> None:
    html = _macro('{{ charts.stacked_bar_chart(rows, series, "Rows", fmt="int", normalize=false) }}',
                  rows=[["crm", [900, 100]], ["erp", [50, 0]]], series=[["accepted", "valid"], ["quarantined"]])
    svg = _chart_svg(parse_html(html))
    widths = [float(r.attrs["width"]) for r in svg.find_all("rect")]
    assert widths[0] > 10 * widths[2]  # 900 vs 50 on one scale
    assert "900 / 100" in svg.text and "50 / 0" in svg.text


def test_line_chart_multi_series_with_gap(parse_html: Callable[[str], Any]) -> None:
    series = [{"name": "crm", "points": [["2026-01", 0.8], ["2026-02", None], ["2026-03", 0.9]]},
              {"name": "erp", "points": [["2026-02", 0.5], ["2026-03", 0.6]], "color": "#123456"}]
    html = _macro('{{ charts.line_chart(series, "Completeness trend", fmt="pct", x_title="month") }}', series=series)
    doc = parse_html(html)
    svg = _chart_svg(doc)
    assert len(svg.find_all("polyline")) == 3  # crm split by its gap, erp in one piece
    assert len(svg.find_all("circle")) == 4
    legend = doc.find_all("ul", "legend")[0].text
    assert "crm" in legend and "latest 90.0% (2026-03)" in legend
    table_rows = doc.find_all("table")[0].find_all("tr")
    assert [td.text for td in table_rows[2].find_all("td")] == ["2026-02", "—", "50.0%"]


def test_histogram_shows_counts(parse_html: Callable[[str], Any]) -> None:
    html = _macro('{{ charts.histogram(bins, "Cluster sizes", x_title="cluster size", series_name="clusters") }}',
                  bins=[["1", 1200], ["2", 300], ["3", 40], ["4+", 5]])
    doc = parse_html(html)
    svg = _chart_svg(doc)
    for text in ("1,200", "300", "40", "5", "4+"):
        assert text in svg.text
    assert "clusters" in doc.find_all("ul", "legend")[0].text


def test_sparkline_and_empty_charts(parse_html: Callable[[str], Any]) -> None:
    html = _macro('{{ charts.sparkline([["a", 1], ["b", 3], ["c", 2]], "score") }}')
    doc = parse_html(html)
    svg = doc.find_all("svg")[0]
    assert "latest 2 (c); min 1, max 3" in svg.attrs["aria-label"]
    assert doc.text.strip().endswith("2")
    for call in ('charts.bar_chart([], "a")', 'charts.stacked_bar_chart([], ["x"], "b")',
                 'charts.line_chart([], "c")', 'charts.histogram([], "d")', 'charts.sparkline([], "e")'):
        parse_html(_macro("{{ " + call + " }}"))  # renders, well-formed


def test_colour_and_format_helpers() -> None:
    assert charts.color("good") == charts.PALETTE["good"]
    assert charts.color("#abc") == "#abc"
    assert charts.color('red" onload="x') == charts.PALETTE["primary"]
    assert charts.format_value(0.8333, "pct") == "83.3%"
    assert charts.format_value(1234, "num") == "1,234"
    assert charts.format_value(None, "int") == "—"
    assert charts.px(102.39999999999999) == "102.4"
    assert charts.nice_ticks(0, 87) == [0, 25, 50, 75, 100]
    with pytest.raises(ValueError, match="unknown number format"):
        charts.format_value(1, "percent")
