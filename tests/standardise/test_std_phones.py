"""Phones -> E.164 via phonenumbers: regions, extensions, line types, junk and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdm.standardise import Context

WHITE_HOUSE = "+12024561111"
GB = Context(default_region="GB")

PHONES = [
    ("(202) 456-1111", {"value": WHITE_HOUSE, "valid": True, "region": "US", "type": "fixed_line_or_mobile"}),
    ("202-456-1111", {"value": WHITE_HOUSE}),
    ("202.456.1111", {"value": WHITE_HOUSE}),
    ("2024561111", {"value": WHITE_HOUSE}),
    ("1 (202) 456-1111", {"value": WHITE_HOUSE}),
    ("+1 202 456 1111", {"value": WHITE_HOUSE}),
    ("tel:+1-202-456-1111", {"value": WHITE_HOUSE}),
    ("2024561111.0", {"value": WHITE_HOUSE}),  # spreadsheet float
    ("202-456-1111 x123", {"value": WHITE_HOUSE, "extension": "123"}),
    ("202.456.1111 ext. 45", {"value": WHITE_HOUSE, "extension": "45"}),
    ("+1 (202) 456-1111 extension 7", {"value": WHITE_HOUSE, "extension": "7"}),
    ("+1 212-736-3100", {"value": "+12127363100", "region": "US"}),
    ("1-800-FLOWERS", {"value": "+18003569377", "type": "toll_free"}),
    ("(800) 555-0199", {"value": "+18005550199", "type": "toll_free"}),
    ("+44 20 7946 0958", {"value": "+442079460958", "region": "GB", "type": "fixed_line"}),
    ("0044 20 7946 0958", {"value": "+442079460958", "valid": True}),  # European 00 prefix, US source
    ("011 44 20 7946 0958", {"value": "+442079460958"}),  # US international prefix
    ("+33 1 42 68 53 00", {"value": "+33142685300", "region": "FR", "type": "fixed_line"}),
    ("+49 30 901820", {"value": "+4930901820", "region": "DE"}),
    ("+49 1512 3456789", {"value": "+4915123456789", "type": "mobile"}),
    ("+81 3-3224-9999", {"value": "+81332249999", "region": "JP"}),
    ("+86 138 0013 8000", {"value": "+8613800138000", "region": "CN", "type": "mobile"}),
    ("+91 98765 43210", {"value": "+919876543210", "type": "mobile"}),
    ("+61 2 9876 5432", {"value": "+61298765432", "region": "AU"}),
    ("555-1234", {"value": None, "valid": False, "reason": "phone.invalid"}),  # no area code
    ("(123) 456-7890", {"value": None, "valid": False, "reason": "phone.invalid"}),  # no area code 123
    ("000-000-0000", {"value": None, "valid": False, "reason": "phone.invalid"}),
    ("911", {"value": None, "valid": False}),
    ("call me maybe", {"value": None, "valid": False, "reason": "phone.unparseable"}),
    ("n/a", {"value": None, "valid": False, "reason": "phone.unparseable"}),
    ("", {"value": None, "valid": True, "reason": None, "type": None}),
    ("   ", {"value": None, "valid": True}),
    (None, {"value": None, "valid": True}),
    ("202\x00456\x001111", {"value": WHITE_HOUSE}),
    ("٢٠٢٤٥٦١١١١", {"value": WHITE_HOUSE}),  # Arabic-Indic digits are digits
    ("２０２−４５６−１１１１", {"value": WHITE_HOUSE}),  # full-width
    ("☎️ 202 456 1111", {"value": WHITE_HOUSE}),
    ("😀", {"value": None, "valid": False, "reason": "phone.unparseable"}),
    ("هاتف", {"value": None, "valid": False}),
    ("1" * 10_000, {"value": None, "valid": False, "reason": "phone.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), PHONES)
def test_phone(check, raw, expected):
    check("phone", raw, expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("020 7946 0958", {"value": "+442079460958", "type": "fixed_line"}),
     ("07812 345678", {"value": "+447812345678", "type": "mobile", "region": "GB"}),
     ("07700 900123", {"value": None, "valid": False, "reason": "phone.invalid"}),  # Ofcom drama range
     ("+1 202 456 1111", {"value": WHITE_HOUSE}),
     ("(202) 456-1111", {"valid": False})],
)
def test_phone_uses_the_source_region(check, raw, expected):
    check("phone", raw, expected, GB)


def test_unknown_default_region_still_reads_international_numbers(check):
    ctx = Context(default_region="not-a-region")
    check("phone", "+44 20 7946 0958", {"value": "+442079460958"}, ctx)
    check("phone", "020 7946 0958", {"value": None, "valid": False}, ctx)


_REGIONS = ("US", "CA", "PR", "GU", "GB", "DE", "CN", "ZZ")


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 9_999_999_999), st.sampled_from(["", "+1", "+", "1", "+11", "0"]), st.sampled_from(_REGIONS))
def test_north_american_shortcut_parses_like_phonenumbers(digits: int, prefix: str, region: str) -> None:
    """The ten-digit shortcut builds exactly the PhoneNumber phonenumbers.parse returns."""
    import phonenumbers

    from mdm.standardise import phones

    text = prefix + f"{digits:010d}"
    try:
        expected = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        with pytest.raises(phonenumbers.NumberParseException):
            phones._parse_number(text, region)
        return
    assert phones._parse_number(text, region) == expected


def test_north_american_shortcut_on_many_numbers() -> None:
    """Whole results, shortcut against phonenumbers' own parse, on 20,000 random ten-digit numbers."""
    import random

    import phonenumbers

    from mdm.standardise import phones

    rng = random.Random(5)
    texts = [p + str(rng.randrange(2_000_000_000, 10_000_000_000)) for p in ("", "+1") for _ in range(10_000)]
    contexts = [Context(default_region=r) for r in ("US", "CA", "GB")]
    shortcut = [phones._phone(t, c) for t in texts for c in contexts]
    original = phones._parse_number
    try:
        phones._parse_number = phonenumbers.parse  # type: ignore[assignment]
        assert shortcut == [phones._phone(t, c) for t in texts for c in contexts]
    finally:
        phones._parse_number = original
    assert sum(r["value"] is not None for r in shortcut) > 10_000  # most are valid numbers
