"""Strong-identifier compatibility: typos are the same value, far-apart values conflict."""

from __future__ import annotations

import pytest

from mdm.cluster.identifiers import birth_dates_compatible, is_single_typo, national_ids_compatible


@pytest.mark.parametrize(("a", "b"), [
    ("1985-03-12", "1985-03-12"),  # equal
    (None, "1985-03-12"), ("", "1985-03-12"), (None, None),  # unknown never conflicts
    ("1985-03-12", "1985-03-17"),  # one digit
    ("1985-03-12", "1985-08-12"),  # one digit in the month
    ("1985-03-12", "1958-03-12"),  # neighbouring digits swapped in the year
    ("1985-03-12", "1985-03-21"),  # ... in the day
    ("1985-03-12", "1985-12-03"),  # day and month swapped
    ("1985-03-10", "1985-03-09"),  # day off by one across a ten
    ("1989-06-30", "1990-06-30"),  # year off by one across a decade
    ("1985-03-12", "2085-03-12"),  # century slip of a two-digit year
    ("not-a-date", "1985-03-12"),  # unparseable is unknown, not a conflict
    ("1900-01-01", "1985-03-12"),  # a placeholder says nothing
])
def test_birth_dates_compatible(a: str | None, b: str | None) -> None:
    assert birth_dates_compatible(a, b)
    assert birth_dates_compatible(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("1962-04-18", "1995-03-04"),  # parent and child
    ("1985-03-12", "1985-05-17"),  # two digits apart
    ("1985-03-12", "1983-05-12"),  # two years and two months apart: two digits
    ("1985-03-19", "1985-03-21"),  # two days apart across a ten: two digits
    ("1985-03-12", "1986-12-03"),  # swapped and a year off
    ("2001-01-01", "2010-10-10"),
])
def test_birth_dates_far_apart_conflict(a: str, b: str) -> None:
    assert not birth_dates_compatible(a, b)
    assert not birth_dates_compatible(b, a)


def test_is_single_typo() -> None:
    assert is_single_typo("123456789", "123456780")
    assert is_single_typo("123456789", "123456798")
    assert not is_single_typo("123456789", "123456789")
    assert not is_single_typo("123456789", "123456700")
    assert not is_single_typo("123456789", "12345678")  # a dropped digit is a different shape


@pytest.mark.parametrize(("a", "b", "ok"), [
    ("234-56-7891", "234567891", True),  # punctuation ignored
    ("234-56-7891", "234-56-7890", True),  # one digit
    ("234-56-7891", "234-56-7819", True),  # swapped neighbours
    ("234-56-7891", "876-54-3219", False),
    ("234-56-7891", "234-56-7800", True),  # two digits of a nine-digit id: two slips, not two people
    ("234-56-7891", "234-56-8800", False),  # three
    ("2345", "2300", False),  # two of four: too short to tell slips from another id
    ("234-56-7891", "324-56-7819", True),  # two swaps
    (None, "876-54-3219", True),
    ("ab12", "AB12", True),
    ("000-00-0000", "876-54-3219", True),  # placeholder
])
def test_national_ids_compatible(a: str | None, b: str | None, ok: bool) -> None:
    assert national_ids_compatible(a, b) is ok
    assert national_ids_compatible(b, a) is ok


def test_national_id_typos_can_be_strict() -> None:
    assert not national_ids_compatible("234-56-7891", "234-56-7890", allow_typo=False)
    assert national_ids_compatible("234-56-7891", "234567891", allow_typo=False)
