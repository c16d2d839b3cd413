"""Dates: source formats, ISO 8601, impossible/unparseable, birth-date plausibility, hostile input."""

from __future__ import annotations

import datetime

import pytest

from mdm.standardise import Context

US = Context(date_formats=("%m/%d/%Y", "%m/%d/%y", "%b %d, %Y", "%d %B %Y"))
EU = Context(date_formats=("%d/%m/%Y", "%d.%m.%Y"))
BIRTH = Context(
    date_formats=("%m/%d/%Y", "%m/%d/%y"), is_birth_date=True, today=datetime.date(2024, 6, 1)
)

DATES = [
    ("2020-01-31", Context(), {"value": "2020-01-31", "valid": True}),
    ("  2020-01-31 ", Context(), {"value": "2020-01-31"}),
    ("2020-01-31T10:11:12Z", Context(), {"value": "2020-01-31"}),
    ("2020-01-31T23:59:59+05:30", Context(), {"value": "2020-01-31"}),  # date part, no zone shift
    ("2020-01-31 00:00:00", Context(), {"value": "2020-01-31"}),
    ("2020-01-31 00:00:00.000", Context(), {"value": "2020-01-31"}),
    ("20200131", Context(), {"value": "2020-01-31"}),
    ("2020-02-29", Context(), {"value": "2020-02-29", "valid": True}),  # leap year
    ("2021-02-29", Context(), {"value": None, "valid": False, "reason": "date.impossible"}),
    ("2021-02-30", Context(), {"value": None, "valid": False, "reason": "date.impossible"}),
    ("2021-13-01", Context(), {"value": None, "valid": False, "reason": "date.impossible"}),
    ("2021-04-31", Context(), {"value": None, "valid": False, "reason": "date.impossible"}),
    ("01/31/2020", Context(), {"value": None, "valid": False, "reason": "date.unparseable"}),  # not this source's
    ("01/31/2020", US, {"value": "2020-01-31", "valid": True}),
    ("1/5/2020", US, {"value": "2020-01-05"}),
    ("01/31/2020 00:00:00", US, {"value": "2020-01-31"}),  # CSV export of a datetime column
    ("1/31/2020 12:00 AM", US, {"value": "2020-01-31"}),
    ("Jan 31, 2020", US, {"value": "2020-01-31"}),
    ("31 January 2020", US, {"value": "2020-01-31"}),
    ("2020-01-31", US, {"value": "2020-01-31"}),  # ISO is always understood
    ("02/30/2020", US, {"value": None, "valid": False, "reason": "date.impossible"}),
    ("13/45/2020", US, {"value": None, "valid": False, "reason": "date.impossible"}),
    ("31/01/2020", EU, {"value": "2020-01-31"}),
    ("31.01.2020", EU, {"value": "2020-01-31"}),
    ("31/01/2020", US, {"value": None, "valid": False, "reason": "date.impossible"}),
    ("01/02/1965", BIRTH, {"value": "1965-01-02", "valid": True}),
    ("01/02/65", BIRTH, {"value": "1965-01-02"}),
    ("01/02/68", BIRTH, {"value": "1968-01-02", "valid": True}),  # strptime says 2068: a birth date can't be
    ("2030-01-01", BIRTH, {"value": "2030-01-01", "valid": False, "reason": "date.future"}),
    ("2024-06-02", BIRTH, {"valid": False, "reason": "date.future"}),
    ("2024-06-01", BIRTH, {"value": "2024-06-01", "valid": True}),  # born today
    ("1850-01-01", BIRTH, {"value": "1850-01-01", "valid": False, "reason": "date.implausible"}),
    ("1894-06-01", BIRTH, {"value": "1894-06-01", "valid": True}),  # exactly 130 years
    ("2030-01-01", Context(), {"value": "2030-01-01", "valid": True}),  # future is fine when not a birth date
    ("43831", US, {"value": None, "valid": False, "reason": "date.unparseable"}),  # Excel serial: not guessed
    ("yesterday", US, {"value": None, "valid": False, "reason": "date.unparseable"}),
    ("0000-00-00", Context(), {"value": None, "valid": False, "reason": "date.impossible"}),
    ("", US, {"value": None, "valid": True, "reason": None}),
    ("   ", US, {"value": None, "valid": True}),
    (None, US, {"value": None, "valid": True}),
    ("2020-01-\x0031", Context(), {"value": "2020-01-31"}),
    ("２０２０-０１-３１", Context(), {"value": "2020-01-31"}),  # full-width digits, NFKC
    ("😀", US, {"value": None, "valid": False, "reason": "date.unparseable"}),
    ("٢٠٢٠-٠١-٣١", Context(), {"value": "2020-01-31"}),  # Arabic-Indic digits are digits
    ("2020年1月31日", Context(), {"value": None, "valid": False, "reason": "date.unparseable"}),
    ("2020-01-31" * 1000, Context(), {"value": None, "valid": False, "reason": "date.too_long"}),
]


@pytest.mark.parametrize(("raw", "ctx", "expected"), DATES)
def test_date(check, raw, ctx, expected):
    check("date", raw, expected, ctx)


def test_chinese_date_format_when_the_source_declares_it(check):
    check("date", "2020年1月31日", {"value": "2020-01-31"}, Context(date_formats=("%Y年%m月%d日",)))


def test_placeholder_birth_dates_are_not_values() -> None:
    from mdm.standardise.base import Context
    from mdm.standardise.dates import DATE

    birth = Context(is_birth_date=True, date_formats=("%d/%m/%Y",))
    for text in ("1900-01-01", "01/01/1900", "1899-12-31"):
        out = DATE.func(text, birth)
        assert (out["value"], out["valid"], out["reason"]) == (None, False, "date.placeholder")
    assert DATE.func("1900-01-01", Context())["value"] == "1900-01-01"  # only birth dates
    assert DATE.func("1970-01-01", birth)["valid"] is True  # a real birthday for some


BIRTH = Context(is_birth_date=True, date_formats=("%d.%m.%Y",), today=datetime.date(2026, 1, 1))


@pytest.mark.parametrize(("raw", "reason", "form"), [
    ("19.50.1938", "date.impossible", "1938-50-19"),    # day-first layout, read in its own order
    ("1944-01-51", "date.impossible", "1944-01-51"),    # ISO order
    ("16.003.1983", "date.unparseable", "1983-003-16"),  # a doubled digit
    ("1941-0-07", "date.unparseable", "1941-0-07"),      # a dropped one
    ("30.10.9140", "date.future", "9140-10-30"),        # real, but a slip of 1940
    ("05.10.0205", "date.implausible", "0205-10-05"),
    ("01.01.1900", "date.placeholder", None),           # a filler, not a slip: no form
    ("unknown", "date.unparseable", None),
    ("3 May 19x4", "date.unparseable", None),
    ("19.5.1938.2", "date.unparseable", None),           # four digit groups
])
def test_an_unusable_birth_date_keeps_its_digits_as_a_match_form(raw: str, reason: str, form: str | None) -> None:
    from mdm.standardise.dates import DATE

    out = DATE.func(raw, BIRTH)
    assert (out["valid"], out["reason"], out["match_form"]) == (False, reason, form)
    assert DATE.func("12.05.1980", BIRTH)["match_form"] is None  # a valid date needs none
    assert DATE.func("19.50.1938", Context(date_formats=("%d.%m.%Y",)))["match_form"] is None  # birth dates only


def test_month_first_sources_are_read_month_first() -> None:
    from mdm.standardise.dates import as_written

    assert as_written("13/45/1970", ("%m/%d/%Y",)) == "1970-13-45"
    assert as_written("45/13/1970", ("%d/%m/%Y",)) == "1970-13-45"
    assert as_written("45/13/1970", ("%Y-%m-%d",)) is None  # no source layout ends in a year
