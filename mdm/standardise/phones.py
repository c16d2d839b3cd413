"""Phone numbers -> E.164 with phonenumbers (Google's libphonenumber metadata).

Numbers without a country code are read in ``ctx.default_region``. Extensions
("x123", "ext. 45") are split off by phonenumbers into ``extension``. ``value`` is set
only for numbers phonenumbers considers valid: junk such as 555-1234 or 000-000-0000 is
exactly what makes unrelated records look alike, so invalid numbers get ``value=None``
and a reason (``phone.invalid`` when parsed but not a valid number for its region,
``phone.unparseable`` when not a phone number at all). Spreadsheet floats ("2024561111.0")
are read as digits, and "00"-prefixed international numbers are retried as "+" when the
region's own reading is invalid.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

from mdm.standardise.base import Context, FieldValue, standardiser

PHONE_FIELDS = ("value", "valid", "reason", "extension", "type", "region")

_TYPES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)

# Speed, same answers, through phonenumbers' public API only (nothing of the library is
# replaced). (1) Keep the compiled metadata patterns (libphonenumber's RegexCache) instead of a
# trip through re.compile's cache on every pattern test.
if hasattr(phonenumbers, "enable_pattern_cache"):
    phonenumbers.enable_pattern_cache()

# (2) Most keys are a North American number as the stage folds it: ten digits, or "+1" and ten
# digits, the first of the ten 2-9 (no trunk "1", no country code to find). phonenumbers.parse
# gives exactly PhoneNumber(country_code=1, national_number=<the ten digits>) for those in any
# +1 region; building it directly skips parse's regex passes (about half a phone's time).
# tests/standardise/test_std_phones.py compares the two on random numbers.
_NANP_REGIONS = frozenset(r for r in phonenumbers.SUPPORTED_REGIONS if phonenumbers.country_code_for_region(r) == 1)
_NANP_TEN = re.compile(r"(?:\+1)?([2-9][0-9]{9})")


def _parse_number(text: str, region: str) -> phonenumbers.PhoneNumber:
    match = _NANP_TEN.fullmatch(text)
    if match is not None and (region in _NANP_REGIONS or text[0] == "+"):
        return phonenumbers.PhoneNumber(country_code=1, national_number=int(match.group(1)))
    return phonenumbers.parse(text, region)


_FLOAT = re.compile(r"^(\+?\d+)\.0+$")
_IDD_00 = re.compile(r"^\s*00\s*(?=[1-9])")


def _parse(text: str, region: str) -> tuple[phonenumbers.PhoneNumber | None, str | None]:
    """(number, its region when valid else None); region lookups are the costly part, done once."""
    try:
        number = _parse_number(text, region)
    except phonenumbers.NumberParseException:
        return None, None
    # most numbers belong to the region they were read in: one check instead of a scan over
    # every region sharing the country code (25 for +1)
    if region != "ZZ" and phonenumbers.is_valid_number_for_region(number, region):
        return number, region
    number_region = phonenumbers.region_code_for_number(number)
    if number_region is None or not phonenumbers.is_valid_number_for_region(number, number_region):
        return number, None
    return number, number_region


def _phone(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Parse in the source's default region; E.164 value, extension, line type and region."""
    if match := _FLOAT.match(text):
        text = match.group(1)
    region = ctx.region if ctx.region in _REGIONS else "ZZ"
    number, number_region = _parse(text, region)
    if number_region is None and _IDD_00.match(text):
        retry, retry_region = _parse(_IDD_00.sub("+", text), region)
        if retry_region is not None:
            number, number_region = retry, retry_region
    if number is None:
        return {"value": None, "valid": False, "reason": "phone.unparseable"}
    extension = number.extension or None
    if number_region is None:
        return {"value": None, "valid": False, "reason": "phone.invalid", "extension": extension}
    return {
        "value": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        "extension": extension,
        "type": _TYPES.get(phonenumbers.number_type(number)),
        "region": number_region,
    }


PHONE = standardiser("phone", PHONE_FIELDS, _phone, settle=False, reads={"region"})  # E.164 re-parses to itself
