"""Reading dates and timestamps from text: one reading for every stage that needs one.

Validation, the date standardiser, cross-field rules, the ``updated_at`` column behind
survivorship recency and decay audits, and the real-time upsert all read date text
through this module, so a value is either the same date everywhere or flagged
everywhere, and no text (any string, any year 0001-9999, any offset) can raise.

* :func:`parse_date` reads one string: ISO 8601 first (``2020-01-31``,
  ``2020-01-31T10:00Z``, ``2020-01-31 00:00:00``: the date part, no time-zone shift),
  then the source's strptime formats in order (a trailing time of day is tolerated),
  then the other ISO forms Python accepts (``20200131``, ``2020-W05-5``). A string with
  the shape of a format but no such day (2021-02-30, 13/45/2020) is
  ``date.impossible``; anything else that fails is ``date.unparseable``.
* :func:`parse_dates` is the same reading over a column, vectorised the way the
  standardise stage is: each distinct *day* is read once (ISO date-times keyed by their
  first ten characters, other strings by what is left once a trailing time is dropped,
  both by vectorised RE2), never a pandas nanosecond cast, which cannot hold years
  before 1677 or after 2262. At a million rows: birth dates 0.3 s, ISO timestamps
  0.35 s, ``MM/DD/YYYY HH:MM:SS`` timestamps 1.9 s.
* :func:`parse_timestamps` reads date-times (``updated_at``): ISO 8601 date-times at
  their full resolution, in UTC (pandas, vectorised; mixed offsets are fine); anything
  else as its date at midnight.
* :func:`implausible_timestamps` marks timestamps no system can have written (before
  :data:`EARLIEST_TIMESTAMP`, or more than a day after today): flagged, never used for
  recency or decay.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

IMPOSSIBLE = "date.impossible"
UNPARSEABLE = "date.unparseable"

#: the earliest timestamp a source system plausibly recorded a change at
EARLIEST_TIMESTAMP = datetime.datetime(1900, 1, 1)
#: how far past the end of today a source clock may run (time zones, skew)
FUTURE_SLACK = datetime.timedelta(days=1)

ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.IGNORECASE,
)
_TRAILING_TIME = re.compile(
    r"^(.*?\d)(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AP]\.?M\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)$",
    re.IGNORECASE,
)
#: an ASCII subset of :data:`ISO_DATE` in RE2 syntax (vectorised in pyarrow): a string it matches,
#: ISO_DATE matches too, and its reading depends on its first ten characters only, so
#: :func:`parse_dates` reads those (a million distinct timestamps hold a few thousand days)
_ISO_ASCII = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
              r"(?:[Tt ][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2}(?:[.,][0-9]+)?)?)?"
              r"[ \t]*(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?")
#: an ASCII subset of :data:`_TRAILING_TIME` in RE2 syntax: where it matches, its group is _TRAILING_TIME's
_TRAILING_ASCII = (r"^(.*?[0-9])(?:[Tt ]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?[ \t]*"
                   r"(?:[AaPp]\.?[Mm]\.?)?[ \t]*(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?)$")
#: strings pandas may read as an ISO 8601 date-time (RE2)
_ISO_DATETIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ].*)?"
_DIRECTIVES = {
    "Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{1,2}", "d": r"\d{1,2}", "j": r"\d{1,3}",
    "b": r"[^\W\d_]{3,}\.?", "B": r"[^\W\d_]{3,}", "a": r"[^\W\d_]{2,}\.?", "A": r"[^\W\d_]{3,}",
    "H": r"\d{1,2}", "I": r"\d{1,2}", "M": r"\d{1,2}", "S": r"\d{1,2}", "f": r"\d{1,6}", "p": r"[AaPp][Mm]",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})", "Z": r"[A-Za-z]{1,5}", "%": "%",
}
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_MIN_US = np.datetime64("0001-01-01T00:00:00", "us")
_MAX_US = np.datetime64("9999-12-31T23:59:59.999999", "us")


class DateReading(NamedTuple):
    """What a string says as a date: the day, the strptime format that read it (None for
    ISO 8601), and why there is no day (``date.impossible`` / ``date.unparseable``)."""

    day: datetime.date | None
    fmt: str | None = None
    reason: str | None = None


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
    except (ValueError, OverflowError, TypeError, re.error):
        return None


#: strptime directives that read a time of day: a format with one reads the time itself
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%f", "%p", "%z", "%Z", "%c", "%X")


@lru_cache(maxsize=256)
def reads_time(formats: tuple[str, ...]) -> bool:
    """Whether any of ``formats`` reads a time of day (else a trailing time is simply dropped)."""
    return any(d in fmt for fmt in formats for d in _TIME_DIRECTIVES)


def _from_formats(text: str, formats: tuple[str, ...]) -> tuple[datetime.date | None, str | None, bool]:
    """(date, format used, shape matched) over ``formats``, with and without a trailing time."""
    candidates = [text]
    if match := _TRAILING_TIME.match(text):
        candidates.append(match.group(1))
    shaped = False
    for fmt in formats:
        for candidate in candidates:
            parsed = _strptime(candidate, fmt)
            if parsed is not None:
                return parsed, fmt, True
            with contextlib.suppress(re.error):
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


@lru_cache(maxsize=1 << 16)
def parse_date(text: str, formats: tuple[str, ...] = ()) -> DateReading:
    """Read one (stripped) string as a date; never raises (see the module doc for the order).

    When no format reads a time of day, a trailing time is dropped before anything else is
    tried, so a string and its date part always read alike (:func:`parse_dates` relies on it).
    """
    drop_time = not reads_time(formats)
    while True:
        if match := ISO_DATE.match(text):
            try:
                return DateReading(datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
            except ValueError:
                return DateReading(None, None, IMPOSSIBLE)
        if drop_time and (timed := _TRAILING_TIME.match(text)):
            text = timed.group(1)
            continue
        break
    parsed, fmt, shaped = _from_formats(text, formats)
    if parsed is None:
        parsed = _other_iso(text)
    if parsed is None:
        return DateReading(None, None, IMPOSSIBLE if shaped else UNPARSEABLE)
    return DateReading(parsed, fmt)


_SURROGATES = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with lone surrogates (JSON can carry them, UTF-8 and Arrow cannot) as U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def as_strings(values: pd.Series) -> pd.Series:
    """``values`` as pandas strings, whatever they hold (see :func:`encodable`)."""
    try:
        return values.astype("string")
    except UnicodeError:
        return values.map(lambda v: encodable(v) if isinstance(v, str) else v).astype("string")


def _text(values: pd.Series) -> pd.Series:
    return as_strings(values).str.strip()


def parse_dates(values: pd.Series, formats: tuple[str, ...] = ()) -> pd.Series:
    """:func:`parse_date` over a column: ``datetime64[us]`` at midnight, NaT where there is no date.

    Each distinct value is read once; blank and missing values are NaT. Never raises.
    """
    text = _text(values)
    # read each distinct *date*: an ISO date-time by its first ten characters, and (when no
    # format reads a time) any other string by what is left once its trailing time is dropped
    longer = (text.str.len() > 10).fillna(False).astype(bool)
    if longer.any():
        iso = longer & text.str.fullmatch(_ISO_ASCII).fillna(False).astype(bool)
        text = text.where(~iso, text.str.slice(0, 10))
        if not reads_time(formats):
            rest = longer & ~iso
            if rest.any():
                part = text[rest].str.extract(_TRAILING_ASCII, expand=False)
                text.loc[rest] = part.where(part.notna(), text[rest])
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    readings = (parse_date(str(u), formats).day for u in uniques)
    ordinals = np.fromiter((0 if d is None else d.toordinal() for d in readings), dtype=np.int64,
                           count=len(uniques))
    days = np.append(ordinals - _EPOCH_ORDINAL, 0).astype("datetime64[D]").astype("datetime64[us]")
    days[np.append(ordinals == 0, True)] = np.datetime64("NaT")  # no day, and the trailing NA slot
    picked = days[np.where(codes < 0, len(uniques), codes)]
    return pd.Series(picked, index=values.index, name=values.name)


def parse_timestamps(values: pd.Series, formats: tuple[str, ...] = ()) -> pd.Series:
    """Date-times: ISO 8601 at full resolution (an offset is converted to UTC, and dropped),
    anything else as its :func:`parse_date` day at midnight. ``datetime64[us]``; never raises."""
    text = _text(values)
    out = pd.Series(np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]"), index=values.index,
                    name=values.name)
    iso = text.str.fullmatch(_ISO_DATETIME).fillna(False).astype(bool)
    if iso.any():
        try:
            stamps = pd.to_datetime(text[iso], format="ISO8601", utc=True, errors="coerce")
            naive = stamps.dt.tz_convert(None).astype("datetime64[us]")
            # an offset can carry 9999-12-31 past the years Python (and so every reader) can hold
            out[iso] = naive.where((naive >= _MIN_US) & (naive <= _MAX_US))
        except (ValueError, OverflowError, TypeError):  # incl. OutOfBoundsDatetime: read as dates below
            pass
    rest = out.isna() & text.notna()
    if rest.any():
        out[rest] = parse_dates(text[rest], formats)
    return out


def latest_plausible(today: datetime.date | None = None) -> datetime.datetime:
    """The latest timestamp a source could have written by the end of ``today``."""
    day = today or datetime.date.today()
    return datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(days=1) + FUTURE_SLACK


def implausible_timestamps(stamps: pd.Series, today: datetime.date | None = None) -> pd.Series:
    """True where a parsed timestamp lies before :data:`EARLIEST_TIMESTAMP` or after
    :func:`latest_plausible` (year 0001, 1085, 9185, ...); False where it is NaT or plausible."""
    lo, hi = np.datetime64(EARLIEST_TIMESTAMP, "us"), np.datetime64(latest_plausible(today), "us")
    return (stamps.notna() & ((stamps < lo) | (stamps > hi))).astype(bool)


def plausible_timestamp(value: datetime.datetime | None, today: datetime.date | None = None
                        ) -> datetime.datetime | None:
    """One timestamp (as the API receives it, naive or with an offset) as a naive local time the hub
    stores, or None when it is implausible (see :func:`implausible_timestamps`) or unrepresentable."""
    if value is None:
        return None
    try:
        local = value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value
    except (OverflowError, ValueError, OSError):  # 0001-01-01 with an offset east of the local zone
        return None
    if local < EARLIEST_TIMESTAMP or local > latest_plausible(today):
        return None
    return local
