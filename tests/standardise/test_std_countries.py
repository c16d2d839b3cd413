"""Country names and codes -> ISO 3166-1 alpha-2."""

from __future__ import annotations

import pytest

COUNTRIES = [
    ("US", {"value": "US", "iso3": "USA", "valid": True}),
    ("us", {"value": "US"}),
    ("USA", {"value": "US"}),
    ("U.S.A.", {"value": "US"}),
    ("U.S.", {"value": "US"}),
    ("United States", {"value": "US"}),
    ("United States of America", {"value": "US", "name": "UNITED STATES"}),
    ("UK", {"value": "GB", "iso3": "GBR"}),
    ("England", {"value": "GB"}),
    ("Great Britain", {"value": "GB"}),
    ("Deutschland", {"value": "DE", "iso3": "DEU"}),
    ("DEU", {"value": "DE"}),
    ("Österreich", {"value": "AT"}),
    ("España", {"value": "ES"}),
    ("the Netherlands", {"value": "NL"}),
    ("Holland", {"value": "NL"}),
    ("Schweiz", {"value": "CH"}),
    ("中国", {"value": "CN"}),
    ("People's Republic of China", {"value": "CN"}),
    ("日本", {"value": "JP"}),
    ("South Korea", {"value": "KR"}),
    ("대한민국", {"value": "KR"}),
    ("Россия", {"value": "RU"}),
    ("Türkiye", {"value": "TR"}),
    ("Ελλάδα", {"value": "GR"}),
    ("UAE", {"value": "AE"}),
    ("Brasil", {"value": "BR"}),
    ("México", {"value": "MX"}),
    ("BT", {"value": "BT", "valid": True, "iso3": None}),  # not in the table, but a real ISO code
    ("Narnia", {"value": "NARNIA", "valid": False, "reason": "country.unknown"}),
    ("ZZ", {"valid": False, "reason": "country.unknown"}),
    ("", {"value": None, "valid": True}),
    (None, {"value": None, "valid": True}),
    ("U\x00SA", {"value": "US"}),
    ("🇺🇸", {"value": "US", "valid": True}),
    ("🙂", {"valid": False, "reason": "country.unknown"}),
    ("X" * 10_000, {"valid": False, "reason": "country.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), COUNTRIES)
def test_country(check, raw, expected):
    check("country", raw, expected)
