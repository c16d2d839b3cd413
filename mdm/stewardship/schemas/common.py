"""Shared types of the API models: strict dates and times, integers, reasons, errors, pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, WithJsonSchema


def _aware(value: dt.datetime) -> dt.datetime:
    """The hub keeps naive local timestamps; the API speaks RFC 3339, with the offset."""
    if value.tzinfo is None:
        try:
            return value.astimezone()
        except (OverflowError, ValueError, OSError):  # 0001-01-01 west of the local zone: read as UTC
            return value.replace(tzinfo=dt.UTC)
    return value


#: a point in time with its UTC offset (RFC 3339 date-time), in responses: naive hub times
#: (whether a datetime or a string read back from JSON) get the server's local offset
Timestamp = Annotated[dt.datetime, AfterValidator(_aware)]

#: years 0001-9999 (RFC 3339 allows 0000, which no date type here can hold)
_YEAR = r"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
DATE_PATTERN = rf"^{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
DATE_TIME_PATTERN = (rf"^{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]"
                     r":[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$")
_DATE_RE = re.compile(DATE_PATTERN)
_DATE_TIME_RE = re.compile(DATE_TIME_PATTERN)


def _request_date_time(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("a date-time is an RFC 3339 string such as 2026-01-05T10:00:00Z, not a number")
    if not _DATE_TIME_RE.fullmatch(value):
        raise ValueError(f"{value[:40]!r} is not an RFC 3339 date-time with an offset (e.g. 2026-01-05T10:00:00Z "
                         "or 2026-01-05T10:00:00+01:00); a time without Z or +hh:mm is ambiguous and refused")
    text = value.upper()
    if "." in text:  # Python reads at most 6 fraction digits: nanoseconds are cut to microseconds
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:  # 2026-02-30
        raise ValueError(f"{value[:40]!r} is not a real date-time") from None


def _request_date(value: Any) -> dt.date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError("a date is a YYYY-MM-DD string such as 2026-01-31")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        raise ValueError(f"{value!r} is not a real date") from None


#: a date-time a client sends: an RFC 3339 string with its offset; naive times and numbers get 422
RequestTimestamp = Annotated[dt.datetime, BeforeValidator(_request_date_time), WithJsonSchema({
    "type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN,
    "description": "RFC 3339 with an offset (Z or +hh:mm); a naive date-time or a number is refused (422)"})]
#: a date a client sends: YYYY-MM-DD
RequestDate = Annotated[dt.date, BeforeValidator(_request_date), WithJsonSchema({
    "type": "string", "format": "date", "pattern": DATE_PATTERN})]

def json_integer(value: Any) -> Any:
    """JSON Schema's ``integer``: 3 and 3.0 are the same number; ``true`` and ``"3"`` are not numbers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # anything else meets the strict int check (bool, str and 3.5 are refused)


#: an integer in a request body: JSON's 3 or 3.0; never a boolean or a string
Integer = Annotated[int, BeforeValidator(json_integer)]

#: characters that do not make a reason: white space (all that ``str.isspace`` knows), C0/C1
#: controls, zero-width characters and the byte-order mark. The same class is the schema's pattern.
_INVISIBLE = (r"\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff")
VISIBLE_PATTERN = f"[^{_INVISIBLE}]"
_VISIBLE_RE = re.compile(VISIBLE_PATTERN)


def _reason(v: str) -> str:
    if not _VISIBLE_RE.search(v):
        raise ValueError("reason must contain a visible character (white space or control characters alone are "
                         "not a reason)")
    return v.strip()


#: why a steward changed something: kept in the audit log; at least one visible character
Reason = Annotated[StrictStr, Field(min_length=1, max_length=2000, description="why; kept in the audit log",
                                    json_schema_extra={"pattern": VISIBLE_PATTERN}),
                   AfterValidator(_reason)]


#: the largest id or sequence number the API takes: 2**53 - 1, the largest integer every JSON reader
#: holds exactly (with 2**62, 4611686018427387999 reads as the bound itself in a double)
MAX_ID = 2**53 - 1
#: an id or sequence number in a request body (the bounds sit on the int, so the schema states them)
RequestId = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)], BeforeValidator(json_integer)]


def examples(**example: Any) -> ConfigDict:
    """A response model: its OpenAPI example."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


def strictly(**example: Any) -> ConfigDict:
    """A request body: unknown fields refused, no type coercion (see the module docstring)."""
    return ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [example]})


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable reason code", examples=["task.version"])
    message: str = Field(description="one line for people: what went wrong and how to fix it")


class ErrorResponse(BaseModel):
    model_config = examples(error={"code": "task.version", "message": "task 7 changed since you read it (it is at "
                                   "version 3, you sent 2); reload it and try again"})
    error: ErrorDetail


class Health(BaseModel):
    model_config = examples(status="ok")
    status: Literal["ok"]


class Page(BaseModel):
    total: int = Field(ge=0, description="rows the filter selects, over all pages")
    limit: int
    offset: int


