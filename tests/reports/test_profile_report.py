"""The profile report renders every source, escapes user data and stays self-contained."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mdm.reports import html as report_html
from mdm.reports.html import render, write_report
from mdm.reports.profile import render_profile_report, score_band

EVIL = "<script>alert(1)</script>"
QUOTE = '" onmouseover="alert(2)'


def _attr(name: str, *, count: int = 5, nulls: int = 0, blanks: int = 1, invalid: int = 1,
          top: list[list[Any]] | None = None) -> dict[str, Any]:
    return {
        "attribute": name, "count": count, "nulls": nulls, "blanks": blanks,
        "null_rate": nulls / 6, "blank_rate": blanks / 6, "missing_rate": (nulls + blanks) / 6,
        "distinct": count, "uniqueness": 1.0, "duplicate_rate": 0.0, "repeated_value_rate": 0.0,
        "min_length": 3, "max_length": 4, "mean_length": 3.4, "invalid": invalid,
        "invalid_rate": invalid / count if count else 0.0,
        "top_values": top if top is not None else [["Ann", 2], ["Bob", 1]],
        "patterns": [["Aaa", 3]],
        "invalid_reasons": [[f"{name}.pattern", invalid]] if invalid else [],
    }


def _profile(source: str, attrs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"source": source, "file": f"{source}.csv", "rows": 6,
            "generated_at": "2026-11-23T18:27:03+00:00", "attributes": attrs}


def _score(source: str, attribute: str, *, retire: bool = False, score: float = 87.17,
           notes: list[str] | None = None, completeness: float = 0.833333, validity: float = 0.8) -> dict[str, Any]:
    return {"source": source, "attribute": attribute, "tier": "enrichment" if retire else "critical", "rows": 6,
            "missing_rate": round(1 - completeness, 6), "invalid_rate": round(1 - validity, 6),
            "duplicate_rate": 0.0, "completeness": completeness,
            "validity": validity, "uniqueness": 1.0, "governance": 1.0, "score": score,
            "retirement_candidate": retire, "notes": notes or []}


def _report(**kw: Any) -> str:
    profiles = [
        _profile("crm", [_attr("first_name"), _attr("email", nulls=1, blanks=0)]),
        _profile("erp", [_attr("last_name", invalid=0)]),
    ]
    scorecards = [
        [_score("crm", "first_name"), _score("crm", "email"),
         _score("crm", "gender", retire=True, score=55.0, completeness=0.0, validity=1.0,
                notes=["not provided by this source"])],
        [_score("erp", "last_name", score=95.0), _score("erp", "job_title", retire=True, score=40.0)],
    ]
    return render_profile_report(profiles, scorecards, title=kw.pop("title", "Profile"), **kw)


def _sections(doc: Any) -> list[Any]:
    sections: list[Any] = doc.find_all("section", "source")
    return sections


def test_each_source_gets_a_section_with_an_svg_chart(parse_html: Callable[[str], Any]) -> None:
    doc = parse_html(_report())
    sections = _sections(doc)
    assert [s.find_all("h2")[0].text for s in sections] == ["crm", "erp"]
    for s in sections:
        charts = [svg for svg in s.find_all("svg") if svg.attrs.get("role") == "img"]
        assert charts, "every source needs at least one chart"
        for svg in charts:
            assert svg.attrs.get("aria-label")
            assert svg.find_all("title") and svg.find_all("desc")
        stacked = s.find_all("svg", "chart-stacked")[0]
        # present-valid, present-invalid, missing are all named in the visible legend
        legend = stacked.parent.find_all("ul", "legend")[0].text
        assert "present & valid" in legend and "present & invalid" in legend and "missing" in legend


def test_stacked_chart_uses_exact_counts_and_shows_numbers_as_text(parse_html: Callable[[str], Any]) -> None:
    doc = parse_html(_report())
    crm = _sections(doc)[0]
    svg = crm.find_all("svg", "chart-stacked")[0]
    # first_name: 6 rows, 5 present of which 1 invalid, 1 blank -> 4/6 valid, 1/6 invalid, 1/6 missing
    assert "67% / 17% / 17%" in svg.text
    # gender is only in the scorecard (not provided): fully missing
    assert "0% / 0% / 100%" in svg.text


def test_scorecard_has_one_row_per_attribute_in_order(parse_html: Callable[[str], Any]) -> None:
    doc = parse_html(_report())
    expected = [["first_name", "email", "gender"], ["last_name", "job_title"]]
    for section, attrs in zip(_sections(doc), expected, strict=True):
        table = section.find_all("table", "scorecard")[0]
        rows = table.find_all("tbody")[0].find_all("tr")
        assert [r.attrs["data-attribute"] for r in rows] == attrs


def test_score_cells_carry_colour_band_and_text(parse_html: Callable[[str], Any]) -> None:
    doc = parse_html(_report())
    rows = {r.attrs["data-attribute"]: r for s in _sections(doc)
            for r in s.find_all("table", "scorecard")[0].find_all("tr") if "data-attribute" in r.attrs}
    assert "band-warn" in rows["first_name"].find_all("span", "score")[0].classes
    assert "band-good" in rows["last_name"].find_all("span", "score")[0].classes
    assert "band-bad" in rows["job_title"].find_all("span", "score")[0].classes
    assert "87.2" in rows["first_name"].text and "fair" in rows["first_name"].text
    assert score_band(None) == ("none", "no score")


def test_retirement_badge_only_for_candidates(parse_html: Callable[[str], Any]) -> None:
    doc = parse_html(_report())
    seen = {}
    for s in _sections(doc):
        for r in s.find_all("table", "scorecard")[0].find_all("tbody")[0].find_all("tr"):
            seen[r.attrs["data-attribute"]] = bool(r.find_all("span", "badge-retire"))
    assert seen == {"first_name": False, "email": False, "gender": True, "last_name": False, "job_title": True}


def test_attribute_details_show_stats_top_values_patterns_and_reasons(parse_html: Callable[[str], Any]) -> None:
    doc = parse_html(_report())
    crm = _sections(doc)[0]
    details = crm.find_all("details", "attr")
    assert [d.find_all("summary")[0].find_all("code")[0].text for d in details] == ["first_name", "email"]
    body = details[0].text
    for expected in ("present values", "nulls", "blanks", "distinct",
                     "min length", "max length", "mean length", "Ann", "Aaa", "first_name.pattern"):
        assert expected in body
    # repeats only mean something for attributes declared unique (email), not for first names
    assert "duplicate rate" not in body and "uniqueness" not in body
    assert "uniqueness" in details[1].text and "duplicate rate" in details[1].text
    erp = _sections(doc)[1].find_all("details", "attr")[0]
    assert "No invalid values." in erp.text


def test_summary_table_at_the_top(parse_html: Callable[[str], Any]) -> None:
    summary = [{"source": "crm", "rows_read": 1200, "accepted": 1100, "quarantined": 100, "flagged": 7,
                "encoding": "utf-8", "status": "ok"},
               {"source": "erp", "rows_read": 10, "accepted": 0, "quarantined": 10, "flagged": None,
                "encoding": "cp1252", "status": "failed"}]
    doc = parse_html(_report(summary=summary))
    main = doc.find_all("main")[0]
    first = main.children[0]
    assert first.tag == "section" and first.attrs["id"] == "summary"
    rows = first.find_all("tbody")[0].find_all("tr")
    assert [[td.text for td in r.find_all("td")] for r in rows] == [
        ["crm", "1,200", "1,100", "100", "7", "utf-8", "ok"],
        ["erp", "10", "0", "10", "—", "cp1252", "failed"],
    ]
    assert rows[0].find_all("span", "status-ok") and rows[1].find_all("span", "status-bad")


def test_hostile_values_are_escaped(parse_html: Callable[[str], Any]) -> None:
    profile = _profile(EVIL, [_attr(EVIL, top=[[EVIL, 3], [QUOTE, 1]])])
    profile["file"] = EVIL
    profile["generated_at"] = QUOTE
    profile["attributes"][0]["patterns"] = [[EVIL, 1]]
    profile["attributes"][0]["invalid_reasons"] = [[EVIL, 1]]
    score = _score(EVIL, EVIL, retire=True, notes=[EVIL, QUOTE])
    score["tier"] = EVIL
    summary = [{"source": EVIL, "rows_read": 6, "accepted": 5, "quarantined": 1, "flagged": 0,
                "encoding": QUOTE, "status": EVIL}]
    html = render_profile_report([profile], [[score]], title=EVIL, summary=summary)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = parse_html(html)
    for node in doc.iter():
        assert not any(name.startswith("on") for name in node.attrs), f"event handler attribute on <{node.tag}>"
    # the hostile text is still shown, as text
    assert EVIL in doc.find_all("h1")[0].text
    assert any(EVIL in td.text for td in doc.find_all("td"))


def test_report_is_self_contained(parse_html: Callable[[str], Any]) -> None:
    profile = _profile("web", [_attr("website", top=[["https://example.com/x.js", 1], ["//cdn.example/y", 1]])])
    html = render_profile_report([profile], [[]], title="Offline")
    doc = parse_html(html)
    assert not doc.find_all("script") and not doc.find_all("link") and not doc.find_all("img")
    for node in doc.iter():
        for name in ("src", "href", "xlink:href", "action", "data"):
            value = node.attrs.get(name)
            if value is not None:
                assert value.startswith("#"), f"<{node.tag} {name}={value!r}> points outside the report"
    style = "".join(s.text for s in doc.find_all("style"))
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    # the only http(s) text is the user's data, shown as a value
    head = html.split("<body>")[0]
    assert "http://" not in head and "https://" not in head


def test_empty_inputs_render(parse_html: Callable[[str], Any]) -> None:
    doc = parse_html(render_profile_report([], [], title="Nothing"))
    assert "No sources were profiled." in doc.text
    doc = parse_html(render_profile_report([_profile("x", [])], [[]], title="Empty source"))
    assert "No scorecard for this source." in doc.text
    assert "No attributes were profiled for this source." in doc.text


def test_document_is_well_formed(parse_html: Callable[[str], Any]) -> None:
    html = _report(summary=[{"source": "crm", "rows_read": 6, "accepted": 5, "quarantined": 1}])
    assert html.startswith("<!DOCTYPE html>")
    doc = parse_html(html)  # asserts balanced tags
    assert len(doc.find_all("html")) == len(doc.find_all("head")) == len(doc.find_all("body")) == 1
    assert doc.find_all("title")[0].text == "Profile"


def test_scorecards_must_match_profiles() -> None:
    with pytest.raises(ValueError, match="one list per profile"):
        render_profile_report([_profile("a", []), _profile("b", [])], [[]], title="x")


def test_render_uses_the_shared_autoescaping_environment() -> None:
    out = render("charts.html.j2")  # macros only: renders to (almost) nothing, but loads
    assert out.strip() == ""
    assert report_html.environment().autoescape is True


def test_write_report_writes_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.html"
    assert write_report(target, "<p>ü</p>") == target
    assert target.read_text(encoding="utf-8") == "<p>ü</p>"
    assert os.listdir(target.parent) == ["report.html"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_write_report_leaves_nothing_partial_on_error(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    # fails while writing: a lone surrogate cannot be encoded
    with pytest.raises(UnicodeEncodeError):
        write_report(target, "<p>" + "x" * 100_000 + "\ud800</p>")
    assert os.listdir(tmp_path) == []
    # an existing report survives a failed rewrite untouched
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_report(target, "new \ud800")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["report.html"]


def test_write_report_cleans_up_when_rename_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)  # the rename is the last step of write_report
    with pytest.raises(OSError, match="disk full"):
        write_report(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["report.html"]
