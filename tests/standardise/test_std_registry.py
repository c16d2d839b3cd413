"""The registry: names the dictionary refers to, field contract, helpful KeyError."""

from __future__ import annotations

import pytest

from mdm.standardise import STANDARDISERS, Context, get
from mdm.standardise.base import clean

EXPECTED = {
    "person_name", "full_name", "address", "city", "state", "postal_code", "country", "phone", "email",
    "company", "date", "gender", "national_id", "text",
}


def test_registry_has_every_standardiser():
    assert set(STANDARDISERS) == EXPECTED
    for name, standardiser in STANDARDISERS.items():
        assert standardiser.name == name
        assert standardiser.fields[:3] == ("value", "valid", "reason")
        assert len(set(standardiser.fields)) == len(standardiser.fields)


def test_get_returns_the_standardiser():
    assert get("phone") is STANDARDISERS["phone"]


def test_get_unknown_names_the_valid_choices():
    with pytest.raises(KeyError) as info:
        get("phonenumber")
    message = str(info.value)
    assert "phonenumber" in message and "phone" in message and "person_name" in message


def test_every_standardiser_called_with_default_context():
    for standardiser in STANDARDISERS.values():
        assert standardiser.func("x", Context())["valid"] in (True, False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  a \t b\n", "a b"), ("a\x00b", "ab"), ("\u200bab\u200e", "ab"), ("ﬁ", "fi"), ("a\u00a0b", "a b"),
     ("\ud800x", "x"), ("e\u0301", "é"), ("a\u2028b", "a b"), ("👨\u200d👩", "👨\u200d👩")],  # ZWJ kept
)
def test_clean(raw, expected):
    assert clean(raw) == expected
