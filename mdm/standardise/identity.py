"""Gender codes, national identifiers, and generic text.

Gender: M / F / X (non-binary and other identities) / U (stated as unknown or
declined). Common English, Spanish, French, German and Chinese words are recognised, as
are ISO/IEC 5218 codes (0 not known, 1 male, 2 female, 9 not applicable). Anything else
is ``gender.unknown`` with ``value=None``.

National id: spaces, dashes and dots removed, upper-cased. In US-region sources a 9-digit
id is read as an SSN and checked against the SSA's never-issued ranges (area 000, 666 or
900-999, group 00, serial 0000) and a few famous published numbers; invalid ones get
``value=None`` because shared junk ids (000-00-0000, 123-45-6789) would link strangers.
In Chinese-region sources (CN) an 18-character resident identity number (6-digit region,
8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check character) has its check
character verified, and a 15-digit first-generation number (issued until 1999: 6-digit
region, YYMMDD birth date, sequence, no check) is canonicalised to its 18-character form
(``19`` inserted before the year, the check character appended), so the two generations of
one person's id compare equal. A bad check character or birth date is a flag
(``national_id.checksum`` / ``national_id.invalid``) with the value kept: an id with one
mistyped digit is still evidence for the matcher's edit-distance levels.
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


_CN_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CN_CHECK = "10X98765432"
_CN_ID_18 = re.compile(r"\d{17}[\dX]")
_CN_ID_15 = re.compile(r"\d{15}")


def cn_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a Chinese resident id's first 17 digits."""
    return _CN_CHECK[sum(int(d) * w for d, w in zip(first17, _CN_WEIGHTS, strict=True)) % 11]


def cn_id_18(id15: str) -> str:
    """A 15-digit first-generation resident id in its 18-character form (born 19YY)."""
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + cn_check_character(first17)


def _date_ok(yyyymmdd: str) -> bool:
    import datetime

    try:
        datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return yyyymmdd[:2] in ("18", "19", "20")


def _cn_resident_id(value: str) -> dict[str, FieldValue] | None:
    if _CN_ID_15.fullmatch(value):
        value = cn_id_18(value)
    elif not _CN_ID_18.fullmatch(value):
        return None
    out: dict[str, FieldValue] = {"value": value, "kind": "cn_resident_id"}
    if not _date_ok(value[6:14]):
        out.update(valid=False, reason="national_id.invalid")
    elif cn_check_character(value[:17]) != value[17]:
        out.update(valid=False, reason="national_id.checksum")
    return out


def _national_id(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Strip separators and upper-case; validate US SSNs in US-region sources and Chinese
    resident ids (15 digits -> 18) in Chinese ones."""
    value = ascii_digits(_ID_SEPARATORS.sub("", text)).upper()
    if ctx.region in US_REGIONS and len(value) == 9 and value.isascii() and value.isdigit():
        if not _ssn_ok(value):
            return {"value": None, "valid": False, "reason": "national_id.invalid", "kind": "us_ssn"}
        return {"value": value, "kind": "us_ssn"}
    if ctx.region == "CN" and value.isascii() and (resident := _cn_resident_id(value)) is not None:
        return resident
    return {"value": value}


def _text(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Trim, NFKC and collapse whitespace (done by the shared wrapper); nothing else."""
    return {"value": text}


GENDER = standardiser("gender", GENDER_FIELDS, _gender, reads=set())
NATIONAL_ID = standardiser("national_id", NATIONAL_ID_FIELDS, _national_id, reads={"region"})
TEXT = standardiser("text", TEXT_FIELDS, _text, reads=set())
