"""The four sources (CRM, ERP, web sign-ups, legacy export), each rendering a batch its way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from mdm.demo.data import places
from mdm.demo.generator.batch import _apply_case, _Batch, _case_rows, _name_view, _whitespace
from mdm.demo.generator.knobs import LEGACY_NATIVE_NAME_P, SOURCE_PERIOD
from mdm.demo.generator.text import _DAY, _day, _iso_seconds
from mdm.demo.generator.views import (
    _BAD_STATES,
    _COUNTRY_NAMES,
    _addr_view,
    _company_view,
    _dob_view,
    _email_view,
    _gender_view,
    _iso,
    _national_id_view,
    _phone_view,
    _us_date,
)

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


