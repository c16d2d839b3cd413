"""The world model: households, the plan of records, the people's names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from mdm.demo.data import names
from mdm.demo.generator.knobs import (
    CANTONESE_SPELLING_P,
    CHINESE_GIVEN_NAME_P,
    CHINESE_IN_CN_P,
    COMPANY_P,
    COMPANY_P_RETIRED,
    DOUBLE_SURNAME_P,
    ERP_COMPANY_BOOST,
    FOREIGN_P,
    HOUSEHOLD_OTHERS_P,
    HOUSEHOLD_SHARE,
    LEGACY_CHINESE_BOOST,
    MIDDLE_NAME_P,
    NAMESAKE_P,
    NOISE,
    NON_BINARY_P,
    ORIGIN_P,
    SOURCE_PERIOD,
    SOURCE_WEIGHT,
    SOURCES,
    SOURCES_PER_ENTITY_P,
    SPOUSE_P,
    SURNAME_CHANGE_P,
    TWINS_P,
)
from mdm.demo.generator.text import _DAY, _ORIGINS, _YEAR, REF_DAY, _day, _join_form, _norm, _slug, _zipf

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


