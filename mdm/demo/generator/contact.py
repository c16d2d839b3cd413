"""Where and how people are reached: addresses, moves, phones, ids, e-mail, employers."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from mdm.demo.data import business, names, places
from mdm.demo.generator.knobs import LINE2_P, MOVER_P, WORK_EMAIL_P
from mdm.demo.generator.text import _COUNTRIES, _EPOCH, REF_DAY, _day, _norm, _slug, _ymd, _zipf
from mdm.demo.generator.world import _Addr, _Company, _Phone

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


