"""Dates -> ISO ``YYYY-MM-DD``, in the source's own formats, with birth-date plausibility.

Order of attempts: an ISO 8601 date or datetime (``2020-01-31``, ``2020-01-31T10:00Z``,
``2020-01-31 00:00:00``: the date part is taken, no time-zone shift) first, because it is
unambiguous and because it is what ``value`` looks like, so values always re-parse to
themselves; then ``ctx.date_formats`` in order (a trailing time of day is tolerated);
then the other ISO 8601 forms Python accepts (``20200131``, ``2020-W05-5``).

A string that has the shape of one of those formats but names no real day (2021-02-30,
13/45/2020) is ``date.impossible``; anything else that fails is ``date.unparseable``.
Both give ``value=None`` so a downstream ``CAST(value AS DATE)`` never fails. With
``ctx.is_birth_date``, a date after ``ctx.today`` is ``date.future`` and one more than 130
years back is ``date.implausible`` (value kept: the date itself is real); a two-digit year
(``%y``) that lands in the future is read as the previous century (01/02/68 -> 1968).
Excel serial numbers are not guessed.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from mdm.standardise.base import Context, FieldValue, standardiser

DATE_FIELDS = ("value", "valid", "reason")

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.IGNORECASE,
)
_TRAILING_TIME = re.compile(
    r"^(.*?\d)(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AP]\.?M\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)$",
    re.IGNORECASE,
)
_DIRECTIVES = {
    "Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{1,2}", "d": r"\d{1,2}", "j": r"\d{1,3}",
    "b": r"[^\W\d_]{3,}\.?", "B": r"[^\W\d_]{3,}", "a": r"[^\W\d_]{2,}\.?", "A": r"[^\W\d_]{3,}",
    "H": r"\d{1,2}", "I": r"\d{1,2}", "M": r"\d{1,2}", "S": r"\d{1,2}", "f": r"\d{1,6}", "p": r"[AaPp][Mm]",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})", "Z": r"[A-Za-z]{1,5}", "%": "%",
}


@lru_cache(maxsize=256)
def _shape(fmt: str) -> re.Pattern[str]:
    """A regex matching strings that *look like* ``fmt`` whatever their numbers, for 'impossible'."""
    parts: list[str] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%" and i + 1 < len(fmt):
            parts.append(_DIRECTIVES.get(fmt[i + 1], r".+?"))
            i += 2
            continue
        parts.append(r"\s+" if char.isspace() else re.escape(char))
        i += 1
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE)


def _strptime(text: str, fmt: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text, fmt).date()
    except (ValueError, OverflowError, TypeError):
        return None


def _from_formats(text: str, ctx: Context) -> tuple[datetime.date | None, str | None, bool]:
    """(date, format used, shape matched) over ``ctx.date_formats``, with and without a time."""
    candidates = [text]
    if match := _TRAILING_TIME.match(text):
        candidates.append(match.group(1))
    shaped = False
    for fmt in ctx.date_formats:
        for candidate in candidates:
            parsed = _strptime(candidate, fmt)
            if parsed is not None:
                return parsed, fmt, True
            shaped = shaped or bool(_shape(fmt).match(candidate))
    return None, None, shaped


def _other_iso(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


#: birth dates systems fill in when the real one is unknown: no value, never a match key
PLACEHOLDER_BIRTH_DATES = frozenset({
    datetime.date(1900, 1, 1), datetime.date(1901, 1, 1), datetime.date(1899, 12, 31),
    datetime.date(1800, 1, 1), datetime.date(1111, 11, 11),
})


def _date(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Parse with the source's formats (ISO first); flag impossible and implausible dates."""
    parsed: datetime.date | None = None
    fmt: str | None = None
    if match := _ISO.match(text):
        try:
            parsed = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return {"value": None, "valid": False, "reason": "date.impossible"}
    else:
        parsed, fmt, shaped = _from_formats(text, ctx)
        if parsed is None:
            parsed = _other_iso(text)
        if parsed is None:
            reason = "date.impossible" if shaped else "date.unparseable"
            return {"value": None, "valid": False, "reason": reason}
    if not ctx.is_birth_date:
        return {"value": parsed.isoformat()}
    if parsed in PLACEHOLDER_BIRTH_DATES:
        return {"value": None, "valid": False, "reason": "date.placeholder"}
    today = ctx.reference_date()
    if parsed > today and fmt is not None and "%y" in fmt and parsed.year > 100:
        parsed = _years_before(parsed, 100)
    if parsed > today:
        return {"value": parsed.isoformat(), "valid": False, "reason": "date.future"}
    if parsed < _years_before(today, 130):
        return {"value": parsed.isoformat(), "valid": False, "reason": "date.implausible"}
    return {"value": parsed.isoformat()}


DATE = standardiser("date", DATE_FIELDS, _date, reads={"dates"})
