"""Dates -> ISO ``YYYY-MM-DD``, in the source's own formats, with birth-date plausibility.

The reading is :func:`mdm.dates.parse_date`, the one validation, cross-field rules and
``updated_at`` use too, so a date validation accepts is the date standardised here. Order
of attempts: an ISO 8601 date or datetime (``2020-01-31``, ``2020-01-31T10:00Z``,
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

``match_form`` is what matching may read of a birth date that has no valid value: the
future or implausible date itself (``9140-10-30``, a slip of 1940), or an impossible or
unparseable one's three digit groups in year-month-day order as written (``19.50.1938``
-> ``1938-50-19``, ``1941-0-07``), so a digit typo still counts as a typo against the true
date. The value stays flagged; survivorship and the golden record never see this form.
"""

from __future__ import annotations

import datetime
import re

from mdm.dates import parse_date
from mdm.standardise.base import Context, FieldValue, standardiser

DATE_FIELDS = ("value", "valid", "reason", "match_form")
_DIGIT_GROUPS = re.compile(r"\d+")
_NUMERIC_DIRECTIVES = re.compile(r"%([YmdyHIMSfjUWV])")


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
    reading = parse_date(text, ctx.date_formats)
    if reading.day is None:
        form = as_written(text, ctx.date_formats) if ctx.is_birth_date else None
        return {"value": None, "valid": False, "reason": reading.reason, "match_form": form}
    parsed, fmt = reading.day, reading.fmt
    if not ctx.is_birth_date:
        return {"value": parsed.isoformat()}
    if parsed in PLACEHOLDER_BIRTH_DATES:
        return {"value": None, "valid": False, "reason": "date.placeholder"}
    today = ctx.reference_date()
    if parsed > today and fmt is not None and "%y" in fmt and parsed.year > 100:
        parsed = _years_before(parsed, 100)
    if parsed > today:
        return {"value": parsed.isoformat(), "valid": False, "reason": "date.future", "match_form": parsed.isoformat()}
    if parsed < _years_before(today, 130):
        return {"value": parsed.isoformat(), "valid": False, "reason": "date.implausible",
                "match_form": parsed.isoformat()}
    return {"value": parsed.isoformat()}


def as_written(text: str, formats: tuple[str, ...]) -> str | None:
    """An unreadable date's digits as ``year-month-day``, in the order the source writes them.

    Three digit groups and nothing else but separators; the year is the group of three or
    more digits, first (ISO order) or last (read day/month order from the first of
    ``formats`` that ends in a year: ``%d.%m.%Y`` or ``%m/%d/%Y``). Anything else: None.
    """
    groups = _DIGIT_GROUPS.findall(text)
    if len(groups) != 3 or any(c.isalpha() for c in text):
        return None
    if len(groups[0]) >= 3 and len(groups[2]) <= 2:
        year, month, day = groups
    elif len(groups[2]) >= 3 and len(groups[0]) <= 2:
        order = next((d for f in formats if len(d := _NUMERIC_DIRECTIVES.findall(f)) == 3
                      and d[2] == "Y" and set(d[:2]) == {"d", "m"}), None)
        if order is None:
            return None
        day, month = (groups[0], groups[1]) if order[0] == "d" else (groups[1], groups[0])
        year = groups[2]
    else:
        return None
    return f"{year}-{month}-{day}"


DATE = standardiser("date", DATE_FIELDS, _date, reads={"dates"})
