"""Gender, national id and generic text."""

from __future__ import annotations

import pytest

from mdm.standardise import Context

GENDERS = [
    ("M", {"value": "M", "valid": True}),
    ("m", {"value": "M"}),
    ("Male", {"value": "M"}),
    ("MALE", {"value": "M"}),
    ("man", {"value": "M"}),
    ("M.", {"value": "M"}),
    ("männlich", {"value": "M"}),
    ("Masculino", {"value": "M"}),
    ("男", {"value": "M"}),
    ("1", {"value": "M"}),  # ISO/IEC 5218
    ("F", {"value": "F"}),
    ("female", {"value": "F"}),
    ("Woman", {"value": "F"}),
    ("weiblich", {"value": "F"}),
    ("女", {"value": "F"}),
    ("2", {"value": "F"}),
    ("Non-binary", {"value": "X"}),
    ("nonbinary", {"value": "X"}),
    ("X", {"value": "X"}),
    ("Other", {"value": "X"}),
    ("Unknown", {"value": "U", "valid": True}),
    ("Prefer not to say", {"value": "U"}),
    ("0", {"value": "U"}),
    ("banana", {"value": None, "valid": False, "reason": "gender.unknown"}),
    ("mf", {"value": None, "valid": False, "reason": "gender.unknown"}),
    ("", {"value": None, "valid": True, "reason": None}),
    (None, {"value": None, "valid": True}),
    ("\x00F\x00", {"value": "F"}),
    ("😀", {"valid": False, "reason": "gender.unknown"}),
    ("M" * 10_000, {"value": None, "valid": False, "reason": "gender.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), GENDERS)
def test_gender(check, raw, expected):
    check("gender", raw, expected)


NATIONAL_IDS = [
    ("536-22-1234", {"value": "536221234", "valid": True, "kind": "us_ssn"}),
    ("536 22 1234", {"value": "536221234"}),
    ("536221234", {"value": "536221234"}),
    ("000-12-3456", {"value": None, "valid": False, "reason": "national_id.invalid"}),  # area 000
    ("666-12-3456", {"valid": False, "reason": "national_id.invalid"}),  # area 666
    ("912-34-5678", {"valid": False, "reason": "national_id.invalid"}),  # area 9xx (ITINs)
    ("123-00-4567", {"valid": False, "reason": "national_id.invalid"}),  # group 00
    ("123-45-0000", {"valid": False, "reason": "national_id.invalid"}),  # serial 0000
    ("078-05-1120", {"valid": False, "reason": "national_id.invalid"}),  # the Woolworth wallet card
    ("123-45-6789", {"valid": False, "reason": "national_id.invalid"}),
    ("AB 12 34 56 C", {"value": "AB123456C", "valid": True, "kind": None}),  # UK NI number
    ("ab123456c", {"value": "AB123456C"}),
    ("12345678", {"value": "12345678", "valid": True}),
    ("1234567890", {"value": "1234567890", "valid": True}),
    ("X1234567.L", {"value": "X1234567L"}),
    ("", {"value": None, "valid": True}),
    (None, {"value": None, "valid": True}),
    ("536\x0022\x001234", {"value": "536221234", "kind": "us_ssn"}),
    ("٥٣٦-٢٢-١٢٣٤", {"value": "536221234", "kind": "us_ssn"}),  # Arabic-Indic digits
    ("9" * 10_000, {"valid": False, "reason": "national_id.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), NATIONAL_IDS)
def test_national_id(check, raw, expected):
    check("national_id", raw, expected)


def test_nine_digits_outside_the_us_are_not_ssns(check):
    """A Dutch BSN is 9 digits too; SSN rules only apply to US-region sources."""
    check("national_id", "000-12-3456", {"value": "000123456", "valid": True, "kind": None},
          Context(default_region="NL"))


TEXTS = [
    ("  Senior   Engineer ", {"value": "Senior Engineer", "valid": True}),
    ("ﬁne\u00a0print", {"value": "fine print"}),  # NFKC ligature, no-break space
    ("a\x00b", {"value": "ab"}),
    ("line\nbreak\ttab", {"value": "line break tab"}),
    ("\u200fمرحبا\u200f", {"value": "مرحبا"}),  # bidi marks dropped
    ("שלום עולם", {"value": "שלום עולם"}),
    ("王小明", {"value": "王小明"}),
    ("😀 ok", {"value": "😀 ok"}),
    ("", {"value": None, "valid": True}),
    (None, {"value": None}),
    ("x" * 10_000, {"valid": False, "reason": "text.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), TEXTS)
def test_text(check, raw, expected):
    check("text", raw, expected)
