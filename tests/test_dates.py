"""Dates from any text, through every path that reads them: the reading itself (mdm.dates),
validation and cross-field rules, the date standardiser, the staged ``updated_at`` behind
recency and decay audits, and the real-time record standardiser. Any string and any year
0001-9999, in ISO, DD/MM/YYYY, MM/DD/YYYY or YYYYMMDD, with or without a time or an offset,
is either a real date or flagged, and nothing raises."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdm.config import Dictionary, SourceMapping, load_dictionary
from mdm.dates import (
    EARLIEST_TIMESTAMP,
    IMPOSSIBLE,
    UNPARSEABLE,
    implausible_timestamps,
    latest_plausible,
    parse_date,
    parse_dates,
    parse_timestamps,
    plausible_timestamp,
)
from mdm.ingest.stage import stage_file
from mdm.ingest.validate import blank, validate_frame
from mdm.standardise import Context
from mdm.standardise.base import clean
from mdm.standardise.dates import DATE
from mdm.standardise.record import standardise_record

TODAY = dt.date(2026, 1, 15)
FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d")  # a source that writes DD/MM/YYYY and YYYYMMDD
US_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# --------------------------------------------------------------------------- strategies

YEARS = st.one_of(st.integers(1, 9999), st.sampled_from([1, 99, 100, 999, 1085, 1677, 1678, 1899, 1900, 2262,
                                                         2263, 9185, 9999]))
MONTHS = st.one_of(st.integers(1, 12), st.sampled_from([0, 13, 99]))
DAYS = st.one_of(st.integers(1, 28), st.integers(0, 32))
TIMES = st.sampled_from(["", " 00:00:00", "T10:11:12", "T23:59:59Z", "T00:00:00+05:30", "T23:30:00-09:00",
                         " 10:33", " 12:00 AM", " 1:05:09 PM", "T10:11:12.123456", " 23:59:59.999"])


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    """A date as sources write them, possibly impossible (month 13, 31 April), with a time."""
    y, m, d = draw(YEARS), draw(MONTHS), draw(DAYS)
    shape = draw(st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{d:02d}/{m:02d}/{y:04d}", "{m:02d}/{d:02d}/{y:04d}",
                                  "{y:04d}{m:02d}{d:02d}", "{d}/{m}/{y}", "{y:04d}/{m:02d}/{d:02d}"]))
    pad = draw(st.sampled_from(["", " ", "  \t"]))
    return pad + shape.format(y=y, m=m, d=d) + draw(TIMES) + pad


# no lone surrogates: decoded input cannot carry them (a JSON line escaping one is quarantined by the reader)
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=("Cs",)), max_size=40)
TEXTS = st.one_of(date_texts(), ANY_TEXT, st.from_regex(r"[0-9 /:.T+-]{1,25}", fullmatch=True))
CSV_SAFE = st.one_of(date_texts(), st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\r\n"),
                                           max_size=30))


def _is_real_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(ISO_DAY.match(text))


# --------------------------------------------------------------------------- the reading


@QUICK
@given(text=TEXTS, formats=st.sampled_from([(), FORMATS, US_FORMATS, ("%d/%m/%Y %H:%M",)]))
def test_any_text_is_a_day_or_a_reason(text: str, formats: tuple[str, ...]) -> None:
    reading = parse_date(text.strip(), formats)
    if reading.day is None:
        assert reading.reason in (IMPOSSIBLE, UNPARSEABLE)
    else:
        assert reading.reason is None and 1 <= reading.day.year <= 9999


@QUICK
@given(y=st.integers(1, 9999), m=st.integers(1, 12), d=st.integers(1, 28), time=TIMES)
def test_every_year_reads_in_every_format(y: int, m: int, d: int, time: str) -> None:
    want = dt.date(y, m, d)
    assert parse_date(f"{y:04d}-{m:02d}-{d:02d}{time}", ()).day == want
    assert parse_date(f"{d:02d}/{m:02d}/{y:04d}{time}", FORMATS).day == want
    assert parse_date(f"{m:02d}/{d:02d}/{y:04d}{time}", US_FORMATS).day == want
    assert parse_date(f"{y:04d}{m:02d}{d:02d}", FORMATS).day == want


def test_impossible_and_unparseable() -> None:
    assert parse_date("2021-02-30").reason == IMPOSSIBLE
    assert parse_date("31/04/2020", FORMATS).reason == IMPOSSIBLE
    assert parse_date("not a date", FORMATS).reason == UNPARSEABLE
    assert parse_date("0000-01-01").reason == IMPOSSIBLE


@QUICK
@given(texts=st.lists(TEXTS, max_size=30), formats=st.sampled_from([(), FORMATS, US_FORMATS]))
def test_the_column_reads_each_value_as_the_scalar_does(texts: list[str], formats: tuple[str, ...]) -> None:
    """The vectorised reading (distinct values, ISO and trailing-time keys) is the scalar reading."""
    values = pd.Series([*texts, None, ""], dtype=object)
    got = parse_dates(values, formats)
    assert str(got.dtype) == "datetime64[us]" and got.index.equals(values.index)
    for text, day in zip(values, got, strict=True):
        want = parse_date(text.strip(), formats).day if isinstance(text, str) and text.strip() else None
        assert (None if pd.isna(day) else day.date()) == want, text


@QUICK
@given(texts=st.lists(TEXTS, max_size=30))
def test_timestamps_never_raise_and_stay_representable(texts: list[str]) -> None:
    stamps = parse_timestamps(pd.Series(texts, dtype=object), FORMATS)
    assert str(stamps.dtype) == "datetime64[us]"
    for text, stamp in zip(texts, stamps, strict=True):
        if pd.isna(stamp):
            assert parse_date(text.strip(), FORMATS).day is None
        else:
            assert 1 <= stamp.year <= 9999
    bad = implausible_timestamps(stamps, TODAY)
    lo, hi = pd.Timestamp(EARLIEST_TIMESTAMP), pd.Timestamp(latest_plausible(TODAY))
    assert (bad == (stamps.notna() & ((stamps < lo) | (stamps > hi)))).all()


def test_timestamps_keep_their_time_in_utc() -> None:
    got = parse_timestamps(pd.Series(["2024-01-02T10:00:00+05:00", "2024-01-02 10:00", "1085-09-05",
                                      "9999-12-31T23:00:00-05:00", "02/01/2024 10:00", None]), FORMATS)
    assert [None if pd.isna(t) else t.isoformat() for t in got] == [
        "2024-01-02T05:00:00", "2024-01-02T10:00:00", "1085-09-05T00:00:00",
        "9999-12-31T00:00:00",  # past year 9999 in UTC: read as its day instead
        "2024-01-02T00:00:00", None]
    assert implausible_timestamps(got, TODAY).tolist() == [False, False, True, True, False, False]


@pytest.mark.parametrize(("value", "kept"), [
    (dt.datetime(2024, 1, 2, 10, 0), True),
    (dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))), False),  # before year 1 in UTC
    (dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-12))), False),
    (dt.datetime(9185, 10, 14), False), (dt.datetime(1085, 9, 5), False), (None, False),
])
def test_one_api_timestamp(value: dt.datetime | None, kept: bool) -> None:
    assert (plausible_timestamp(value, TODAY) is not None) is kept


# --------------------------------------------------------------------------- validation and cross-field rules


@pytest.fixture(scope="module")
def dictionary() -> Dictionary:
    return load_dictionary()


def _mapping(dictionary: Dictionary, tmp: Path) -> SourceMapping:
    from mdm.config import load_mapping

    path = tmp / "src.yaml"
    path.write_text("source: src\ntrust: 50\nid_column: id\nupdated_at_column: upd\n"
                    f"date_formats: {list(FORMATS)}\ncolumns: {{birth_date: dob, first_name: name}}\n",
                    encoding="utf-8")
    return load_mapping(path, dictionary)


@pytest.fixture(scope="module")
def mapping(dictionary: Dictionary, tmp_path_factory: pytest.TempPathFactory) -> SourceMapping:
    return _mapping(dictionary, tmp_path_factory.mktemp("mapping"))


@SLOW
@given(rows=st.lists(st.tuples(TEXTS, TEXTS), min_size=1, max_size=25))
def test_validation_reads_any_birth_date_and_updated_at(rows: list[tuple[str, str]], dictionary: Dictionary,
                                                        mapping: SourceMapping) -> None:
    frame = pd.DataFrame({"_row": range(len(rows)), "updated_at": [u for _, u in rows],
                          "first_name": "Ann", "birth_date": [b for b, _ in rows]})
    found = validate_frame(frame, dictionary, mapping, TODAY)
    codes: dict[int, set[str]] = {}
    for r, code in zip(found["_row"], found["code"], strict=True):
        codes.setdefault(int(r), set()).add(str(code))
    stamps = parse_timestamps(frame["updated_at"], FORMATS)
    usable = stamps.where(~implausible_timestamps(stamps, TODAY))
    for i, (birth, upd) in enumerate(rows):
        mine = codes.get(i, set())
        if bool(blank(pd.Series([birth])).iloc[0]):  # shows nothing (spaces, ESC, zero-width): no value
            assert not mine & {"birth_date.format", "birth_date.range", "birth_date.after_updated_at"}
            continue
        day = parse_date(birth.strip(), FORMATS).day
        if day is None:  # not a date: flagged, never compared
            assert "birth_date.format" in mine and "birth_date.after_updated_at" not in mine
            continue
        assert "birth_date.format" not in mine
        assert ("birth_date.range" in mine) == (not dt.date(1900, 1, 1) <= day <= TODAY), (birth, mine)
        later = pd.notna(usable[i]) and day > parse_date(upd.strip(), FORMATS).day  # type: ignore[operator]
        assert ("birth_date.after_updated_at" in mine) == bool(later), (birth, upd, mine)


# --------------------------------------------------------------------------- the standardiser


@QUICK
@given(text=TEXTS, birth=st.booleans())
def test_the_standardiser_gives_a_real_day_or_a_flag(text: str, birth: bool) -> None:
    ctx = Context(date_formats=FORMATS, today=TODAY, is_birth_date=birth)
    out = DATE.func(text, ctx)
    assert out["reason"] is None or not str(out["reason"]).endswith((".error", ".unstable"))
    value = out["value"]
    assert value is None or _is_real_day(str(value)), value
    if value is None and clean(text) and out["valid"]:
        pytest.fail(f"{text!r}: no value, yet valid")
    if birth and isinstance(value, str) and out["valid"]:
        assert dt.date.fromisoformat(value) <= TODAY


def test_far_off_birth_dates_are_flagged_not_lost() -> None:
    birth = Context(date_formats=FORMATS, today=TODAY, is_birth_date=True)
    assert DATE.func("1085-09-05", birth) == {"value": "1085-09-05", "valid": False, "reason": "date.implausible",
                                              "match_form": "1085-09-05"}  # a slip of 1985: matching reads it
    assert DATE.func("9185-10-14", birth) == {"value": "9185-10-14", "valid": False, "reason": "date.future",
                                              "match_form": "9185-10-14"}
    assert DATE.func("not a date", birth)["reason"] == "date.unparseable"


# --------------------------------------------------------------------------- updated_at: recency and decay


def _stage(folder: Path, rows: list[tuple[str, str]], mapping: SourceMapping, dictionary: Dictionary
           ) -> duckdb.DuckDBPyConnection:
    path = folder / "src.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "name", "dob", "upd"])
        out.writerows([str(i), "Ann", b, u] for i, (b, u) in enumerate(rows, start=1))
    con = duckdb.connect()
    staged = stage_file(con, path, mapping, dictionary, today=TODAY)
    assert staged.rows_read == staged.rows_accepted + staged.rows_quarantined
    return con


@SLOW
@given(rows=st.lists(st.tuples(CSV_SAFE, CSV_SAFE), min_size=1, max_size=15))
def test_staged_updated_at_is_plausible_or_flagged(rows: list[tuple[str, str]], dictionary: Dictionary,
                                                   mapping: SourceMapping, tmp_path: Path) -> None:
    """What survivorship's recency and the decay audit read (``record.updated_at``) is a
    plausible time or NULL, and a NULL beside a given value is a flag."""
    con = _stage(tmp_path, rows, mapping, dictionary)
    lo, hi = EARLIEST_TIMESTAMP, latest_plausible(TODAY)
    kept = con.execute("SELECT _row, updated_at_raw, updated_at FROM _mapped").fetchall()
    flagged = {int(r[0]) for r in con.execute(
        "SELECT _row FROM _findings WHERE code IN ('updated_at.format', 'updated_at.range')").fetchall()}
    for row, raw, stamp in kept:
        if stamp is not None:
            assert lo <= stamp <= hi
        elif raw is not None and raw.strip():
            assert row in flagged, raw


def test_absurd_update_years_never_count_for_recency(dictionary: Dictionary, mapping: SourceMapping,
                                                     tmp_path: Path) -> None:
    con = _stage(tmp_path, [("1980-01-01", "9999-12-31"), ("1980-01-01", "0001-01-01"),
                            ("1980-01-01", "2025-06-01T12:00:00Z")], mapping, dictionary)
    got = con.execute("SELECT _row, updated_at FROM _mapped ORDER BY _row").fetchall()
    assert [g[1] for g in got] == [None, None, dt.datetime(2025, 6, 1, 12, 0)]
    codes = con.execute("SELECT code, value FROM _findings ORDER BY value").fetchall()
    assert codes == [("updated_at.range", "0001-01-01"), ("updated_at.range", "9999-12-31")]


# --------------------------------------------------------------------------- real time


@QUICK
@given(text=TEXTS)
def test_the_realtime_record_standardiser_reads_any_birth_date(text: str, dictionary: Dictionary) -> None:
    ctx = Context(date_formats=FORMATS, today=TODAY)
    std = standardise_record({"first_name": "Ann", "birth_date": text}, dictionary, ctx)
    value = std["birth_date"]
    assert value is None or _is_real_day(str(value))
    if not clean(text):
        assert value is None
    elif std["birth_date__valid"]:
        assert value is not None and dt.date.fromisoformat(value) <= TODAY
    else:
        assert isinstance(std["birth_date__reason"], str) and std["birth_date__reason"].startswith("date.")


def test_dates_beyond_nanoseconds_are_plain_days() -> None:
    """pandas' nanosecond timestamps end in 1677 and 2262; the reading is not bound by them."""
    got = parse_dates(pd.Series(["1085-09-05", "9185-10-14", "0001-01-01", "9999-12-31"]))
    assert got.to_numpy().tolist() == [np.datetime64(d, "us") for d in
                                       ("1085-09-05", "9185-10-14", "0001-01-01", "9999-12-31")]
