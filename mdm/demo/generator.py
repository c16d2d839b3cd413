"""Seeded generator of realistic multi-source customer data with a known truth.

The generated world: true persons (``entity_id``) living in households
(``household_id``), each known to one to four source systems (CRM, ERP, web sign-ups,
a legacy export), sometimes twice in the same system.  Every source record is rendered
from the person as that source would have seen it *at the record's own timestamp*:
a household that moved after a legacy export still shows its old address there, a
woman who married after a web sign-up still has her previous surname there, and so on.
Then source-specific noise is applied (typos, nicknames, swapped names, formats, missing
fields, placeholders, deliberately invalid values) and recorded, per record, in
``truth.csv``.

Matching and survivorship are judged against this truth, so the data aims to look like
real customer data, not like any particular matcher's blind spots.  All rates are module
constants below; change them here, not in the code.

Outputs (in ``out_dir``):

* ``crm.csv``      UTF-8, comma, CRM column names, rare quoted commas/newlines/quotes.
* ``erp.csv``      UTF-8 with BOM, semicolon, SAP-like names, full name in one field,
                   US dates, phone extensions; one ragged row.
* ``web.jsonl``    sign-ups, sparse and sloppy, nicknames.
* ``legacy.csv``   GB18030, tab-delimited, full name (Chinese characters for many
                   persons of Chinese origin), DD.MM.YYYY / DD/MM/YYYY, one-line address,
                   stale values.
* ``truth.csv``    source, source_id, row_number, entity_id, household_id, noise, unusable.
* ``truth_entities.csv``  the true (current and previous) attributes of every entity.

Determinism: everything is drawn from ``numpy.random.SeedSequence(seed)``; the same
``seed`` and ``n_records`` give byte-identical files.  "Today" is ``REFERENCE_DATE``,
never the wall clock.

Usage: ``python -m mdm.demo.generator OUT_DIR --records N --seed S``.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import sys
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from mdm.demo.data import business, names, places

# =============================================================================== knobs

REFERENCE_DATE = date(2025, 6, 30)  # "today" in the generated world

SOURCES: tuple[str, ...] = ("crm", "erp", "web", "legacy")
SOURCE_FILES: Mapping[str, str] = {"crm": "crm.csv", "erp": "erp.csv", "web": "web.jsonl", "legacy": "legacy.csv"}
TRUTH_FILE = "truth.csv"
ENTITIES_FILE = "truth_entities.csv"

# --- the population
HOUSEHOLD_SHARE = 0.22  # share of persons who live with 1-4 others (same surname and address)
HOUSEHOLD_OTHERS_P = (0.55, 0.25, 0.13, 0.07)  # P(1, 2, 3, 4 others)
SPOUSE_P = 0.70  # a multi-person household has a couple at its head
TWINS_P = 0.15  # a household with 2+ children has twins
SHARED_LANDLINE_P = 0.55  # a household member gives the shared landline as their phone
SINGLE_LANDLINE_P = 0.12  # a one-person household gives a landline
ORIGIN_P = {"general": 0.76, "hispanic": 0.14, "chinese": 0.10}  # by household
FOREIGN_P = {"GB": 0.012, "DE": 0.009, "CA": 0.013}  # of general-origin households
CHINESE_IN_CN_P = 0.25  # households of Chinese origin living in China
CHINESE_GIVEN_NAME_P = 0.60  # US residents of Chinese origin with a Chinese given name
CANTONESE_SPELLING_P = 0.30  # ... whose surname is spelled the Cantonese way (Chan, Wong)
DOUBLE_SURNAME_P = 0.45  # Hispanic households with two surnames (García López)
MIDDLE_NAME_P = {"general": 0.50, "hispanic": 0.40, "chinese": 0.35, "german": 0.35}
NON_BINARY_P = 0.003
COMPANY_P = 0.46  # persons of working age with an employer on file (older: COMPANY_P_RETIRED)
COMPANY_P_RETIRED = 0.12
JOB_TITLE_P = 0.85  # of persons with an employer
WORK_EMAIL_P = 0.12  # of persons with an employer: their e-mail is a work address
LINE2_P = 0.22  # US addresses with an apartment/suite
MOVER_P = 0.22  # households whose address changed (old address kept by older records)
EMAIL_CHANGE_P = 0.12  # persons whose e-mail changed
SURNAME_CHANGE_P = 0.06  # adult women whose surname changed (marriage)
NAMESAKE_P = 0.01  # single persons given the exact name of another (different) person

# --- the sources
SOURCES_PER_ENTITY_P = (0.54, 0.30, 0.11, 0.05)  # P(1, 2, 3, 4 distinct sources)
SOURCE_WEIGHT = {"crm": 1.0, "erp": 0.55, "web": 0.8, "legacy": 0.45}
ERP_COMPANY_BOOST = 2.5  # persons with an employer are far more likely to be in the ERP
LEGACY_CHINESE_BOOST = 2.5  # the legacy system came from the Asia-Pacific business
SOURCE_PERIOD = {  # when records were last updated, per source
    "crm": (date(2018, 1, 1), REFERENCE_DATE),
    "erp": (date(2014, 1, 1), REFERENCE_DATE),
    "web": (date(2017, 3, 1), REFERENCE_DATE),
    "legacy": (date(2003, 1, 1), date(2016, 12, 31)),
}
TRUST = {"crm": 90, "erp": 80, "web": 50, "legacy": 30}
LEGACY_NATIVE_NAME_P = 0.90  # legacy shows the name in Chinese characters when it has them
UNUSABLE_EVERY = 100_000  # per source: 1 + n // UNUSABLE_EVERY missing ids and duplicate ids
RAGGED_SOURCE = "erp"  # the CSV that gets one row with too many columns
INVALID_MIN_ROWS = 1  # each invalid kind appears at least this often in a source of >= 20 rows


@dataclass(frozen=True)
class SourceNoise:
    """Noise rates of one source (probability per record, among records where it applies)."""

    internal_dup: float  # the person appears a second time in this source
    typo_first: float
    typo_last: float
    nickname: float  # among persons whose first name has a common nickname
    swap_names: float  # first and last name swapped (x4 for persons of Chinese origin)
    case: float  # names (and addresses) in upper/lower case
    case_upper: float  # share of case changes that are UPPER rather than lower
    whitespace: float  # stray leading/trailing/double spaces in a name or street
    accent_strip: float  # among names with diacritics: Muñoz -> Munoz, Müller -> Mueller
    punct_drop: float  # among names with ' - .: O'Brien -> OBrien, Smith-Jones -> Smith Jones
    surname_partial: float  # among double surnames: García López -> García
    typo_email: float
    email_case: float
    email_space: float
    gmail_variant: float  # among gmail addresses: dots moved, +tags
    typo_phone: float
    phone_ext: float  # among persons with an employer: "x204" appended
    typo_street: float
    typo_city: float
    typo_postal: float
    zip_lost_zero: float  # among ZIPs starting with 0: 02108 -> 2108 (spreadsheet damage)
    dob_swap: float  # day and month swapped (when both <= 12)
    dob_typo: float
    typo_national_id: float
    wrong_gender: float
    full_name_in_first: float  # the whole name typed into the first-name field
    placeholder: Mapping[str, float]  # attribute -> rate of "none@none.com", 1900-01-01, ...
    invalid: Mapping[str, float]  # kind -> rate of deliberately invalid values
    missing: Mapping[str, float]  # attribute -> rate of empty values (where the truth has one)


NOISE: Mapping[str, SourceNoise] = {
    "crm": SourceNoise(
        internal_dup=0.02, typo_first=0.015, typo_last=0.015, nickname=0.08, swap_names=0.005,
        case=0.03, case_upper=0.5, whitespace=0.02, accent_strip=0.15, punct_drop=0.05,
        surname_partial=0.10, typo_email=0.005, email_case=0.02, email_space=0.01,
        gmail_variant=0.03, typo_phone=0.008, phone_ext=0.0, typo_street=0.01, typo_city=0.003,
        typo_postal=0.003, zip_lost_zero=0.0, dob_swap=0.004, dob_typo=0.004,
        typo_national_id=0.003, wrong_gender=0.003, full_name_in_first=0.0,
        placeholder={"email": 0.003, "phone": 0.002},
        invalid={"email": 0.001, "birth_date": 0.001, "birth_date_future": 0.0005, "phone": 0.001,
                 "state": 0.001},
        missing={"first_name": 0.002, "last_name": 0.001, "middle_name": 0.10, "birth_date": 0.10,
                 "gender": 0.06, "national_id": 0.35, "email": 0.06, "phone": 0.08,
                 "street_address": 0.03, "address_line2": 0.10, "city": 0.02, "state": 0.02,
                 "postal_code": 0.03, "country": 0.15, "company_name": 0.25, "job_title": 0.35},
    ),
    "erp": SourceNoise(
        internal_dup=0.04, typo_first=0.025, typo_last=0.025, nickname=0.05, swap_names=0.015,
        case=0.25, case_upper=0.95, whitespace=0.03, accent_strip=0.50, punct_drop=0.20,
        surname_partial=0.15, typo_email=0.01, email_case=0.05, email_space=0.02,
        gmail_variant=0.02, typo_phone=0.012, phone_ext=0.15, typo_street=0.015, typo_city=0.005,
        typo_postal=0.005, zip_lost_zero=0.10, dob_swap=0.008, dob_typo=0.006,
        typo_national_id=0.004, wrong_gender=0.005, full_name_in_first=0.0,
        placeholder={"email": 0.005, "phone": 0.003, "birth_date": 0.005, "national_id": 0.003},
        invalid={"email": 0.002, "birth_date": 0.002, "birth_date_future": 0.001, "phone": 0.002,
                 "state": 0.002},
        missing={"full_name": 0.002, "birth_date": 0.40, "gender": 0.30, "national_id": 0.60,
                 "email": 0.12, "phone": 0.04, "street_address": 0.02, "address_line2": 0.15,
                 "city": 0.01, "state": 0.03, "postal_code": 0.02, "country": 0.02,
                 "company_name": 0.05, "job_title": 0.15},
    ),
    "web": SourceNoise(
        internal_dup=0.05, typo_first=0.04, typo_last=0.05, nickname=0.35, swap_names=0.03,
        case=0.20, case_upper=0.15, whitespace=0.08, accent_strip=0.40, punct_drop=0.15,
        surname_partial=0.30, typo_email=0.015, email_case=0.20, email_space=0.06,
        gmail_variant=0.15, typo_phone=0.02, phone_ext=0.0, typo_street=0.0, typo_city=0.0,
        typo_postal=0.01, zip_lost_zero=0.03, dob_swap=0.015, dob_typo=0.01,
        typo_national_id=0.0, wrong_gender=0.0, full_name_in_first=0.02,
        placeholder={"email": 0.002, "phone": 0.01},
        invalid={"email": 0.006, "birth_date": 0.003, "birth_date_future": 0.002, "phone": 0.006,
                 "postal_code": 0.004},
        missing={"first_name": 0.04, "last_name": 0.10, "email": 0.01, "phone": 0.45,
                 "postal_code": 0.35, "birth_date": 0.65},
    ),
    "legacy": SourceNoise(
        internal_dup=0.03, typo_first=0.03, typo_last=0.035, nickname=0.03, swap_names=0.02,
        case=0.70, case_upper=1.0, whitespace=0.05, accent_strip=0.90, punct_drop=0.50,
        surname_partial=0.20, typo_email=0.01, email_case=0.10, email_space=0.02,
        gmail_variant=0.0, typo_phone=0.015, phone_ext=0.0, typo_street=0.02, typo_city=0.01,
        typo_postal=0.01, zip_lost_zero=0.40, dob_swap=0.012, dob_typo=0.01,
        typo_national_id=0.005, wrong_gender=0.008, full_name_in_first=0.0,
        placeholder={"phone": 0.004, "birth_date": 0.015, "national_id": 0.005},
        invalid={"email": 0.003, "birth_date": 0.004, "birth_date_future": 0.002, "phone": 0.003,
                 "state": 0.002},
        missing={"full_name": 0.002, "birth_date": 0.15, "gender": 0.30, "national_id": 0.50,
                 "email": 0.55, "phone": 0.20, "street_address": 0.06, "country": 0.40},
    ),
}

# =============================================================================== results


@dataclass(frozen=True)
class GeneratedSet:
    """Where the generated files are and how much they hold."""

    out_dir: Path
    crm: Path
    erp: Path
    web: Path
    legacy: Path
    truth: Path
    entities: Path
    n_records: int
    n_entities: int
    n_households: int
    records_per_source: Mapping[str, int] = field(hash=False)
    seed: int = 42

    @property
    def sources(self) -> dict[str, Path]:
        """Source name -> data file, in the order crm, erp, web, legacy."""
        return {"crm": self.crm, "erp": self.erp, "web": self.web, "legacy": self.legacy}


# =============================================================================== helpers

_EPOCH = date(1970, 1, 1)
_DAY = 86_400


def _day(d: date) -> int:
    return (d - _EPOCH).days


REF_DAY = _day(REFERENCE_DATE)
_YEAR = 365.2425
_COUNTRIES = ("US", "GB", "DE", "CA", "CN")
_ORIGINS = ("general", "hispanic", "chinese", "german")


def _zipf(n: int, s: float = 1.0, q: float = 3.0) -> np.ndarray:
    """Zipf-Mandelbrot probabilities: earlier entries more common, with a flattened head."""
    w: np.ndarray = 1.0 / (np.arange(n) + q) ** s
    return w / float(w.sum())


def _norm(weights: Sequence[float]) -> np.ndarray:
    a: np.ndarray = np.asarray(weights, dtype=float)
    return a / float(a.sum())


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    dd = (d - months).astype(np.int64) + 1
    return y, m, dd


def _iso_seconds(secs: np.ndarray) -> list[str]:
    """'YYYY-MM-DDTHH:MM:SS' for epoch seconds."""
    out: list[str] = np.datetime_as_string(secs.astype("datetime64[s]"), unit="s").tolist()
    return out


def _iso_day(days: np.ndarray | int) -> Any:
    return np.datetime_as_string(np.asarray(days).astype("datetime64[D]"), unit="D")


_TRANSLIT = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE"})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


@lru_cache(maxsize=65_536)
def _fold(s: str) -> str:
    """Strip diacritics: Muñoz -> Munoz, Müller -> Muller."""
    t = unicodedata.normalize("NFKD", s.translate(_TRANSLIT))
    return "".join(c for c in t if not unicodedata.combining(c))


def _strip_accents(s: str, u: float) -> str:
    if u < 0.5 and any(c in s for c in "äöüÄÖÜß"):
        return s.translate(_GERMAN)
    return _fold(s)


@lru_cache(maxsize=262_144)
def _slug(s: str) -> str:
    return "".join(c for c in _fold(s).lower() if c.isalnum())


def _keyboard() -> dict[str, str]:
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    adj: dict[str, str] = {}
    for r, row in enumerate(rows):
        for i, c in enumerate(row):
            near = []
            for rr in (r - 1, r, r + 1):
                if 0 <= rr < len(rows):
                    for ii in (i - 1, i, i + 1):
                        if (rr, ii) != (r, i) and 0 <= ii < len(rows[rr]):
                            near.append(rows[rr][ii])
            adj[c] = "".join(near)
    return adj


_ADJACENT = _keyboard()


def _typo(s: str, op: float, u: float, v: float) -> str:
    """One realistic keying error: transposition, omission, doubling or a neighbour key.

    Always returns a different string for inputs of 3+ characters; shorter ones are kept
    (a two-letter name with a typo is a different name, not a typo)."""
    n = len(s)
    if n < 3:
        return s
    i = int(u * n)
    if i == 0 and v > 0.15:  # first letters are rarely mistyped
        i = 1
    kind = int(op * 4)
    if kind == 0 and i < n - 1 and s[i] != s[i + 1]:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if kind == 2:
        return s[:i] + s[i] + s[i:]
    if kind == 3:
        c = s[i]
        near = _ADJACENT.get(c.lower())
        if near:
            r = near[int(v * len(near)) % len(near)]
            return s[:i] + (r.upper() if c.isupper() else r) + s[i + 1:]
    return s[:i] + s[i + 1:]


def _digit_typo(s: str, u: float, v: float) -> str:
    """Change one digit, or swap two neighbouring different digits."""
    pos = [i for i, c in enumerate(s) if c.isdigit()]
    if len(pos) < 2:
        return s
    k = int(u * len(pos)) % len(pos)
    i = pos[k]
    if v < 0.5 and k + 1 < len(pos) and s[pos[k + 1]] != s[i]:
        j = pos[k + 1]
        return s[:i] + s[j] + s[i + 1:j] + s[i] + s[j + 1:]
    d = (int(s[i]) + 1 + int(v * 9)) % 10
    return s[:i] + str(d) + s[i + 1:]


def _join_form(base: str, form: str) -> str:
    if not form:
        return base
    return base + form if form.startswith(",") else f"{base} {form}"


# =============================================================================== world model


class _Addr(NamedTuple):
    country: str
    number: str
    direction: int  # index into places.DIRECTIONS, -1 for none
    street: str  # US/CA: name without suffix; elsewhere the street text without number
    suffix: int  # index into places.STREET_SUFFIXES, -1 for none
    unit: int  # index into places.UNIT_TYPES, -1 for none
    unit_no: str
    city: str
    state: str
    postal: str
    area_code: str
    line1: str  # canonical street line (the truth)
    line2: str  # canonical second line (the truth)
    native: str  # the whole address in Chinese characters (CN only)


class _Phone(NamedTuple):
    cc: str  # country calling code
    groups: tuple[str, ...]  # national significant number, in display groups
    trunk: str  # national prefix ("1" NANP, "0" GB/DE, "" CN mobile)

    @property
    def e164(self) -> str:
        return "+" + self.cc + "".join(self.groups)


class _Company(NamedTuple):
    base: str
    forms: tuple[str, ...]  # canonical legal form first, then variants
    slug: str

    @property
    def name(self) -> str:
        return _join_form(self.base, self.forms[0])

    @property
    def domain(self) -> str:
        """Web domain without TLD: short names whole, long ones as first word + initials."""
        if len(self.slug) <= 16:
            return self.slug
        words = [w for w in self.base.replace("&", " ").split() if w.lower() != "the"]
        return _slug(words[0]) + "".join(_slug(w)[:1] for w in words[1:])


@dataclass
class _Skeleton:
    """Just enough of every candidate person to plan which sources know them."""

    n: int
    hh: np.ndarray  # household of each person
    hh_start: np.ndarray
    hh_size: np.ndarray
    role: np.ndarray  # 0 head, 1 spouse, 2 child
    gender: np.ndarray  # 0 M, 1 F, 2 X
    dob: np.ndarray  # days since 1970-01-01
    twin: np.ndarray
    origin: np.ndarray  # per household, index into _ORIGINS
    country: np.ndarray  # per household, index into _COUNTRIES
    company: np.ndarray  # person has an employer


def _skeleton(rng: np.random.Generator, n: int) -> _Skeleton:
    mean_size = 1 + sum((k + 1) * p for k, p in enumerate(HOUSEHOLD_OTHERS_P))
    q = HOUSEHOLD_SHARE / (mean_size * (1 - HOUSEHOLD_SHARE) + HOUSEHOLD_SHARE)
    multi = rng.random(n) < q
    others = rng.choice(4, size=n, p=HOUSEHOLD_OTHERS_P) + 1
    size = np.where(multi, 1 + others, 1)
    cum = np.cumsum(size)
    nh = int(np.searchsorted(cum, n)) + 1
    size = size[:nh].copy()
    size[-1] -= int(cum[nh - 1] - n)
    start = np.concatenate(([0], np.cumsum(size)[:-1]))
    hh = np.repeat(np.arange(nh), size)
    pos = np.arange(n) - start[hh]
    spouse_h = (size >= 2) & (rng.random(nh) < SPOUSE_P)
    kids_h = size - 1 - spouse_h
    role = np.where(pos == 0, 0, np.where((pos == 1) & spouse_h[hh], 1, 2))

    head_age = np.where(kids_h > 0, 38 + 57 * rng.beta(1.6, 2.2, nh), 18 + 77 * rng.beta(1.4, 2.2, nh))
    age = head_age[hh].copy()
    sp = role == 1
    age[sp] = np.clip(age[sp] + rng.normal(0.0, 3.5, int(sp.sum())), 18.2, 99.0)
    ch = role == 2
    ha = age[ch]
    gap = 20 + rng.random(int(ch.sum())) * (np.minimum(40, ha - 18) - 20)
    age[ch] = ha - gap
    dob = (REF_DAY - np.floor(age * _YEAR)).astype(np.int64)

    twin = np.zeros(n, dtype=bool)
    tw = np.flatnonzero((kids_h >= 2) & (rng.random(nh) < TWINS_P))
    first_child = start[tw] + 1 + spouse_h[tw]
    dob[first_child + 1] = dob[first_child]
    twin[first_child] = twin[first_child + 1] = True

    gender = (rng.random(n) < 0.5).astype(np.int8)
    sp_idx = np.flatnonzero(sp)
    head_of = start[hh[sp_idx]]
    gender[sp_idx] = np.where(rng.random(len(sp_idx)) < 0.95, 1 - gender[head_of], gender[head_of])
    gender[rng.random(n) < NON_BINARY_P] = 2

    origin = rng.choice(3, size=nh, p=_norm(list(ORIGIN_P.values())))
    r = rng.random(nh)
    country = np.zeros(nh, dtype=np.int8)
    gb, de, ca = FOREIGN_P["GB"], FOREIGN_P["DE"], FOREIGN_P["CA"]
    gen = origin == 0
    country[gen & (r < gb)] = 1
    country[gen & (r >= gb) & (r < gb + de)] = 2
    country[gen & (r >= gb + de) & (r < gb + de + ca)] = 3
    country[(origin == 2) & (r < CHINESE_IN_CN_P)] = 4
    origin[country == 2] = 3  # residents of Germany get German names

    age_now = (REF_DAY - dob) / _YEAR
    company = rng.random(n) < np.where(age_now < 67, COMPANY_P, COMPANY_P_RETIRED)
    return _Skeleton(n, hh, start, size, role, gender, dob, twin, origin, country, company)


@dataclass
class _Plan:
    person: np.ndarray  # per record, in person order
    source: np.ndarray  # per record, index into SOURCES
    dup: np.ndarray  # the record is a second copy in the same source
    ts: np.ndarray  # per record, last-updated time (epoch seconds)
    n_persons: int


def _plan(rng: np.random.Generator, sk: _Skeleton, n_records: int) -> _Plan:
    n = sk.n
    k = rng.choice(4, size=n, p=SOURCES_PER_ENTITY_P) + 1
    w = np.tile(np.array([SOURCE_WEIGHT[s] for s in SOURCES]), (n, 1))
    w[sk.company, 1] *= ERP_COMPANY_BOOST
    w[sk.origin[sk.hh] == 2, 3] *= LEGACY_CHINESE_BOOST
    w[sk.dob > _day(date(1996, 1, 1)), 3] *= 0.05  # too young for the old system
    w[(REF_DAY - sk.dob) / _YEAR > 75, 2] *= 0.4  # the old sign up less on the web
    keys = rng.random((n, 4)) ** (1.0 / w)  # weighted sampling without replacement
    order = np.argsort(-keys, axis=1, kind="stable")
    pp, rank = np.nonzero(np.arange(4)[None, :] < k[:, None])
    src = order[pp, rank]
    dup_rate = np.array([NOISE[s].internal_dup for s in SOURCES])
    d = rng.random(len(pp)) < dup_rate[src]
    rep = 1 + d.astype(np.int64)
    person = np.repeat(pp, rep)
    source = np.repeat(src, rep)
    is_dup = np.zeros(len(person), dtype=bool)
    is_dup[(np.cumsum(rep) - 1)[d]] = True
    if len(person) < n_records:  # cannot happen: every person has at least one record
        raise RuntimeError("not enough persons planned")
    person, source, is_dup = person[:n_records], source[:n_records], is_dup[:n_records]

    start = np.array([_day(SOURCE_PERIOD[s][0]) for s in SOURCES])[source]
    end = np.array([_day(SOURCE_PERIOD[s][1]) for s in SOURCES])[source] + 1
    u = rng.random(len(person)) ** 0.75  # more records were touched recently
    ts = (start * _DAY + u * (end - start) * _DAY).astype(np.int64)
    adult = ((sk.dob[person] + 18 * _YEAR) * _DAY).astype(np.int64)
    late = (ts < adult) & (adult < end * _DAY)
    ts[late] = adult[late] + (rng.random(int(late.sum())) * (end[late] * _DAY - adult[late])).astype(np.int64)
    return _Plan(person, source, is_dup, ts, int(person[-1]) + 1)


@dataclass
class _People:
    """Every attribute of the persons that made it into the data set."""

    n: int
    hh: np.ndarray
    gender: np.ndarray
    dob: np.ndarray
    twin: np.ndarray
    origin: np.ndarray  # per person
    chinese: np.ndarray
    country: list[str]
    first: list[str]
    middle: list[str]
    last: list[str]
    nick: list[str]
    has_nick: np.ndarray
    native_name: list[str]
    double_surname: np.ndarray
    prev_last: list[str]
    name_change_day: np.ndarray  # -1: never changed
    national_id: list[str]
    email: list[str]
    prev_email: list[str]
    email_change_day: np.ndarray
    phone: list[_Phone]
    prev_phone: list[_Phone]
    addr: list[_Addr]
    prev_addr: list[_Addr | None]
    move_day: np.ndarray
    company: list[_Company | None]
    job_title: list[str]
    namesake: np.ndarray
    entity_id: list[str]
    household_id: list[str]


# ------------------------------------------------------------------------ names


def _pick_words(rng: np.random.Generator, pool: Sequence[str], n: int, s: float = 1.0) -> list[str]:
    idx = rng.choice(len(pool), size=n, p=_zipf(len(pool), s))
    return [pool[i] for i in idx.tolist()]


def _first_pool(origin: int, gender: int, pinyin: bool) -> Sequence[str]:
    if origin == 1:
        return names.HISPANIC_FEMALE_FIRST if gender else names.HISPANIC_MALE_FIRST
    if origin == 3:
        return names.GERMAN_FEMALE_FIRST if gender else names.GERMAN_MALE_FIRST
    if origin == 2 and pinyin:
        return _CN_GIVEN_F if gender else _CN_GIVEN_M
    return names.FEMALE_FIRST if gender else names.MALE_FIRST


_CN_GIVEN_M = tuple(p for p, _, g in names.CHINESE_GIVEN if g == "M")
_CN_GIVEN_F = tuple(p for p, _, g in names.CHINESE_GIVEN if g == "F")
_CN_GIVEN_HANZI = {p: h for p, h, _ in names.CHINESE_GIVEN}
_POOL_P: dict[int, np.ndarray] = {}


def _pool_p(pool: Sequence[str]) -> np.ndarray:
    key = id(pool)
    if key not in _POOL_P:
        _POOL_P[key] = _zipf(len(pool), 1.0, 4.0)
    return _POOL_P[key]


def _names(rng: np.random.Generator, sk: _Skeleton, n: int, nh: int) -> dict[str, Any]:
    hh = sk.hh[:n]
    origin_h = sk.origin[:nh]
    country_h = sk.country[:nh]
    origin = origin_h[hh]
    gender = sk.gender[:n]
    g_pool = np.where(gender == 2, rng.integers(0, 2, n), gender)

    # --- surnames, per household
    hh_last = [""] * nh
    hh_last_native = [""] * nh
    double = np.zeros(nh, dtype=bool)
    for o, surnames in ((0, names.SURNAMES), (3, names.GERMAN_SURNAMES)):
        idx = np.flatnonzero(origin_h == o)
        for h, s in zip(idx.tolist(), _pick_words(rng, surnames, len(idx), 0.9), strict=True):
            hh_last[h] = s
    idx = np.flatnonzero(origin_h == 1)
    a = _pick_words(rng, names.HISPANIC_SURNAMES, len(idx), 0.9)
    b = _pick_words(rng, names.HISPANIC_SURNAMES, len(idx), 0.9)
    two = rng.random(len(idx)) < DOUBLE_SURNAME_P
    for h, x, y, t in zip(idx.tolist(), a, b, two.tolist(), strict=True):
        hh_last[h] = f"{x} {y}" if t and x != y else x
        double[h] = t and x != y
    idx = np.flatnonzero(origin_h == 2)
    si = rng.choice(len(names.CHINESE_SURNAMES), size=len(idx), p=_zipf(len(names.CHINESE_SURNAMES), 1.1, 1.5))
    canto = (rng.random(len(idx)) < CANTONESE_SPELLING_P) & (country_h[idx] != 4)
    for h, i, c in zip(idx.tolist(), si.tolist(), canto.tolist(), strict=True):
        pinyin, cantonese, hanzi = names.CHINESE_SURNAMES[i]
        hh_last[h] = cantonese if c else pinyin
        hh_last_native[h] = hanzi

    # --- given names, per person
    pinyin = (origin == 2) & ((country_h[hh] == 4) | (rng.random(n) < CHINESE_GIVEN_NAME_P))
    first = [""] * n
    pool: Sequence[str]
    for o in range(4):
        for g in (0, 1):
            for py in ((False, True) if o == 2 else (False,)):
                sel = np.flatnonzero((origin == o) & (g_pool == g) & (pinyin == py))
                if not len(sel):
                    continue
                pool = _first_pool(o, g, py)
                idx_n = rng.choice(len(pool), size=len(sel), p=_pool_p(pool))
                for i, j in zip(sel.tolist(), idx_n.tolist(), strict=True):
                    first[i] = pool[j]
    # household members have different first names (twins included)
    multi = np.flatnonzero(sk.hh_size[:nh] > 1)
    for h in multi.tolist():
        s0 = int(sk.hh_start[h])
        seen: set[str] = set()
        for i in range(s0, min(s0 + int(sk.hh_size[h]), n)):
            tries = 0
            while first[i] in seen and tries < 20:
                pool = _first_pool(int(origin[i]), int(g_pool[i]), bool(pinyin[i]))
                first[i] = pool[int(rng.integers(0, len(pool)))]
                tries += 1
            seen.add(first[i])

    # --- middle names
    mid_p = np.array([MIDDLE_NAME_P[o] for o in _ORIGINS])[origin]
    has_mid = rng.random(n) < mid_p
    has_mid &= ~pinyin
    middle = [""] * n
    mid_idx = np.flatnonzero(has_mid)
    u = rng.random(len(mid_idx))
    for i, uu in zip(mid_idx.tolist(), u.tolist(), strict=True):
        o = int(origin[i])
        # (a Chinese-American's middle name is their Chinese given name)
        pool = _first_pool(o, int(g_pool[i]), o == 2)
        m = pool[int(uu * uu * len(pool)) % len(pool)]
        if m == first[i]:
            m = pool[(int(uu * uu * len(pool)) + 1) % len(pool)]
        middle[i] = m

    last = [hh_last[h] for h in hh.tolist()]
    native = [
        (hh_last_native[h] + _CN_GIVEN_HANZI[f]) if p and hh_last_native[h] else ""
        for h, f, p in zip(hh.tolist(), first, pinyin.tolist(), strict=True)
    ]

    # --- namesakes: single persons who carry another person's exact name
    # (same origin and country: the point is "John Smith" twice, not an odd name)
    single = sk.hh_size[hh] == 1
    ns = np.flatnonzero(single & (rng.random(n) < NAMESAKE_P))
    group = origin * 10 + country_h[hh]
    order = np.argsort(group, kind="stable")
    lo = np.searchsorted(group[order], group[ns], side="left")
    hi = np.searchsorted(group[order], group[ns], side="right")
    pick = lo + (rng.random(len(ns)) * (hi - lo)).astype(np.int64)
    target = order[np.minimum(pick, n - 1)]
    namesake = np.zeros(n, dtype=bool)
    for i, t in zip(ns.tolist(), target.tolist(), strict=True):
        if t == i or not first[t] or g_pool[t] != g_pool[i]:
            continue
        first[i], last[i], native[i] = first[t], last[t], native[t]
        namesake[i] = namesake[t] = True
    double_p = double[hh] & np.array([" " in s for s in last])

    nick_u = rng.random(n)
    nick = [""] * n
    for i, (f, uu) in enumerate(zip(first, nick_u.tolist(), strict=True)):
        opts = names.NICKNAMES.get(f)
        if opts:
            nick[i] = opts[int(uu * uu * len(opts))]
    return {
        "first": first, "middle": middle, "last": last, "native": native, "nick": nick,
        "double": double_p, "namesake": namesake, "origin": origin, "pinyin": pinyin,
    }


def _surname_changes(rng: np.random.Generator, sk: _Skeleton, n: int, origin: np.ndarray,
                     last: list[str]) -> tuple[list[str], np.ndarray]:
    age = (REF_DAY - sk.dob[:n]) / _YEAR
    elig = (sk.gender[:n] == 1) & (sk.role[:n] < 2) & (age >= 24)
    sel = np.flatnonzero(elig & (rng.random(n) < SURNAME_CHANGE_P))
    prev = [""] * n
    change = np.full(n, -1, dtype=np.int64)
    lo = np.maximum(sk.dob[sel] + int(20 * _YEAR), _day(date(2004, 1, 1)))
    hi = REF_DAY - 180
    days = lo + (rng.random(len(sel)) * np.maximum(hi - lo, 1)).astype(np.int64)
    pools = {0: names.SURNAMES, 1: names.HISPANIC_SURNAMES, 2: tuple(s[0] for s in names.CHINESE_SURNAMES),
             3: names.GERMAN_SURNAMES}
    u = rng.random(len(sel))
    for i, d, uu in zip(sel.tolist(), days.tolist(), u.tolist(), strict=True):
        pool = pools[int(origin[i])]
        p = pool[int(uu * uu * len(pool))]
        if p == last[i] or p in last[i]:
            continue
        prev[i] = p
        change[i] = d
    return prev, change


# ------------------------------------------------------------------------ places

_US_W = _norm([c.weight for c in places.US_CITIES])
_SUFFIX_W = _norm([w for _, _, w in places.STREET_SUFFIXES])
_UNIT_W = _norm([w for _, _, w in places.UNIT_TYPES])


def _unit_number(kind: int, u: float, v: float) -> str:
    if kind == 0:  # Apt
        if u < 0.35:
            return f"{1 + int(v * 30)}{'ABCDEFGH'[int(u * 1000) % 8]}"
        return str(1 + int(v * 40)) if u < 0.7 else str(100 * (1 + int(v * 12)) + int(u * 20))
    if kind == 2:  # Ste
        return str(100 * (1 + int(v * 15)) + (int(u * 10) * 10 if u < 0.5 else 0))
    if kind == 3:  # Fl
        return str(1 + int(v * 30))
    return str(1 + int(v * 300))


def _us_line1(number: str, direction: int, street: str, suffix: int) -> str:
    parts = [number]
    if direction >= 0:
        parts.append(places.DIRECTIONS[direction][1])
    parts.append(street)
    parts.append(places.STREET_SUFFIXES[suffix][1][0].rstrip("."))
    return " ".join(parts)


def _us_addresses(rng: np.random.Generator, m: int, city: np.ndarray | None = None,
                  canadian: bool = False) -> list[_Addr]:
    if city is None:
        city = rng.choice(len(places.US_CITIES), size=m, p=_US_W)
    number = np.floor(10 ** rng.uniform(0.3, 4.3, m)).astype(np.int64)
    direction = np.where(rng.random(m) < 0.15, rng.integers(0, len(places.DIRECTIONS), m), -1)
    street = rng.choice(len(places.STREET_NAMES), size=m, p=_zipf(len(places.STREET_NAMES), 0.6))
    suffix = rng.choice(len(places.STREET_SUFFIXES), size=m, p=_SUFFIX_W)
    unit = np.where(rng.random(m) < LINE2_P, rng.choice(len(places.UNIT_TYPES), size=m, p=_UNIT_W), -1)
    u, v = rng.random(m).tolist(), rng.random(m).tolist()
    units, numbers, streets = unit.tolist(), number.astype(str).tolist(), street.tolist()
    dirs, sfxs, cities = direction.tolist(), suffix.tolist(), np.asarray(city).tolist()
    out = []
    for k in range(m):
        un = units[k]
        unit_no = _unit_number(un, u[k], v[k]) if un >= 0 else ""
        num = numbers[k]
        st = places.STREET_NAMES[streets[k]]
        d, sf = dirs[k], sfxs[k]
        line2 = f"{places.UNIT_TYPES[un][0]} {unit_no}" if un >= 0 else ""
        if canadian:
            c = places.CA_CITIES[cities[k]]
            fsa = c[2][int(u[k] * 1000) % len(c[2])]
            ldu = f"{int(v[k] * 10)}{'ABCEGHJKLMNPRSTVWXYZ'[int(u[k] * 20)]}{int(u[k] * 97) % 10}"
            out.append(_Addr("CA", num, d, st, sf, un, unit_no, c[0], c[1], f"{fsa} {ldu}", c[3],
                             _us_line1(num, d, st, sf), line2, ""))
        else:
            c = places.US_CITIES[cities[k]]
            out.append(_Addr("US", num, d, st, sf, un, unit_no, c.city, c.state, c.postal_code,
                             c.area_code, _us_line1(num, d, st, sf), line2, ""))
    return out


def _foreign_address(rng: np.random.Generator, country: str) -> _Addr:
    u = rng.random(6).tolist()
    if country == "GB":
        city, outward, county, area = places.GB_CITIES[int(u[0] * len(places.GB_CITIES))]
        street = places.GB_STREETS[int(u[1] * len(places.GB_STREETS))]
        num = str(1 + int(u[2] ** 2 * 200))
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        inward = f"{int(u[4] * 10)}{letters[int(u[5] * 20)]}{letters[int(u[4] * 397) % 20]}"
        postal = f"{outward[int(u[3] * len(outward))]} {inward}"
        return _Addr("GB", num, -1, street, -1, -1, "", city, county, postal, area, f"{num} {street}", "", "")
    if country == "DE":
        city, lo, hi, land, area = places.DE_CITIES[int(u[0] * len(places.DE_CITIES))]
        street = places.DE_STREETS[int(u[1] * len(places.DE_STREETS))]
        num = str(1 + int(u[2] ** 2 * 150)) + ("a" if u[3] < 0.05 else "")
        postal = str(lo + int(u[4] * (hi - lo))).zfill(5)
        return _Addr("DE", num, -1, street, -1, -1, "", city, land, postal, area, f"{street} {num}", "", "")
    if country == "CN":
        city, prov, prefix, city_h, area, _ = places.CN_CITIES[int(u[0] * len(places.CN_CITIES))]
        district, district_h = places.CN_DISTRICTS[int(u[1] * len(places.CN_DISTRICTS))]
        road, road_h = places.CN_ROADS[int(u[2] * len(places.CN_ROADS))]
        num = str(1 + int(u[3] ** 1.5 * 300))
        postal = f"{prefix}{int(u[4] * 100):02d}0"
        native = f"{city_h}{district_h}{road_h}{num}号"
        return _Addr("CN", num, -1, road, -1, -1, "", city, prov, postal, area, f"{num} {road}",
                     f"{district} District", native)
    raise ValueError(f"no address model for {country}")


def _addresses(rng: np.random.Generator, country_h: np.ndarray,
               us_city: np.ndarray | None = None) -> list[_Addr]:
    """One address per entry of country_h (index into _COUNTRIES); US cities may be given."""
    nh = len(country_h)
    out: list[_Addr | None] = [None] * nh
    us = np.flatnonzero(country_h == 0)
    for h, a in zip(us.tolist(), _us_addresses(rng, len(us), None if us_city is None else us_city[us]), strict=True):
        out[h] = a
    ca = np.flatnonzero(country_h == 3)
    ca_city = rng.integers(0, len(places.CA_CITIES), len(ca))
    for h, a in zip(ca.tolist(), _us_addresses(rng, len(ca), ca_city, canadian=True), strict=True):
        out[h] = a
    for h in np.flatnonzero((country_h != 0) & (country_h != 3)).tolist():
        out[h] = _foreign_address(rng, _COUNTRIES[int(country_h[h])])
    return out  # type: ignore[return-value]


def _moves(rng: np.random.Generator, cur: list[_Addr]) -> tuple[list[_Addr | None], np.ndarray]:
    """Previous addresses of the households that moved, and when they moved."""
    nh = len(cur)
    movers = np.flatnonzero(rng.random(nh) < MOVER_P)
    prev: list[_Addr | None] = [None] * nh
    day = np.full(nh, -1, dtype=np.int64)
    day[movers] = rng.integers(_day(date(2008, 1, 1)), REF_DAY - 60, len(movers))
    same_city = (rng.random(len(movers)) < 0.55).tolist()
    city_of = {(c.city, c.state): i for i, c in enumerate(places.US_CITIES)}
    cities = np.array([city_of.get((cur[h].city, cur[h].state), -1) if s else -1
                       for h, s in zip(movers.tolist(), same_city, strict=True)], dtype=np.int64)
    fresh = rng.choice(len(places.US_CITIES), size=len(cities), p=_US_W)
    cities = np.where(cities < 0, fresh, cities)
    countries = np.array([_COUNTRIES.index(cur[h].country) for h in movers.tolist()], dtype=np.int64)
    for h, a in zip(movers.tolist(), _addresses(rng, countries, cities), strict=True):
        prev[h] = a
    return prev, day


# ------------------------------------------------------------------------ phones, ids, e-mail

_US_AREAS = tuple(sorted({c.area_code for c in places.US_CITIES}))


def _phones(rng: np.random.Generator, addrs: Sequence[_Addr], mobile: bool) -> list[_Phone]:
    m = len(addrs)
    ex_a = rng.integers(200, 1000, m)
    ex = np.where((ex_a % 100 == 11) | (ex_a == 555), ex_a + 1, ex_a).astype(str).tolist()
    line = [f"{x:04d}" for x in rng.integers(0, 10_000, m).tolist()]
    other = (rng.random(m) < (0.3 if mobile else 0.0)).tolist()  # mobiles keep an old home's number
    area_pick = rng.integers(0, len(_US_AREAS), m).tolist()
    u = rng.random((m, 3))
    out = []
    for k, a in enumerate(addrs):
        c = a.country
        if c in ("US", "CA"):
            area = _US_AREAS[area_pick[k]] if (other[k] and c == "US") else a.area_code
            out.append(_Phone("1", (area, ex[k], line[k]), "1"))
        elif c == "GB":
            if mobile:
                out.append(_Phone("44", (f"7{int(u[k, 0] * 1000):03d}", f"{int(u[k, 1] * 1e6):06d}"), "0"))
            else:
                n_len = 10 - len(a.area_code)
                out.append(_Phone("44", (a.area_code, f"{int(u[k, 1] * 10 ** n_len):0{n_len}d}"), "0"))
        elif c == "DE":
            if mobile:
                prefix = f"1{5 + int(u[k, 0] * 3)}{int(u[k, 2] * 10)}"
                out.append(_Phone("49", (prefix, f"{int(u[k, 1] * 1e8):08d}"), "0"))
            else:
                out.append(_Phone("49", (a.area_code, f"{int(u[k, 1] * 1e7):07d}"), "0"))
        else:  # CN
            if mobile:
                out.append(_Phone("86", (f"1{(3, 5, 8)[int(u[k, 0] * 3)]}{int(u[k, 2] * 10)}",
                                         f"{int(u[k, 1] * 1e4):04d}", f"{int(u[k, 2] * 1e8) % 10000:04d}"), ""))
            else:
                out.append(_Phone("86", (a.area_code, f"{int(u[k, 1] * 1e8):08d}"), "0"))
    return out


def _ssns(rng: np.random.Generator, n: int) -> list[str]:
    """Unique SSN-shaped numbers in the valid ranges (area 001-899 but 666, group 01-99,
    serial 0001-9999)."""
    def draw(k: int) -> np.ndarray:
        area = rng.integers(1, 900, k)
        area = np.where(area == 666, 667, area)
        return area * 1_000_000 + rng.integers(1, 100, k) * 10_000 + rng.integers(1, 10_000, k)

    codes = draw(n)
    for _ in range(20):
        _, first = np.unique(codes, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        codes[dup] = draw(int(dup.sum()))
    return [f"{c // 1_000_000:03d}-{c // 10_000 % 100:02d}-{c % 10_000:04d}" for c in codes.tolist()]


def _luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


_CN_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_REGION = {c[0]: c[5] for c in places.CN_CITIES}


def _foreign_id(country: str, city: str, dob: int, gender: int, u: float, v: float) -> str:
    if country == "GB":
        pre = ("AB", "CE", "JK", "SN", "TW", "HP", "LM", "PR", "WA", "YZ")[int(u * 10)]
        return f"{pre}{int(v * 1e6):06d}{'ABCD'[int(u * 40) % 4]}"
    if country == "DE":
        return f"{1 + int(u * 9)}{int(v * 1e10):010d}"
    if country == "CA":
        return _luhn_complete(f"{1 + int(u * 7)}{int(v * 1e7):07d}")
    if country == "CN":
        birth = (_EPOCH + timedelta(days=dob)).strftime("%Y%m%d")
        seq = int(v * 100) * 10 + (1 if gender == 0 else 0) + 2 * int(u * 4)
        body = f"{_CN_REGION.get(city, '110105')}{birth}{seq:03d}"
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _CN_ID_W, strict=True)) % 11]
        return body + check
    return ""


_DOMAINS = {
    "US": business.US_EMAIL_DOMAINS, "GB": business.GB_EMAIL_DOMAINS, "DE": business.DE_EMAIL_DOMAINS,
    "CA": business.CA_EMAIL_DOMAINS, "CN": business.CN_EMAIL_DOMAINS,
}
_OLD_DOMAINS = (("aol.com", 20), ("hotmail.com", 25), ("yahoo.com", 25), ("msn.com", 8),
                ("comcast.net", 10), ("earthlink.net", 5), ("juno.com", 3), ("netzero.net", 4))
_CUM: dict[int, tuple[list[float], tuple[str, ...]]] = {}


def _domain(table: Sequence[tuple[str, float]], u: float) -> str:
    key = id(table)
    if key not in _CUM:
        _CUM[key] = (np.cumsum(_norm([w for _, w in table])).tolist(), tuple(d for d, _ in table))
    cum, doms = _CUM[key]
    return doms[min(bisect.bisect_right(cum, u), len(doms) - 1)]
_EMAIL_PATTERN_W = _norm([25, 15, 12, 5, 10, 10, 5, 8, 5, 5])


def _email_local(first: str, last: str, nick: str, pattern: int, yy: int, num: int) -> str:
    f = _slug(first) or "x"
    last1 = last.split(" ")[0] if " " in last and num % 3 else last
    la = _slug(last1) or "x"
    if pattern == 0:
        return f"{f}.{la}"
    if pattern == 1:
        return f"{f}{la}"
    if pattern == 2:
        return f"{f[0]}{la}"
    if pattern == 3:
        return f"{f}_{la}"
    if pattern == 4:
        return f"{f}.{la}{num % 100}"
    if pattern == 5:
        return f"{f}{la}{yy:02d}"
    if pattern == 6:
        return f"{f}{num % 10_000}"
    if pattern == 7:
        return f"{f[0]}{la}{num % 1000}"
    if pattern == 8 and nick:
        return f"{_slug(nick)}.{la}"
    return f"{la}.{f}"


def _emails(rng: np.random.Generator, first: list[str], last: list[str], nick: list[str],
            dob: np.ndarray, country: list[str], company: list[_Company | None],
            taken: set[str], old: bool = False) -> list[str]:
    n = len(first)
    pattern = rng.choice(10, size=n, p=_EMAIL_PATTERN_W).tolist()
    num = rng.integers(1, 100_000, n).tolist()
    u = rng.random((n, 2)).tolist()
    yy = (_ymd(dob)[0] % 100).tolist()
    tlds = {"US": "com", "GB": "co.uk", "DE": "de", "CA": "ca", "CN": "com.cn"}
    out = []
    for i in range(n):
        c = country[i]
        comp = company[i]
        if comp is not None and u[i][0] < (0.35 if old else WORK_EMAIL_P):
            domain = f"{comp.domain}.{tlds[c]}"
            local = _email_local(first[i], last[i], "", pattern[i] % 4, 0, 0)
        else:
            domain = _domain(_OLD_DOMAINS if (old and c == "US") else _DOMAINS[c], u[i][1])
            if domain in ("qq.com", "163.com", "126.com") and pattern[i] < 6:
                local = str(10_000_000 + num[i] * 997 % 90_000_000)
            else:
                local = _email_local(first[i], last[i], nick[i], pattern[i], yy[i], num[i])
        e = f"{local}@{domain}"
        k = 0
        while e in taken:
            k += 1
            e = f"{local}{(num[i] + 7 * k) % 1000 + k}@{domain}"
        taken.add(e)
        out.append(e)
    return out


# ------------------------------------------------------------------------ companies


def _company_pool(rng: np.random.Generator, country: str, size: int) -> list[_Company]:
    forms = {"US": business.LEGAL_FORMS_US, "GB": business.LEGAL_FORMS_GB, "DE": business.LEGAL_FORMS_DE,
             "CA": business.LEGAL_FORMS_CA, "CN": business.LEGAL_FORMS_CN}[country]
    form_w = _norm([w for _, _, w in forms])
    words = [w.replace("_", " ") for w in business.COMPANY_WORDS]
    seen: set[str] = set()
    out: list[_Company] = []
    for _ in range(30):  # batches of candidates until the pool is full of distinct names
        if len(out) >= size:
            break
        m = int((size - len(out)) * 1.5) + 10
        uu = rng.random((m, 6)).tolist()
        form_idx = rng.choice(len(forms), size=m, p=form_w).tolist()
        for u, fi in zip(uu, form_idx, strict=True):
            if len(out) >= size:
                break
            if country == "CN":
                city = places.CN_CITIES[int(u[0] * len(places.CN_CITIES))][0]
                base = (f"{city} {business.CN_BRANDS[int(u[1] * len(business.CN_BRANDS))]} "
                        f"{business.CN_INDUSTRIES[int(u[2] * len(business.CN_INDUSTRIES))]}")
            elif country == "DE":
                sur = names.GERMAN_SURNAMES[int(u[1] * len(names.GERMAN_SURNAMES))]
                ind = business.DE_INDUSTRIES[int(u[2] * len(business.DE_INDUSTRIES))]
                base = f"{sur} {ind}" if u[0] < 0.6 else f"{words[int(u[3] * len(words))]} {ind}"
            else:
                w1 = words[int(u[1] * len(words))]
                ind = business.COMPANY_INDUSTRIES[int(u[2] * len(business.COMPANY_INDUSTRIES))]
                sur = names.SURNAMES[int(u[3] ** 1.5 * len(names.SURNAMES))]
                if u[0] < 0.55:
                    base = f"{w1} {ind}"
                elif u[0] < 0.72:
                    base = f"{sur} {ind}"
                elif u[0] < 0.82:
                    base = f"{w1} {words[int(u[4] * len(words))]} {ind}"
                elif u[0] < 0.88:
                    base = f"{sur} & Sons"
                elif u[0] < 0.94:
                    base = f"{sur} & {names.SURNAMES[int(u[4] * len(names.SURNAMES))]}"
                else:
                    base = f"The {w1} Group"
            if base in seen:
                continue
            seen.add(base)
            canon, variants, _ = forms[fi]
            f = (canon, *variants) if (u[5] < 0.92 or country != "US") else ("",)
            out.append(_Company(base, f, _slug(base)))
    return out


def _companies(rng: np.random.Generator, has: np.ndarray, country: list[str]) -> list[_Company | None]:
    n = len(has)
    out: list[_Company | None] = [None] * n
    cc = np.array([_COUNTRIES.index(c) for c in country])
    for ci, c in enumerate(_COUNTRIES):
        sel = np.flatnonzero(has & (cc == ci))
        if not len(sel):
            continue
        pool = _company_pool(rng, c, max(3, len(sel) // 4))
        pick = np.floor(len(pool) * rng.random(len(sel)) ** 1.8).astype(np.int64)
        for i, j in zip(sel.tolist(), pick.tolist(), strict=True):
            out[i] = pool[j]
    return out


# ------------------------------------------------------------------------ the people


def _people(rng: np.random.Generator, sk: _Skeleton, n: int) -> _People:
    hh = sk.hh[:n]
    nh = int(hh[-1]) + 1
    nm = _names(rng, sk, n, nh)
    origin = nm["origin"]
    country_h = sk.country[:nh]
    country = [_COUNTRIES[c] for c in country_h[hh].tolist()]
    prev_last, name_change = _surname_changes(rng, sk, n, origin, nm["last"])

    hh_addr = _addresses(rng, country_h)
    hh_prev, hh_move = _moves(rng, hh_addr)
    addr = [hh_addr[h] for h in hh.tolist()]
    prev_addr = [hh_prev[h] for h in hh.tolist()]
    move_day = hh_move[hh]

    # a mobile number for everyone (from where they lived when they got it) and a landline
    # per household that somebody gives; movers' households had another landline before
    multi = sk.hh_size[hh] > 1
    use_land = rng.random(n) < np.where(multi, SHARED_LANDLINE_P, SINGLE_LANDLINE_P)
    mobile = _phones(rng, [p if p is not None else a for a, p in zip(addr, prev_addr, strict=True)], mobile=True)
    land_hh = np.unique(hh[use_land])
    land_h: dict[int, _Phone] = dict(zip(land_hh.tolist(), _phones(rng, [hh_addr[h] for h in land_hh.tolist()],
                                                                   mobile=False), strict=True))
    moved_land = [h for h in land_hh.tolist() if hh_prev[h] is not None]
    prev_land_h = dict(zip(moved_land, _phones(rng, [hh_prev[h] for h in moved_land], mobile=False), strict=True))  # type: ignore[misc]
    phone = [land_h[h] if ul else mob for h, ul, mob in zip(hh.tolist(), use_land.tolist(), mobile, strict=True)]
    prev_phone = [prev_land_h.get(h, ph) if ul else ph
                  for h, ul, ph in zip(hh.tolist(), use_land.tolist(), phone, strict=True)]

    ssn = _ssns(rng, n)
    u = rng.random((n, 2))
    national_id = [
        s if c == "US" else _foreign_id(c, a.city, int(d), int(g), float(uu[0]), float(uu[1]))
        for s, c, a, d, g, uu in zip(ssn, country, addr, sk.dob[:n].tolist(), sk.gender[:n].tolist(), u, strict=True)
    ]

    company = _companies(rng, sk.company[:n], country)
    titles = np.array(business.JOB_TITLES, dtype=object)
    t_idx = rng.choice(len(titles), size=n, p=_zipf(len(titles), 0.8, 5.0))
    tu = rng.random(n)
    job_title = [
        (business.JOB_TITLES[t] if uu < JOB_TITLE_P else "") if c is not None
        else (business.OTHER_TITLES[t % len(business.OTHER_TITLES)] if uu < 0.08 else "")
        for c, t, uu in zip(company, t_idx.tolist(), tu.tolist(), strict=True)
    ]

    taken: set[str] = set()
    dob = sk.dob[:n]
    email = _emails(rng, nm["first"], nm["last"], nm["nick"], dob, country, company, taken)
    changed = np.flatnonzero(rng.random(n) < EMAIL_CHANGE_P)
    old_last = [prev_last[i] or nm["last"][i] for i in changed.tolist()]
    old = _emails(rng, [nm["first"][i] for i in changed.tolist()], old_last,
                  [nm["nick"][i] for i in changed.tolist()], dob[changed],
                  [country[i] for i in changed.tolist()], [company[i] for i in changed.tolist()],
                  taken, old=True)
    prev_email = [""] * n
    email_change = np.full(n, -1, dtype=np.int64)
    lo = np.maximum(dob[changed] + int(16 * _YEAR), _day(date(2008, 1, 1)))
    days = lo + (rng.random(len(changed)) * np.maximum(REF_DAY - 30 - lo, 1)).astype(np.int64)
    for i, e, d in zip(changed.tolist(), old, days.tolist(), strict=True):
        prev_email[i] = e
        email_change[i] = d

    width = max(7, len(str(n)))
    hwidth = max(6, len(str(nh)))
    entity_id = [f"E{i + 1:0{width}d}" for i in range(n)]
    hh_ids = [f"H{h + 1:0{hwidth}d}" for h in range(nh)]
    return _People(
        n=n, hh=hh, gender=sk.gender[:n], dob=dob, twin=sk.twin[:n], origin=origin,
        chinese=origin == 2, country=country, first=nm["first"], middle=nm["middle"], last=nm["last"],
        nick=nm["nick"], has_nick=np.array([bool(x) for x in nm["nick"]]), native_name=nm["native"],
        double_surname=nm["double"], prev_last=prev_last, name_change_day=name_change,
        national_id=national_id, email=email, prev_email=prev_email, email_change_day=email_change,
        phone=phone, prev_phone=prev_phone, addr=addr, prev_addr=prev_addr, move_day=move_day,
        company=company, job_title=job_title, namesake=nm["namesake"], entity_id=entity_id,
        household_id=[hh_ids[h] for h in hh.tolist()],
    )


# =============================================================================== rendering


class _Batch:
    """The records of one source while they are rendered and noised."""

    def __init__(self, source: str, rng: np.random.Generator, people: _People, person: np.ndarray,
                 ts: np.ndarray, dup: np.ndarray) -> None:
        self.source = source
        self.rng = rng
        self.p = people
        self.person = person
        self.pl: list[int] = person.tolist()
        self.n = len(person)
        self.ts = ts
        self.day = ts // _DAY
        self.cfg = NOISE[source]
        self.tags: list[list[str] | None] = [None] * self.n
        self.tag(np.flatnonzero(dup), "internal_dup")
        self.moved = people.move_day[person] > self.day
        self.tag(np.flatnonzero(self.moved), "moved")

    # -- drawing
    def pick(self, rate: float, eligible: np.ndarray | None = None) -> np.ndarray:
        m = self.rng.random(self.n) < rate
        if eligible is not None:
            m &= eligible
        return np.flatnonzero(m)

    def tag(self, idx: np.ndarray | list[int], label: str) -> None:
        tags = self.tags
        for i in (idx.tolist() if isinstance(idx, np.ndarray) else idx):
            t = tags[i]
            if t is None:
                tags[i] = [label]
            else:
                t.append(label)

    def col(self, values: Sequence[Any]) -> list[Any]:
        return [values[i] for i in self.pl]

    def present(self, col: Sequence[Any]) -> np.ndarray:
        return np.fromiter(map(bool, col), dtype=bool, count=len(col))

    def mutate(self, col: list[Any], idx: np.ndarray, fn: Callable[..., Any], label: str | None,
               n_rand: int = 0) -> None:
        """col[i] = fn(col[i], *uniforms) for each i in idx; tag when the value changed."""
        if not len(idx):
            return
        r = self.rng.random((len(idx), n_rand)).tolist() if n_rand else [()] * len(idx)
        changed = []
        for i, rr in zip(idx.tolist(), r, strict=True):
            new = fn(col[i], *rr)
            if new != col[i]:
                col[i] = new
                changed.append(i)
        if label:
            self.tag(changed, label)

    def blank(self, col: list[Any], attr: str, empty: Any = "") -> None:
        rate = self.cfg.missing.get(attr, 0.0)
        if rate <= 0:
            return
        idx = self.pick(rate, self.present(col))
        for i in idx.tolist():
            col[i] = empty
        self.tag(idx, f"missing:{attr}")

    def placeholder(self, col: list[Any], attr: str, values: Sequence[str]) -> None:
        rate = self.cfg.placeholder.get(attr, 0.0)
        if rate <= 0:
            return
        idx = self.pick(rate)
        u = self.rng.random(len(idx))
        for i, uu in zip(idx.tolist(), u.tolist(), strict=True):
            col[i] = values[int(uu * len(values))]
        self.tag(idx, f"placeholder:{attr}")

    def invalid(self, col: list[Any], kind: str, make: Callable[[Any, float, int], Any],
                exclude: np.ndarray | None = None) -> np.ndarray:
        """Deliberately invalid values (still real customers): at least INVALID_MIN_ROWS.

        ``make(value, uniform, row)`` returns the invalid text; rows in ``exclude`` are
        left alone. Returns the rows made invalid."""
        rate = self.cfg.invalid.get(kind, 0.0)
        if rate <= 0:
            return np.zeros(0, dtype=np.int64)
        ok = self.present(col)
        if exclude is not None and len(exclude):
            ok[exclude] = False
        elig = np.flatnonzero(ok)
        k = int(self.rng.binomial(len(elig), rate))
        if k < INVALID_MIN_ROWS and len(elig) >= 20:
            k = INVALID_MIN_ROWS
        if not k:
            return np.zeros(0, dtype=np.int64)
        idx = np.sort(self.rng.choice(elig, size=k, replace=False))
        u = self.rng.random(k)
        for i, uu in zip(idx.tolist(), u.tolist(), strict=True):
            col[i] = make(col[i], float(uu), i)
        self.tag(idx, f"invalid:{kind}")
        return idx

    def choice(self, p: Sequence[float]) -> np.ndarray:
        return self.rng.choice(len(p), size=self.n, p=_norm(p))


# ------------------------------------------------------------------------ names


def _punct(s: str, u: float) -> str:
    if "'" in s:
        return s.replace("'", "" if u < 0.6 else " ")
    if "." in s:
        return s.replace(".", "")
    return s.replace("-", " " if u < 0.7 else "")


def _name_view(b: _Batch, exclude: np.ndarray | None = None) -> tuple[list[str], list[str], list[str]]:
    """First, middle, last name as this source holds them (before case/format)."""
    p, cfg = b.p, b.cfg
    ok = np.ones(b.n, dtype=bool) if exclude is None else ~exclude
    first, middle, last = b.col(p.first), b.col(p.middle), b.col(p.last)
    stale = p.name_change_day[b.person] > b.day
    for i in np.flatnonzero(stale).tolist():
        last[i] = p.prev_last[b.pl[i]]
    b.tag(np.flatnonzero(stale), "maiden_name")
    idx = b.pick(cfg.nickname, p.has_nick[b.person] & ok)
    for i in idx.tolist():
        first[i] = p.nick[b.pl[i]]
    b.tag(idx, "nickname")
    b.mutate(last, b.pick(cfg.surname_partial, p.double_surname[b.person] & ~stale & ok),
             lambda s: s.split(" ")[0], "surname_partial")
    # double surnames are also hyphenated now and then (a format, not an error)
    b.mutate(last, b.pick(0.05, p.double_surname[b.person] & ~stale), lambda s: s.replace(" ", "-"), None)
    non_ascii = np.fromiter((not (f.isascii() and s.isascii()) for f, s in zip(first, last, strict=True)), dtype=bool,
                            count=b.n)
    acc = b.pick(cfg.accent_strip, non_ascii & ok)
    r = b.rng.random(len(acc)).tolist()
    changed = []
    for i, u in zip(acc.tolist(), r, strict=True):
        f2, l2 = _strip_accents(first[i], u), _strip_accents(last[i], u)
        if (f2, l2) != (first[i], last[i]):
            first[i], last[i] = f2, l2
            changed.append(i)
    b.tag(changed, "accent_stripped")
    punct = np.fromiter((("'" in s) or ("-" in s) or ("." in s) for s in b.col(p.last)), dtype=bool, count=b.n)
    b.mutate(last, b.pick(cfg.punct_drop, punct & ok), _punct, "punct", 1)
    b.mutate(first, b.pick(cfg.typo_first, ok), _typo, "typo:first_name", 3)
    b.mutate(last, b.pick(cfg.typo_last, ok), _typo, "typo:last_name", 3)
    swap_rate = np.where(p.chinese[b.person], min(1.0, cfg.swap_names * 4), cfg.swap_names)
    sw = np.flatnonzero((b.rng.random(b.n) < swap_rate) & ok)
    for i in sw.tolist():
        first[i], last[i] = last[i], first[i]
    b.tag(sw, "swap_names")
    return first, middle, last


def _case_rows(b: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose free text is upper-cased / lower-cased (tagged 'case')."""
    idx = b.pick(b.cfg.case)
    up = b.rng.random(len(idx)) < b.cfg.case_upper
    b.tag(idx, "case")
    return idx[up], idx[~up]


def _apply_case(cols: Sequence[list[str]], upper: np.ndarray, lower: np.ndarray) -> None:
    for col in cols:
        for i in upper.tolist():
            col[i] = col[i].upper()
        for i in lower.tolist():
            col[i] = col[i].lower()


def _whitespace(b: _Batch, cols: Mapping[str, list[str]]) -> None:
    """A stray space in one text field: leading, trailing or doubled."""
    keys = list(cols)
    idx = b.pick(b.cfg.whitespace)
    u = b.rng.random((len(idx), 2)).tolist()
    for i, (uk, um) in zip(idx.tolist(), u, strict=True):
        key = keys[int(uk * len(keys))]
        v = cols[key][i]
        if not v:
            continue
        if um < 0.35:
            nv = " " + v
        elif um < 0.7 or " " not in v.strip():
            nv = v + ("  " if um < 0.5 else " ")
        else:
            nv = v.replace(" ", "  ", 1)
        cols[key][i] = nv
        b.tag([i], f"whitespace:{key}")


# ------------------------------------------------------------------------ dates


_SHORT_MONTH_END = {2: 30, 4: 31, 6: 31, 9: 31, 11: 31}


def _dob_view(b: _Batch, fmt: Callable[[int, int, int, int], str]) -> list[str]:
    """Birth dates as strings: fmt(y, m, d, row) -> text."""
    cfg = b.cfg
    y, m, d = (a.copy() for a in _ymd(b.p.dob[b.person]))
    sw = b.pick(cfg.dob_swap, (d <= 12) & (d != m))
    m[sw], d[sw] = d[sw], m[sw].copy()
    b.tag(sw, "dob_swap")
    ty = b.pick(cfg.dob_typo)
    kind = b.rng.integers(0, 3, len(ty))
    for i, k in zip(ty.tolist(), kind.tolist(), strict=True):
        if k == 0:
            d[i] = d[i] - 1 if d[i] > 1 else d[i] + 1
        elif k == 1:
            y[i] += 1 if y[i] < 2006 else -1
        else:
            s = str(y[i])
            t = int(s[:2] + s[3] + s[2])
            y[i] = t if (t != y[i] and 1900 < t < 2007) else y[i] - 1
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    d[(m == 2) & (d == 29) & ~leap] = 28  # a mistyped year must not make 29 February impossible
    b.tag(ty, "dob_typo")
    ph = b.pick(cfg.placeholder.get("birth_date", 0.0))
    y[ph], m[ph], d[ph] = 1900, 1, 1
    b.tag(ph, "placeholder:birth_date")
    ys, ms, ds = y.tolist(), m.tolist(), d.tolist()
    out = [fmt(ys[i], ms[i], ds[i], i) for i in range(b.n)]
    b.blank(out, "birth_date")

    # invalid values keep the source's own format, so they are made from the row's parts
    def make_bad(_: str, u: float, row: int) -> str:
        # a day the month does not have: 1985-02-30, 1990-04-31, or a mistyped 32
        mm = ms[row]
        if mm in _SHORT_MONTH_END:
            return fmt(ys[row], mm, _SHORT_MONTH_END[mm] + (1 if mm == 2 and u < 0.3 else 0), row)
        return fmt(ys[row], mm, 32, row) if u < 0.5 else fmt(ys[row], 2, 30, row)

    def make_future(_: str, u: float, row: int) -> str:
        yy = ys[row] + 100 if ys[row] + 100 > REFERENCE_DATE.year else REFERENCE_DATE.year + 1 + int(u * 15)
        return fmt(yy, ms[row], min(ds[row], 28), row)

    bad = b.invalid(out, "birth_date", make_bad)
    b.invalid(out, "birth_date_future", make_future, exclude=bad)
    return out


def _iso(y: int, m: int, d: int, _: int = 0) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


def _us_date(y: int, m: int, d: int, _: int = 0) -> str:
    return f"{m:02d}/{d:02d}/{y:04d}"


# ------------------------------------------------------------------------ e-mail and phone


def _email_typo(e: str, u: float, v: float, w: float) -> str:
    local, _, domain = e.partition("@")
    opts = business.DOMAIN_TYPOS.get(domain)
    if opts and u < 0.7:
        return f"{local}@{opts[int(v * len(opts))]}"
    return f"{_typo(local, u, v, w)}@{domain}"


def _gmail_variant(e: str, u: float, v: float) -> str:
    local, _, domain = e.partition("@")
    if u < 0.45:
        tag = ("shop", "news", "web", "promo", "2021", "signup", "orders")[int(v * 7)]
        return f"{local}+{tag}@{domain}"
    if "." in local:
        return f"{local.replace('.', '')}@{domain}"
    k = 1 + int(v * (len(local) - 1))
    return f"{local[:k]}.{local[k:]}@{domain}"


def _email_case(e: str, u: float) -> str:
    if u < 0.2:
        return e.upper()
    local, _, domain = e.partition("@")
    parts = [x.capitalize() for x in local.split(".")]
    return ".".join(parts) + "@" + (domain.capitalize() if u < 0.7 else domain)


def _bad_email(e: str, u: float) -> str:
    local, _, domain = e.strip().partition("@")
    k = int(u * 6)
    if k == 0:
        return f"{local}@"
    if k == 1:
        return f"{local}.{domain}"  # no at-sign
    if k == 2:
        return f"{local}@{domain.rsplit('.', 1)[0]}"  # no top-level domain
    if k == 3:
        return f"{local}@@{domain}"
    if k == 4:
        return f"{local.replace('.', ' ')} @{domain}" if "." in local else f"{local} @{domain}"
    return f"@{domain}"


def _email_view(b: _Batch) -> list[str]:
    p, cfg = b.p, b.cfg
    em = b.col(p.email)
    stale = np.flatnonzero(p.email_change_day[b.person] > b.day)
    for i in stale.tolist():
        em[i] = p.prev_email[b.pl[i]]
    b.tag(stale, "old_email")
    b.mutate(em, b.pick(cfg.typo_email), _email_typo, "typo:email", 3)
    gm = np.fromiter((e.endswith("@gmail.com") for e in em), dtype=bool, count=b.n)
    b.mutate(em, b.pick(cfg.gmail_variant, gm), _gmail_variant, "gmail_variant", 2)
    b.mutate(em, b.pick(cfg.email_case), _email_case, "case:email", 1)
    b.mutate(em, b.pick(cfg.email_space), lambda e, u: (" " + e) if u < 0.4 else (e + " "),
             "whitespace:email", 1)
    b.placeholder(em, "email", business.PLACEHOLDER_EMAILS)
    b.blank(em, "email")
    b.invalid(em, "email", lambda e, u, _: _bad_email(e, u))
    return em


# US number formats: (area, exchange, line) -> text
_US_FORMATS: tuple[Callable[[str, str, str], str], ...] = (
    lambda a, e, n: f"{a}-{e}-{n}",  # 0
    lambda a, e, n: f"({a}) {e}-{n}",  # 1
    lambda a, e, n: f"{a}.{e}.{n}",  # 2
    lambda a, e, n: f"+1 {a} {e} {n}",  # 3
    lambda a, e, n: f"{a}{e}{n}",  # 4
    lambda a, e, n: f"+1{a}{e}{n}",  # 5
    lambda a, e, n: f"1-{a}-{e}-{n}",  # 6
    lambda a, e, n: f"{a} {e} {n}",  # 7
    lambda a, e, n: f"({a}){e}-{n}",  # 8
    lambda a, e, n: f"{a}-{e}{n}",  # 9
    lambda a, e, n: f"+1 ({a}) {e}-{n}",  # 10
    lambda a, e, n: f"1{a}{e}{n}",  # 11
)
# weights of the formats above, and of (international, national, e164, digits) abroad
_PHONE_STYLE = {
    "crm": ((60, 25, 0, 0, 0, 10, 0, 0, 0, 0, 5, 0), (60, 0, 40, 0)),
    "erp": ((15, 35, 25, 25, 0, 0, 0, 0, 0, 0, 0, 0), (50, 50, 0, 0)),
    "web": ((10, 10, 5, 0, 30, 5, 5, 15, 10, 10, 0, 0), (30, 50, 20, 0)),
    "legacy": ((0, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 20), (0, 50, 0, 50)),
}


def _phone_text(ph: _Phone, us_fmt: int, intl_fmt: int) -> str:
    if ph.cc == "1":
        area, exch, line = ph.groups
        return _US_FORMATS[us_fmt](area, exch, line)
    if intl_fmt == 0:
        return f"+{ph.cc} " + " ".join(ph.groups)
    if intl_fmt == 1:
        return ph.trunk + " ".join(ph.groups) if ph.trunk else " ".join(ph.groups)
    if intl_fmt == 2:
        return ph.e164
    return (ph.trunk + "".join(ph.groups)) if ph.trunk else ph.cc + "".join(ph.groups)


_BAD_PHONES = ("12", "555", "n/a", "0", "123-45", "+1 (", "TBD", "call me", "x", "00000")


def _phone_view(b: _Batch) -> list[str]:
    p, cfg = b.p, b.cfg
    ph = b.col(p.phone)
    for i in np.flatnonzero(b.moved).tolist():
        ph[i] = p.prev_phone[b.pl[i]]
    us_w, intl_w = _PHONE_STYLE[b.source]
    us_f = b.choice(us_w).tolist()
    intl_f = b.choice(intl_w).tolist()
    out = [_phone_text(x, f, g) for x, f, g in zip(ph, us_f, intl_f, strict=True)]
    if b.source == "web":  # typed by hand: stray spaces now and then
        b.mutate(out, b.pick(0.04), lambda s, u: s[: int(u * len(s))] + " " + s[int(u * len(s)):], None, 1)
    b.mutate(out, b.pick(cfg.typo_phone), _digit_typo, "typo:phone", 2)
    if cfg.phone_ext:
        has_co = np.fromiter((c is not None for c in b.col(p.company)), dtype=bool, count=b.n)
        b.mutate(out, b.pick(cfg.phone_ext, has_co),
                 lambda s, u: s + (f" x{100 + int(u * 900)}" if u < 0.7 else f" ext. {10 + int(u * 90)}"),
                 "phone_ext", 1)
    b.placeholder(out, "phone", business.PLACEHOLDER_PHONES)
    b.blank(out, "phone")
    b.invalid(out, "phone", lambda s, u, _: _BAD_PHONES[int(u * len(_BAD_PHONES))])
    return out


# ------------------------------------------------------------------------ addresses


def _street_text(a: _Addr, suffix_mode: int, dir_mode: int) -> str:
    """suffix_mode: 0 Street, 1 St, 2 St. (second variant); dir_mode: 0 N, 1 North, 2 N."""
    if a.suffix < 0:
        if a.country == "DE" and suffix_mode == 1 and "straße" in a.street:
            return a.line1.replace("straße", "str.")
        return a.line1
    parts = [a.number]
    if a.direction >= 0:
        full, ab = places.DIRECTIONS[a.direction]
        parts.append((ab, full, ab + ".")[dir_mode])
    parts.append(a.street)
    full, abbrs, _ = places.STREET_SUFFIXES[a.suffix]
    parts.append((full, abbrs[0].rstrip("."), abbrs[min(1, len(abbrs) - 1)])[suffix_mode])
    return " ".join(parts)


def _line2_text(a: _Addr, variant: float) -> str:
    if a.unit < 0:
        return a.line2
    canon, variants, _ = places.UNIT_TYPES[a.unit]
    if variant >= 1.0:
        return f"{canon} {a.unit_no}"
    v = variants[int(variant * len(variants))]
    return f"{v}{a.unit_no}" if v.endswith("#") else f"{v} {a.unit_no}"


_STYLE = {  # suffix-mode weights, direction-mode weights, share of unit variants
    "crm": ((35, 55, 10), (80, 15, 5), 0.3),
    "erp": ((20, 70, 10), (85, 10, 5), 0.4),
    "legacy": ((20, 70, 10), (90, 5, 5), 0.5),
}
_BAD_STATES = ("XX", "ZZ", "QQ", "UU", "00")


@dataclass
class _AddrCols:
    street: list[str]
    line2: list[str]
    city: list[str]
    state: list[str]
    postal: list[str]
    country: list[str]  # ISO code
    addr: list[_Addr]


def _addr_view(b: _Batch) -> _AddrCols:
    p, cfg = b.p, b.cfg
    addr = b.col(p.addr)
    for i in np.flatnonzero(b.moved).tolist():
        addr[i] = p.prev_addr[b.pl[i]]
    b.mutate(addr, b.pick(cfg.typo_street), lambda a, x, y, z: a._replace(street=_typo(a.street, x, y, z)),
             "typo:street_address", 3)
    sfx_w, dir_w, unit_v = _STYLE.get(b.source, _STYLE["crm"])
    sm, dm = b.choice(sfx_w).tolist(), b.choice(dir_w).tolist()
    street = [_street_text(a, s, d) for a, s, d in zip(addr, sm, dm, strict=True)]
    uv = b.rng.random(b.n)
    uv = np.where(uv < unit_v, uv / unit_v, 1.0).tolist()
    line2 = [_line2_text(a, v) for a, v in zip(addr, uv, strict=True)]
    city = [a.city for a in addr]
    alias = b.pick(0.06, np.fromiter((c in places.CITY_ALIASES for c in city), dtype=bool, count=b.n))
    for i, u in zip(alias.tolist(), b.rng.random(len(alias)).tolist(), strict=True):
        opts = places.CITY_ALIASES[city[i]]
        city[i] = opts[int(u * len(opts))]
    b.mutate(city, b.pick(cfg.typo_city), _typo, "typo:city", 3)
    state = [a.state for a in addr]
    postal = [a.postal for a in addr]
    b.mutate(postal, b.pick(cfg.typo_postal), _digit_typo, "typo:postal_code", 2)
    zero = np.fromiter((a.country == "US" and a.postal.startswith("0") for a in addr), dtype=bool, count=b.n)
    b.mutate(postal, b.pick(cfg.zip_lost_zero, zero), lambda s: s.lstrip("0"), "zip_lost_zero")
    return _AddrCols(street, line2, city, state, postal, [a.country for a in addr], addr)


# ------------------------------------------------------------------------ company, ids


def _company_view(b: _Batch, canon_p: float, drop_p: float) -> list[str]:
    comp = b.col(b.p.company)
    u = b.rng.random((b.n, 3)).tolist()
    out = []
    for c, (u1, u2, u3) in zip(comp, u, strict=True):
        if c is None:
            out.append("")
            continue
        if u1 < canon_p or len(c.forms) == 1:
            form = c.forms[0]
        elif u1 < 1 - drop_p:
            form = c.forms[1 + int(u2 * (len(c.forms) - 1))]
        else:
            form = ""
        name = _join_form(c.base, form)
        if u3 < 0.05 and " & " in name:
            name = name.replace(" & ", " and ")
        out.append(name)
    b.mutate(out, b.pick(0.01), lambda s, x, y, z: _typo(s, x, y, z), "typo:company_name", 3)
    b.blank(out, "company_name")
    return out


def _national_id_view(b: _Batch, dash_p: float) -> list[str]:
    ids = b.col(b.p.national_id)
    us = np.fromiter((c == "US" for c in b.col(b.p.country)), dtype=bool, count=b.n)
    nodash = b.pick(1 - dash_p, us)
    for i in nodash.tolist():
        ids[i] = ids[i].replace("-", "")
    b.mutate(ids, b.pick(b.cfg.typo_national_id), _digit_typo, "typo:national_id", 2)
    b.placeholder(ids, "national_id", ("000-00-0000", "999-99-9999", "123-45-6789"))
    b.blank(ids, "national_id")
    return ids


def _gender_view(b: _Batch, codes: tuple[str, str, str]) -> list[str]:
    g = b.p.gender[b.person].copy()
    wrong = b.pick(b.cfg.wrong_gender, g < 2)
    g[wrong] = 1 - g[wrong]
    b.tag(wrong, "wrong:gender")
    out = [codes[x] for x in g.tolist()]
    b.blank(out, "gender")
    return out


_COUNTRY_NAMES = {
    "US": ("US", "USA", "United States", "United States of America"),
    "GB": ("GB", "United Kingdom", "UK", "Great Britain"),
    "DE": ("DE", "Germany", "Deutschland"),
    "CA": ("CA", "Canada"),
    "CN": ("CN", "China", "PRC"),
}


# ------------------------------------------------------------------------ the four sources


@dataclass
class _Rendered:
    header: list[str]
    rows: list[list[Any]]  # in person order
    ids_numeric: bool = False


def _render_crm(b: _Batch) -> _Rendered:
    first, middle, last = _name_view(b)
    mid_u = b.rng.random(b.n).tolist()
    middle = [m if not m or u < 0.6 else (m[0] if u < 0.8 else m[0] + ".") for m, u in zip(middle, mid_u, strict=True)]
    b.blank(first, "first_name")
    b.blank(last, "last_name")
    b.blank(middle, "middle_name")
    a = _addr_view(b)
    up, low = _case_rows(b)
    _apply_case([first, middle, last, a.street, a.city], up, low)
    _whitespace(b, {"first_name": first, "last_name": last, "street_address": a.street})
    dob = _dob_view(b, _iso)
    gender = _gender_view(b, ("M", "F", "X"))
    email = _email_view(b)
    phone = _phone_view(b)
    line2 = a.line2
    # rare multi-line second address line (quoted newline in the CSV)
    ml = b.pick(0.004, b.present(line2))
    for i, u in zip(ml.tolist(), b.rng.random(len(ml)).tolist(), strict=True):
        line2[i] = f"{line2[i]}\n{('Building', 'Bldg', 'Tower')[int(u * 3)]} {'ABC'[int(u * 30) % 3]}"
    b.tag(ml, "multiline")
    b.blank(a.street, "street_address")
    b.blank(line2, "address_line2")
    b.blank(a.city, "city")
    b.blank(a.state, "state")
    b.invalid(a.state, "state", lambda s, u, _: _BAD_STATES[int(u * len(_BAD_STATES))])
    b.blank(a.postal, "postal_code")
    cu = b.rng.random(b.n).tolist()
    country = [
        _COUNTRY_NAMES[c][0] if u < 0.6 else _COUNTRY_NAMES[c][1 + int((u - 0.6) / 0.4 * (len(_COUNTRY_NAMES[c]) - 1))]
        for c, u in zip(a.country, cu, strict=True)
    ]
    b.blank(country, "country")
    company = _company_view(b, 0.7, 0.05)
    dba = b.pick(0.004, b.present(company))
    for i, u in zip(dba.tolist(), b.rng.random(len(dba)).tolist(), strict=True):
        short = company[i].split(" ")[0].strip(",")
        company[i] = f'{company[i]} dba "{short}"' if u < 0.7 else f'{company[i]}, Attn: "{short}" Dept'
    b.tag(dba, "dba")
    title = b.col(b.p.job_title)
    b.blank(title, "job_title")
    ssn = _national_id_view(b, 0.9)
    modified = [s + "Z" for s in _iso_seconds(b.ts)]
    header = ["CustomerID", "FirstName", "LastName", "MiddleName", "DOB", "Gender", "Email", "Phone",
              "Street", "Street2", "City", "State", "Zip", "Country", "Company", "Title", "SSN", "Modified"]
    rows = [list(r) for r in zip([""] * b.n, first, last, middle, dob, gender, email, phone, a.street, line2,
                                 a.city, a.state, a.postal, country, company, title, ssn, modified, strict=True)]
    return _Rendered(header, rows)


def _render_erp(b: _Batch) -> _Rendered:
    first, middle, last = _name_view(b)
    fmt = b.choice((70, 20, 10)).tolist()
    mi = b.rng.random(b.n).tolist()
    name1 = []
    for f, m, la, k, u in zip(first, middle, last, fmt, mi, strict=True):
        if k == 0:
            name1.append(f"{la}, {f}" + (f" {m[0]}." if m and u < 0.4 else ""))
        elif k == 1 or not m:
            name1.append(f"{f} {la}")
        else:
            name1.append(f"{f} {m} {la}")
    a = _addr_view(b)
    up, low = _case_rows(b)
    _apply_case([name1, a.street, a.city], up, low)
    _whitespace(b, {"full_name": name1, "street_address": a.street})
    b.blank(name1, "full_name")
    dob = _dob_view(b, _us_date)
    gender = _gender_view(b, ("male", "female", "diverse"))
    email = _email_view(b)
    phone = _phone_view(b)
    street, line2 = a.street, a.line2
    merge = b.pick(0.15, b.present(line2))
    for i in merge.tolist():  # second line typed into the street field
        street[i], line2[i] = f"{street[i]} {line2[i]}", ""
    b.blank(street, "street_address")
    b.blank(line2, "address_line2")
    b.blank(a.city, "city")
    state = a.state
    full = b.pick(0.10, np.fromiter((c == "US" for c in a.country), dtype=bool, count=b.n))
    for i in full.tolist():
        state[i] = places.US_STATE_NAMES.get(state[i], state[i])
    b.blank(state, "state")
    b.invalid(state, "state", lambda s, u, _: _BAD_STATES[int(u * len(_BAD_STATES))])
    postal = a.postal
    plus4 = b.pick(0.15, np.fromiter((c == "US" and len(z) == 5 for c, z in zip(a.country, postal, strict=True)),
                                     dtype=bool, count=b.n))
    for i, u in zip(plus4.tolist(), b.rng.random(len(plus4)).tolist(), strict=True):
        postal[i] = f"{postal[i]}-{int(u * 10_000):04d}"
    b.blank(postal, "postal_code")
    land1 = list(a.country)
    b.blank(land1, "country")
    company = _company_view(b, 0.5, 0.1)
    cu = b.pick(0.15, b.present(company))
    for i in cu.tolist():
        company[i] = company[i].upper()
    title = b.col(b.p.job_title)
    b.blank(title, "job_title")
    stcd1 = _national_id_view(b, 1.0)
    created = b.ts - (b.rng.random(b.n) * (b.ts - _day(SOURCE_PERIOD["erp"][0]) * _DAY)).astype(np.int64)
    erdat = [f"{s[5:7]}/{s[8:10]}/{s[:4]}" for s in _iso_seconds(created)]
    aedat = [f"{s[5:7]}/{s[8:10]}/{s[:4]} {s[11:]}" for s in _iso_seconds(b.ts)]
    header = ["KUNNR", "NAME1", "GBDAT", "PARGE", "SMTP_ADDR", "TELF1", "STRAS", "STR_SUPPL1", "ORT01",
              "REGIO", "PSTLZ", "LAND1", "FIRMA", "FUNKTION", "STCD1", "ERDAT", "AEDAT"]
    rows = [list(r) for r in zip([""] * b.n, name1, dob, gender, email, phone, street, line2, a.city, state,
                                 postal, land1, company, title, stcd1, erdat, aedat, strict=True)]
    return _Rendered(header, rows)


def _render_web(b: _Batch) -> _Rendered:
    first, _, last = _name_view(b)
    up, low = _case_rows(b)
    _apply_case([first, last], up, low)
    fi = b.pick(b.cfg.full_name_in_first, b.present(first) & b.present(last))
    for i in fi.tolist():
        first[i], last[i] = f"{first[i]} {last[i]}", ""
    b.tag(fi, "full_name_in_first")
    _whitespace(b, {"first_name": first, "last_name": last})
    b.blank(first, "first_name")
    b.blank(last, "last_name")
    email = _email_view(b)
    phone = _phone_view(b)
    a = _addr_view(b)
    zip_ = a.postal
    plus4 = b.pick(0.05, np.fromiter((c == "US" for c in a.country), dtype=bool, count=b.n))
    for i, u in zip(plus4.tolist(), b.rng.random(len(plus4)).tolist(), strict=True):
        zip_[i] = f"{zip_[i]}-{int(u * 10_000):04d}"
    b.blank(zip_, "postal_code")
    b.invalid(zip_, "postal_code", lambda s, u, _: ("ABCDE", "123", "00000", "9021", "n/a")[int(u * 5)])
    dob = _dob_view(b, _iso)
    signup = [s + "Z" for s in _iso_seconds(b.ts)]
    opt_in = (b.rng.random(b.n) < 0.4).tolist()
    style = b.rng.random(b.n).tolist()  # how a missing field shows up: absent, null or ""
    rows: list[list[Any]] = []
    for i in range(b.n):
        rec: dict[str, Any] = {"id": None}
        for key, val in (("first", first[i]), ("last", last[i]), ("email", email[i]), ("phone", phone[i]),
                         ("zip", zip_[i]), ("dob", dob[i])):
            if val:
                rec[key] = val
            elif style[i] > 0.85:
                rec[key] = None if style[i] > 0.95 else ""
        rec["signup_ts"] = signup[i]
        rec["opt_in"] = opt_in[i]
        rows.append([rec])
    return _Rendered(["id", "first", "last", "email", "phone", "zip", "dob", "signup_ts", "opt_in"], rows,
                     ids_numeric=True)


def _render_legacy(b: _Batch) -> _Rendered:
    has_native = np.fromiter((bool(x) for x in b.col(b.p.native_name)), dtype=bool, count=b.n)
    native = b.pick(LEGACY_NATIVE_NAME_P, has_native)
    native_mask = np.zeros(b.n, dtype=bool)
    native_mask[native] = True
    first, middle, last = _name_view(b, exclude=native_mask)
    fmt = b.choice((50, 50)).tolist()
    mi = b.rng.random(b.n).tolist()
    full = [
        f"{la}, {f}" if k == 0 else (f"{f} {m[0]} {la}" if m and u < 0.3 else f"{f} {la}")
        for f, m, la, k, u in zip(first, middle, last, fmt, mi, strict=True)
    ]
    for i in native.tolist():
        full[i] = b.p.native_name[b.pl[i]]
    b.tag(native, "native_script")
    a = _addr_view(b)
    state = a.state
    b.invalid(state, "state", lambda s, u, _: _BAD_STATES[int(u * len(_BAD_STATES))])
    lines = []
    cn_native = b.rng.random(b.n).tolist()
    for i, ad in enumerate(a.addr):
        if ad.country == "CN" and cn_native[i] < 0.8:
            lines.append(f"{ad.postal} {ad.native}" if cn_native[i] < 0.3 else ad.native)
            continue
        parts = [a.street[i]] + ([a.line2[i]] if a.line2[i] else []) + [a.city[i]]
        if ad.country in ("US", "CA"):
            lines.append(", ".join(parts) + f", {state[i]} {a.postal[i]}".replace(",  ", ", "))
        elif ad.country == "DE":
            lines.append(f"{a.street[i]}, {a.postal[i]} {a.city[i]}")
        else:
            lines.append(", ".join(parts) + f" {a.postal[i]}")
    up, low = _case_rows(b)
    _apply_case([full, lines], up, low)
    _whitespace(b, {"full_name": full, "street_address": lines})
    b.blank(full, "full_name")
    b.blank(lines, "street_address")
    dot = b.rng.random(b.n) < 0.6
    dot_l = dot.tolist()

    def legacy_date(y: int, m: int, d: int, row: int) -> str:
        return f"{d:02d}.{m:02d}.{y:04d}" if dot_l[row] else f"{d:02d}/{m:02d}/{y:04d}"

    dob = _dob_view(b, legacy_date)
    gender = _gender_view(b, ("M", "F", ""))
    cu = b.rng.random(b.n).tolist()
    country = []
    for c, u in zip(a.country, cu, strict=True):
        if c == "CN":
            country.append("中国" if u < 0.5 else "CHINA")
        elif c == "US":
            country.append("USA" if u < 0.8 else "U.S.A.")
        else:
            country.append(_COUNTRY_NAMES[c][1].upper())
    b.blank(country, "country")
    phone = _phone_view(b)
    email = _email_view(b)
    tax = _national_id_view(b, 0.0)
    upd = [legacy_date(int(s[:4]), int(s[5:7]), int(s[8:10]), i) for i, s in enumerate(_iso_seconds(b.ts))]
    header = ["CUST_NO", "CUST_NAME", "BIRTH_DT", "SEX", "ADDRESS", "COUNTRY", "TEL", "EMAIL", "TAX_ID",
              "UPD_DT"]
    rows = [list(r) for r in zip([""] * b.n, full, dob, gender, lines, country, phone, email, tax, upd, strict=True)]
    return _Rendered(header, rows)


_RENDER: Mapping[str, Callable[[_Batch], _Rendered]] = {
    "crm": _render_crm, "erp": _render_erp, "web": _render_web, "legacy": _render_legacy,
}


# =============================================================================== writing


def _source_ids(source: str, rng: np.random.Generator, n: int) -> list[str]:
    seq = np.cumsum(rng.integers(1, 4, n)).tolist()
    if source == "crm":
        return [f"C{100_000 + s:07d}" for s in seq]
    if source == "erp":
        return [f"{100_000 + s:010d}" for s in seq]
    if source == "web":
        return [str(100_000 + s) for s in seq]
    return [str(10_000 + s) for s in seq]


def _write_source(source: str, rng: np.random.Generator, b: _Batch, r: _Rendered, path: Path,
                  people: _People) -> list[tuple[str, ...]]:
    n = b.n
    perm = rng.permutation(n).tolist()
    ids = _source_ids(source, rng, n)
    unusable = [""] * n  # by output row
    k = 1 + n // UNUSABLE_EVERY if n >= 10 else 0
    bad = rng.choice(n, size=2 * k, replace=False).tolist() if k else []
    firma = r.header.index("FIRMA") if "FIRMA" in r.header else -1
    if source == RAGGED_SOURCE and n >= 10:
        # the ragged row: a company name whose unescaped delimiter really splits it
        splits = [j for j, i in enumerate(perm) if firma >= 0 and " " in r.rows[i][firma] and j not in bad]
        others = [j for j in range(n) if j not in bad]
        pool = splits or others
        bad.append(pool[int(rng.integers(0, len(pool)))])
    out_ids: list[Any] = list(ids)
    good = np.setdiff1d(np.arange(n), bad)
    for j in bad[:k]:
        out_ids[j] = ""
        unusable[j] = "missing_id"
    for j in bad[k:2 * k]:
        out_ids[j] = ids[int(good[int(rng.integers(0, len(good)))])]
        unusable[j] = "duplicate_id"
    ragged = bad[2 * k] if len(bad) > 2 * k else -1
    if ragged >= 0:
        unusable[ragged] = "ragged_row"

    if source == "web":
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per line
        with path.open("w", encoding="utf-8", newline="\n") as f:
            lines = []
            for j, i in enumerate(perm):
                rec = r.rows[i][0]
                rec["id"] = int(out_ids[j]) if out_ids[j] else None
                lines.append(encode(rec))
            f.write("\n".join(lines) + ("\n" if lines else ""))
    else:
        enc, delim = {"crm": ("utf-8", ","), "erp": ("utf-8-sig", ";"), "legacy": ("gb18030", "\t")}[source]
        with path.open("w", encoding=enc, newline="") as f:
            w = csv.writer(f, delimiter=delim, lineterminator="\r\n")
            w.writerow(r.header)
            rows = [r.rows[i] for i in perm]
            for j, row in enumerate(rows):
                row[0] = out_ids[j]
            tail_rows = []
            if ragged >= 0:
                tail_rows = rows[ragged + 1:]
                rows = rows[:ragged + 1]
            w.writerows(rows[:-1] if ragged >= 0 else rows)
            if ragged >= 0:  # an unescaped delimiter inside the company name
                row = list(rows[-1])
                c = row[firma] if firma >= 0 else ""
                if c and " " in c:
                    head, tail = c.rsplit(" ", 1)
                    row[firma:firma + 1] = [head, " " + tail]
                else:
                    row.append("")
                f.write(delim.join(str(x).replace("\n", " ").replace('"', "") for x in row) + "\r\n")
                w.writerows(tail_rows)
    ent, hid, tags, pl = people.entity_id, people.household_id, b.tags, b.pl
    return [
        (source, str(out_ids[j]), str(j + 1), ent[pl[i]], hid[pl[i]], ";".join(tags[i] or ()), unusable[j])
        for j, i in enumerate(perm)
    ]


def _traits(p: _People) -> list[str]:
    """Per entity: namesake, twin, moved, email_changed, name_changed, native_name."""
    flags = (
        ("namesake", p.namesake), ("twin", p.twin), ("moved", p.move_day >= 0),
        ("email_changed", p.email_change_day >= 0), ("name_changed", p.name_change_day >= 0),
        ("native_name", np.fromiter(map(bool, p.native_name), dtype=bool, count=p.n)),
    )
    out: list[list[str]] = [[] for _ in range(p.n)]
    for label, mask in flags:
        for i in np.flatnonzero(mask).tolist():
            out[i].append(label)
    return [";".join(x) for x in out]


def _write_entities(p: _People, path: Path) -> None:
    def days(a: np.ndarray) -> list[str]:
        out: list[str] = np.where(a >= 0, _iso_day(np.maximum(a, 0)), "").tolist()
        return out

    addr, prev, comp = p.addr, p.prev_addr, p.company
    cols: dict[str, list[Any]] = {
        "entity_id": p.entity_id, "household_id": p.household_id, "first_name": p.first,
        "middle_name": p.middle, "last_name": p.last, "native_name": p.native_name,
        "birth_date": _iso_day(p.dob).tolist(), "gender": ["MFX"[g] for g in p.gender.tolist()],
        "national_id": p.national_id, "email": p.email, "phone": [x.e164 for x in p.phone],
        "street_address": [a.line1 for a in addr], "address_line2": [a.line2 for a in addr],
        "city": [a.city for a in addr], "state": [a.state for a in addr],
        "postal_code": [a.postal for a in addr], "country": [a.country for a in addr],
        "company_name": [c.name if c else "" for c in comp], "job_title": p.job_title, "nickname": p.nick,
        "previous_last_name": p.prev_last, "last_name_changed_on": days(p.name_change_day),
        "previous_email": p.prev_email, "email_changed_on": days(p.email_change_day),
        "previous_street_address": [a.line1 if a else "" for a in prev],
        "previous_address_line2": [a.line2 if a else "" for a in prev],
        "previous_city": [a.city if a else "" for a in prev],
        "previous_state": [a.state if a else "" for a in prev],
        "previous_postal_code": [a.postal if a else "" for a in prev],
        "previous_phone": [x.e164 if x != y else "" for x, y in zip(p.prev_phone, p.phone, strict=True)],
        "moved_on": days(p.move_day), "traits": _traits(p),
    }
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(cols))
        w.writerows(zip(*cols.values(), strict=True))


# =============================================================================== entry points


def generate(out_dir: Path, n_records: int = 2000, seed: int = 42) -> GeneratedSet:
    """Write the four source files and the truth for ``n_records`` source records in total.

    Same ``seed`` and ``n_records`` -> byte-identical files.  ``n_records`` counts every
    data row of the four files (unusable rows included)."""
    if n_records < 1:
        raise ValueError(f"n_records must be >= 1, got {n_records}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ss = np.random.SeedSequence(seed)
    streams = [np.random.default_rng(s) for s in ss.spawn(3 + 2 * len(SOURCES))]
    sk = _skeleton(streams[0], n_records)
    plan = _plan(streams[1], sk, n_records)
    people = _people(streams[2], sk, plan.n_persons)
    truth: list[tuple[str, ...]] = []
    counts: dict[str, int] = {}
    for k, source in enumerate(SOURCES):
        sel = np.flatnonzero(plan.source == k)
        b = _Batch(source, streams[3 + 2 * k], people, plan.person[sel], plan.ts[sel], plan.dup[sel])
        rendered = _RENDER[source](b)
        path = out_dir / SOURCE_FILES[source]
        truth += _write_source(source, streams[4 + 2 * k], b, rendered, path, people)
        counts[source] = len(sel)
        del b, rendered
    with (out_dir / TRUTH_FILE).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source", "source_id", "row_number", "entity_id", "household_id", "noise", "unusable"])
        w.writerows(truth)
    _write_entities(people, out_dir / ENTITIES_FILE)
    return GeneratedSet(
        out_dir=out_dir, crm=out_dir / SOURCE_FILES["crm"], erp=out_dir / SOURCE_FILES["erp"],
        web=out_dir / SOURCE_FILES["web"], legacy=out_dir / SOURCE_FILES["legacy"],
        truth=out_dir / TRUTH_FILE, entities=out_dir / ENTITIES_FILE, n_records=n_records,
        n_entities=people.n, n_households=int(people.hh[-1]) + 1, records_per_source=counts, seed=seed,
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mdm.demo.generator",
                                 description="Generate multi-source customer demo data with known truth.")
    ap.add_argument("out_dir", type=Path, help="folder to write crm.csv, erp.csv, web.jsonl, legacy.csv, truth.csv")
    ap.add_argument("--records", type=int, default=2000, help="total source records (default 2000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = ap.parse_args(argv)
    if args.records < 1:
        ap.error("--records must be at least 1")
    t0 = time.perf_counter()
    gs = generate(args.out_dir, args.records, args.seed)
    dt = time.perf_counter() - t0
    per = ", ".join(f"{k} {v}" for k, v in gs.records_per_source.items())
    print(f"{gs.n_records} records ({per}) for {gs.n_entities} entities in {gs.n_households} households "
          f"-> {gs.out_dir} ({dt:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
