"""City, state and postal code: the rest of a postal address.

Like street lines, these values are upper case (USPS Pub 28 style) so the whole address
family reads the same way; names, companies and emails are casefolded matching keys.
Diacritics are kept (MONTRÉAL); nothing is transliterated.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mdm.standardise.base import Context, FieldValue, ascii_digits, fold_ascii, standardiser
from mdm.standardise.usps import CA_PROVINCES, US_REGIONS, US_STATES

CITY_FIELDS = ("value", "valid", "reason")
STATE_FIELDS = ("value", "valid", "reason", "country")
POSTAL_CODE_FIELDS = ("value", "valid", "reason", "zip4", "format")

_CITY_PUNCTUATION = re.compile(r"[.,;:/\\()\[\]\"]+")
# Spelled out, as USPS city names are: ST LOUIS -> SAINT LOUIS, FT WORTH -> FORT WORTH.
_CITY_WORDS = {"ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT", "PT": "POINT"}
_CITY_LEADING = {"N": "NORTH", "S": "SOUTH", "E": "EAST", "W": "WEST"}


def _city(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Upper case, punctuation dropped (hyphens/apostrophes kept), St/Ft/Mt spelled out."""
    tokens = _CITY_PUNCTUATION.sub(" ", text.upper().replace("\u2019", "'")).split()
    for i, token in enumerate(tokens[:-1]):
        tokens[i] = _CITY_WORDS.get(token, token)
    if len(tokens) > 1:
        tokens[0] = _CITY_LEADING.get(tokens[0], tokens[0])
    value = " ".join(tokens) or text.upper()
    if not any(c.isalpha() for c in value) or any(c.isdigit() for c in value):
        return {"value": value, "valid": False, "reason": "city.invalid"}
    return {"value": value}


def _state_key(text: str) -> str:
    key = " ".join(fold_ascii(text).upper().replace(".", " ").replace(",", " ").split())
    return key.removeprefix("STATE OF ").removeprefix("PROVINCE OF ")


#: countries whose postal addresses write the state as its code (NSW 2000, SP 01310-100)
_STATE_CODES = frozenset({"AU", "BR", "MX", "IN", "MY"})


@lru_cache(maxsize=256)
def subdivisions(country: str) -> dict[str, str]:
    """A country's subdivisions (ISO 3166-2, pycountry), each name and code as a key
    (folded like :func:`_state_key`) -> the form stored: its code where addresses use codes, else
    its name in capitals. Empty for a country pycountry does not know."""
    import pycountry

    found = list(pycountry.subdivisions.get(country_code=country) or [])  # type: ignore[no-untyped-call]
    # top-level subdivisions first, so a name both levels use ("Madrid") is read as the higher one
    found.sort(key=lambda sub: getattr(sub, "parent_code", None) is not None)
    out: dict[str, str] = {}
    for sub in found:
        code = sub.code.split("-", 1)[1]
        # "Barcelona [Barcelona]", "Illes Balears [Islas Baleares]", "Alacant / Alicante": the
        # name, then the same in another official language; each is a spelling of it
        names = [n.strip() for n in re.split(r"\s*[\[\]/]\s*", sub.name) if n.strip()]
        stored = code if country in _STATE_CODES else " ".join(names[0].upper().split())
        for name in names:
            key = _state_key(name)
            for k in (key, key.replace(" ", ""), key.replace("-", " ")):
                out.setdefault(k, stored)
        out.setdefault(code, stored)
    return out


def _state(text: str, ctx: Context) -> dict[str, FieldValue]:
    """US state/territory or Canadian province -> its 2-letter postal code; in another country
    (the record's region) its ISO 3166-2 subdivision: the code where addresses write codes
    (Australia's WA for "Western Australia"), else the name (so spellings of one state agree)."""
    key = _state_key(text)
    region = ctx.region
    if region and region not in US_REGIONS and region != "CA":
        table = subdivisions(region)
        stored = table.get(key) or table.get(key.replace(" ", "")) or table.get(key.replace("-", " "))
        if stored:
            return {"value": stored, "country": region}
    for table_, country in ((US_STATES, "US"), (CA_PROVINCES, "CA")):
        code = table_.get(key) or table_.get(key.replace(" ", ""))
        if code:
            return {"value": code, "country": country}
    value = " ".join(text.upper().split())
    if region in US_REGIONS or region == "CA":
        return {"value": value, "valid": False, "reason": "state.unknown"}
    return {"value": value}


_FLOAT_DIGITS = re.compile(r"^(\d+)\.0+$")
_CANADA = re.compile(r"^[A-Z]\d[A-Z]\d[A-Z]\d$")
_UK = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
_ALLOWED = re.compile(r"^[A-Z0-9 -]+$")


def _us_zip(digits: str) -> dict[str, FieldValue]:
    """ZIP / ZIP+4 from ASCII digits, restoring leading zeros spreadsheets dropped."""
    if len(digits) in (3, 4):
        digits = digits.zfill(5)
    elif len(digits) == 8:
        digits = digits.zfill(9)
    if len(digits) not in (5, 9) or digits[:5] == "00000":
        return {"value": None, "valid": False, "reason": "postal_code.invalid", "format": "us"}
    return {"value": digits[:5], "zip4": digits[5:] or None, "format": "us"}


def _postal_code(text: str, ctx: Context) -> dict[str, FieldValue]:
    """US ZIP to 5 digits (+ zip4); Canadian/UK codes spaced canonically; others upper-cased."""
    upper = ascii_digits(text).upper()
    if match := _FLOAT_DIGITS.match(upper):
        upper = match.group(1)
    if not upper.isascii() or not _ALLOWED.match(upper):
        return {"value": None, "valid": False, "reason": "postal_code.invalid"}
    compact = upper.replace(" ", "").replace("-", "")
    if compact.isdigit():
        if ctx.region in US_REGIONS:
            return _us_zip(compact)
        return {"value": compact, "format": "other"}
    if _CANADA.match(compact):
        return {"value": f"{compact[:3]} {compact[3:]}", "format": "ca"}
    if _UK.match(compact):
        return {"value": f"{compact[:-3]} {compact[-3:]}", "format": "gb"}
    if not any(c.isdigit() for c in compact):
        return {"value": None, "valid": False, "reason": "postal_code.invalid"}
    return {"value": upper, "format": "other"}


CITY = standardiser("city", CITY_FIELDS, _city, reads=set())
STATE = standardiser("state", STATE_FIELDS, _state, reads={"region"})
POSTAL_CODE = standardiser("postal_code", POSTAL_CODE_FIELDS, _postal_code, reads={"region"})
