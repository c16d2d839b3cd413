"""Gender, national id and generic text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdm.standardise import Context
from mdm.standardise.identity import NATIONAL_ID, cn_check_character, cn_id_18

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


# --- Chinese resident identity numbers -------------------------------------------------------

CN = Context(default_region="CN")


def test_cn_18_digit_ids_have_their_check_character_verified(check):
    check("national_id", "11010519491231002X", {"value": "11010519491231002X", "valid": True,
                                                "kind": "cn_resident_id"}, CN)
    check("national_id", "110105 19491231 002x", {"value": "11010519491231002X", "valid": True}, CN)
    # one mistyped digit: flagged, and the value kept for the matcher's edit-distance levels
    check("national_id", "110105194912310021", {"value": "110105194912310021", "valid": False,
                                                "reason": "national_id.checksum", "kind": "cn_resident_id"}, CN)
    check("national_id", "110105194913310020", {"value": "110105194913310020", "valid": False,
                                                "reason": "national_id.invalid"}, CN)  # month 13


def test_cn_15_digit_ids_become_their_18_digit_form(check):
    check("national_id", "110105491231002", {"value": "11010519491231002X", "valid": True,
                                             "kind": "cn_resident_id"}, CN)
    # outside Chinese sources a 15-digit number is left as it is
    check("national_id", "110105491231002", {"value": "110105491231002", "kind": None}, Context(default_region="DE"))


@given(region=st.integers(110000, 659999), born=st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)),
       seq=st.integers(0, 999))
def test_cn_15_to_18_round_trip(region: int, born: dt.date, seq: int) -> None:
    """15 -> 18 keeps the region, puts the century back, appends the check character that the
    18-digit path accepts; dropping "19" and the check character gives the 15 digits back."""
    id15 = f"{region:06d}{born:%y%m%d}{seq:03d}"
    id18 = cn_id_18(id15)
    assert len(id18) == 18 and id18[:6] == id15[:6] and id18[6:14] == f"{born:%Y%m%d}"
    assert id18[6:8] + id18[8:17] == "19" + id15[6:]
    assert id18[:6] + id18[8:17] == id15
    out = NATIONAL_ID.func(id15, CN)
    assert out == NATIONAL_ID.func(id18, CN) == {"value": id18, "valid": True, "reason": None,
                                                 "kind": "cn_resident_id"}
    # any other check character is flagged
    wrong = next(c for c in "0123456789X" if c != id18[17])
    assert NATIONAL_ID.func(id18[:17] + wrong, CN)["reason"] == "national_id.checksum"


def test_cn_check_character_known_values() -> None:
    assert cn_check_character("11010519491231002") == "X"
    assert cn_check_character("44030119900101123") == "4"
