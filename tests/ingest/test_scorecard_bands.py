"""The scorecard discriminates: one test per band, on profiles built the way ingest builds them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mdm.config import Dictionary, SourceMapping
from mdm.ingest.scorecard import band_of, scorecard
from mdm.reports.profile import render_profile_report


def attribute(name: str, *, missing: float, invalid: float = 0.0, rows: int = 1000,
              distinct_share: float = 1.0) -> dict[str, Any]:
    count = round(rows * (1 - missing))
    return {"attribute": name, "count": count, "missing_rate": missing, "invalid_rate": invalid,
            "uniqueness": distinct_share, "duplicate_rate": 1 - distinct_share}


def score(dictionary: Dictionary, mapping: SourceMapping, attr: dict[str, Any]) -> dict[str, Any]:
    [row] = [r.as_dict() for r in scorecard({"rows": 1000, "attributes": [attr]}, dictionary, mapping)]
    return row


@pytest.fixture
def mapping(make_mapping: Callable[..., SourceMapping]) -> SourceMapping:
    return make_mapping(columns={"first_name": "a", "email": "b", "address_line2": "c", "birth_date": "d",
                                 "last_name": "e", "gender": "f"})


def test_complete_valid_attribute_is_good(dictionary: Dictionary, mapping: SourceMapping) -> None:
    row = score(dictionary, mapping, attribute("first_name", missing=0.0))
    assert row["band"] == "good" and row["score"] >= 90


def test_tenth_missing_is_fair(dictionary: Dictionary, mapping: SourceMapping) -> None:
    row = score(dictionary, mapping, attribute("gender", missing=0.2))
    assert row["band"] == "fair", row


def test_85_percent_missing_is_poor(dictionary: Dictionary, mapping: SourceMapping) -> None:
    assert dictionary.attributes["address_line2"].tier != "critical"
    row = score(dictionary, mapping, attribute("address_line2", missing=0.85))
    assert row["band"] == "poor" and row["score"] < 20 and row["retirement_candidate"], row


def test_critical_attribute_40_percent_missing_is_a_critical_gap(dictionary: Dictionary,
                                                                 mapping: SourceMapping) -> None:
    critical = next(n for n in ("last_name", "birth_date", "email") if dictionary.attributes[n].tier == "critical")
    row = score(dictionary, mapping, attribute(critical, missing=0.4))
    assert row["band"] == "critical gap" and not row["retirement_candidate"], row
    html = render_profile_report([{"source": "t", "rows": 1000, "attributes": []}], [[row]], title="x")
    assert "critical gap" in html


def test_repeats_only_cost_attributes_that_should_be_unique(dictionary: Dictionary, mapping: SourceMapping) -> None:
    assert dictionary.attributes["email"].unique and not dictionary.attributes["gender"].unique
    gender = score(dictionary, mapping, attribute("gender", missing=0.0, distinct_share=0.002))
    email = score(dictionary, mapping, attribute("email", missing=0.0, distinct_share=0.5))
    assert gender["uniqueness"] == 1.0 and gender["band"] == "good"
    assert email["uniqueness"] == 0.5 and email["band"] == "poor"


def test_governance_only_takes_points_away(dictionary: Dictionary, make_mapping: Callable[..., SourceMapping]
                                           ) -> None:
    audited = make_mapping(columns={"first_name": "a"})
    unaudited = make_mapping(source="u", updated_at_column=None, columns={"first_name": "a"})
    a = score(dictionary, audited, attribute("first_name", missing=0.5))
    u = score(dictionary, unaudited, attribute("first_name", missing=0.5))
    assert u["score"] < a["score"] <= 50.0


def test_band_edges() -> None:
    assert [band_of(s) for s in (100, 90, 89.99, 70, 69.99, 0)] == ["good", "good", "fair", "fair", "poor", "poor"]
    assert band_of(99, critical_gap=True) == "critical gap"
