"""Field views: how a source writes dates, e-mail, phones, addresses, companies and ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mdm.demo.data import business, places
from mdm.demo.generator.batch import _Batch
from mdm.demo.generator.knobs import REFERENCE_DATE
from mdm.demo.generator.text import _digit_typo, _join_form, _typo, _ymd
from mdm.demo.generator.world import _Addr, _Phone

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


