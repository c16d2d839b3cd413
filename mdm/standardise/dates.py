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
"""

from __future__ import annotations

import datetime

from mdm.dates import parse_date
from mdm.standardise.base import Context, FieldValue, standardiser

DATE_FIELDS = ("value", "valid", "reason")


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
        return {"value": None, "valid": False, "reason": reading.reason}
    parsed, fmt = reading.day, reading.fmt
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
