"""Gender codes, national identifiers, and generic text.

Gender: M / F / X (non-binary and other identities) / U (stated as unknown or
declined). Common English, Spanish, French, German and Chinese words are recognised, as
are ISO/IEC 5218 codes (0 not known, 1 male, 2 female, 9 not applicable). Anything else
is ``gender.unknown`` with ``value=None``.

National id: spaces, dashes and dots removed, upper-cased. In US-region sources a 9-digit
id is read as an SSN and checked against the SSA's never-issued ranges (area 000, 666 or
900-999, group 00, serial 0000) and a few famous published numbers; invalid ones get
``value=None`` because shared junk ids (000-00-0000, 123-45-6789) would link strangers.
Other shapes are kept as they are, valid (their check digits are not verified).
"""

from __future__ import annotations

import re

from mdm.standardise.base import Context, FieldValue, ascii_digits, fold_ascii, standardiser
from mdm.standardise.usps import US_REGIONS

GENDER_FIELDS = ("value", "valid", "reason")
NATIONAL_ID_FIELDS = ("value", "valid", "reason", "kind")
TEXT_FIELDS = ("value", "valid", "reason")

_GENDER_TABLE = {
    "M": "m, male, man, boy, masculine, masc, mr, he, he/him, hombre, masculino, varon, homme, masculin, "
    "mannlich, maennlich, herr, 男, 男性",
    "F": "f, female, woman, girl, feminine, fem, mrs, ms, miss, she, she/her, mujer, femenino, femme, "
    "feminin, weiblich, w, frau, 女, 女性",
    "X": "x, non-binary, nonbinary, non binary, nb, enby, genderqueer, agender, genderfluid, intersex, "
    "other, diverse, divers, they/them, third gender",
    "U": "u, unknown, unk, not known, unspecified, not specified, undisclosed, prefer not to say, "
    "prefer not to answer, declined, decline to state, n/a, na, none, not stated",
}
_ISO_5218 = {"0": "U", "1": "M", "2": "F", "9": "U"}


def _compile_genders() -> dict[str, str]:
    lookup: dict[str, str] = dict(_ISO_5218)
    for code, words in _GENDER_TABLE.items():
        for word in words.split(","):
            lookup[word.strip()] = code
    return lookup


_GENDERS = _compile_genders()
_GENDER_PUNCTUATION = re.compile(r"[.\-_,;:()\[\]\"']+")


def _gender(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Free-text or coded gender -> M / F / X / U."""
    key = fold_ascii(text).casefold()
    code = _GENDERS.get(key) or _GENDERS.get(" ".join(_GENDER_PUNCTUATION.sub(" ", key).split()))
    if code is None:
        return {"value": None, "valid": False, "reason": "gender.unknown"}
    return {"value": code}


_ID_SEPARATORS = re.compile(r"[\s\-.\u2010-\u2015]+")
_KNOWN_BAD_SSNS = frozenset({"078051120", "219099999", "123456789"})  # Woolworth wallet card, SSA ad, test


def _ssn_ok(digits: str) -> bool:
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return not (
        area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000"
        or digits in _KNOWN_BAD_SSNS
    )


def _national_id(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Strip separators and upper-case; validate US SSNs in US-region sources."""
    value = ascii_digits(_ID_SEPARATORS.sub("", text)).upper()
    if ctx.region in US_REGIONS and len(value) == 9 and value.isascii() and value.isdigit():
        if not _ssn_ok(value):
            return {"value": None, "valid": False, "reason": "national_id.invalid", "kind": "us_ssn"}
        return {"value": value, "kind": "us_ssn"}
    return {"value": value}


def _text(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Trim, NFKC and collapse whitespace (done by the shared wrapper); nothing else."""
    return {"value": text}


GENDER = standardiser("gender", GENDER_FIELDS, _gender, reads=set())
NATIONAL_ID = standardiser("national_id", NATIONAL_ID_FIELDS, _national_id, reads={"region"})
TEXT = standardiser("text", TEXT_FIELDS, _text, reads=set())
