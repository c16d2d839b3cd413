"""Corpus ``d``: three US agencies' records of one population, with households (Faker en_US).

A household shares surname, street address and landline; its members have their own
given names and birth dates (twins excepted: none). Agencies:

* ``dmv``: CSV, split names with middle name, MM/DD/YYYY dates, SSN with dashes, phone
  "(555) 123-4567";
* ``clinic``: JSON lines, self-reported: nicknames, e-mail, ISO dates, phone "555.123.4567";
* ``tax``: ;-separated, full name "LAST, FIRST M", YYYYMMDD dates, bare SSN, ZIP+4.

About one person in eight moved: one agency still has their old address and phone. Every
record may carry typos, missing values and case noise; some dates have day/month swapped.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from faker import Faker

from bench.corpora.base import Corpus, Source
from bench.corpora.noise import Noise


def _phone(rng: random.Random) -> str:
    return f"{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"


def _fmt_phone(digits: str, style: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return {"paren": f"({a}) {b}-{c}", "dot": f"{a}.{b}.{c}", "dash": f"{a}-{b}-{c}", "plain": digits,
            "intl": f"+1 {a} {b} {c}"}[style]


def _home(f: Faker, rng: random.Random) -> dict[str, Any]:
    return {"street": f.street_address(), "city": f.city(), "state": f.state_abbr(include_territories=False),
            "zip": f.postcode(), "landline": _phone(rng)}


def generate(n_records: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    noise = Noise(rng)
    f = Faker("en_US")
    f.seed_instance(seed)
    dmv = Source("dmv", "dmv.csv", 85, "license_no",
                 {"first_name": "first_name", "middle_name": "middle_name", "last_name": "last_name",
                  "birth_date": "dob", "national_id": "ssn", "street_address": "street", "city": "city",
                  "state": "state", "postal_code": "zip", "phone": "phone"},
                 description="motor vehicles - CSV, US dates, SSN", date_formats=["%m/%d/%Y"], default_region="US")
    clinic = Source("clinic", "clinic.jsonl", 60, "patient_id",
                    {"first_name": "given", "last_name": "family", "birth_date": "birthDate", "email": "email",
                     "phone": "telecom", "street_address": "line", "city": "city", "state": "state",
                     "postal_code": "postalCode"},
                    description="clinic patients - JSON lines, self-reported, ISO dates",
                    date_formats=["%Y-%m-%d"], default_region="US")
    tax = Source("tax", "tax.csv", 75, "tin_ref",
                 {"full_name": "taxpayer_name", "birth_date": "birth_dt", "national_id": "tin",
                  "street_address": "addr1", "city": "city", "state": "st", "postal_code": "zip"},
                 description="tax records - semicolon CSV, LAST, FIRST M names, YYYYMMDD dates",
                 date_formats=["%Y%m%d"], delimiter=";", default_region="US")
    corpus = Corpus("d", "US multi-source with households", seed, [dmv, clinic, tax])
    today = dt.date(2025, 6, 30)
    e = h = 0
    while corpus.records < n_records:
        h += 1
        hid = f"HD{h:06d}"
        home = _home(f, rng)
        surname = f.last_name()
        size = rng.choices((1, 2, 3, 4, 5), (55, 22, 12, 8, 3))[0]
        adult_year = rng.randint(1940, 1995)
        used: set[str] = set()
        for m in range(size):
            e += 1
            ent = f"D{e:06d}"
            female = rng.random() < 0.5
            first = f.first_name_female() if female else f.first_name_male()
            while first in used:
                first = f.first_name_female() if female else f.first_name_male()
            used.add(first)
            year = adult_year + rng.randint(-4, 4) if m < 2 else min(adult_year + rng.randint(20, 38), 2020)
            dob = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            person = {"first": first, "middle": (f.first_name_female() if female else f.first_name_male())
                      if rng.random() < 0.6 else None, "last": surname, "dob": dob, "ssn": f.ssn(),
                      "mobile": _phone(rng) if dob.year < 2010 and rng.random() < 0.7 else None,
                      "email": None, "home": home}
            person["email"] = (f"{first.lower()}.{surname.lower()}{rng.randint(1, 99)}@{f.free_email_domain()}"
                               if rng.random() < 0.8 else None)
            corpus.truth(ent, first_name=first, middle_name=person["middle"], last_name=surname,
                         birth_date=dob.isoformat(), national_id=person["ssn"], email=person["email"],
                         city=home["city"], state=home["state"], postal_code=home["zip"])
            moved_in = rng.choice(("dmv", "clinic", "tax")) if rng.random() < 0.13 else None
            old = _home(f, rng)
            for src, p_in in ((dmv, 0.8 if dob < today.replace(year=today.year - 16) else 0.0), (clinic, 0.6),
                              (tax, 0.7 if m < 2 else 0.25)):
                n = (1 if rng.random() < p_in else 0) + (1 if rng.random() < 0.04 else 0)
                for _ in range(n):
                    if corpus.records >= n_records:
                        break
                    where = old if src.name == moved_in else home
                    src.add(_render(src.name, person, where, rng, noise), ent, hid)
        if corpus.records >= n_records:
            break
    corpus.entities = e
    corpus.households = h
    corpus.finish(rng, {"dmv": "D", "clinic": "P-", "tax": "T"})
    return corpus


def _render(name: str, p: dict[str, Any], home: dict[str, Any], rng: random.Random, noise: Noise) -> dict[str, Any]:
    first, middle, last = p["first"], p["middle"], p["last"]
    street, city, state, zipc = home["street"], home["city"], home["state"], home["zip"]
    phone = p["mobile"] if p["mobile"] and rng.random() < 0.6 else home["landline"]
    ssn = p["ssn"]
    fmt = {"dmv": "%m/%d/%Y", "clinic": "%Y-%m-%d", "tax": "%Y%m%d"}[name]
    dob: str | None = p["dob"].strftime(fmt)
    email = p["email"]
    if name == "clinic" and rng.random() < 0.35:
        first = noise.nickname(first)
    for field in noise.fields(("first", "last", "dob", "ssn", "street", "city", "zip", "phone", "email", "missing"),
                              rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0]):
        if field == "first":
            first = noise.name(first)
        elif field == "last":
            last = noise.name(last, nickname=False)
        elif field == "dob":
            dob = noise.date_text(p["dob"], fmt, rng.choice((1, 1, 2)))
        elif field == "ssn" and ssn:
            ssn = noise.digit_edits(ssn, rng.choice((1, 1, 2)))
        elif field == "street" and street:
            street = noise.typos(street, 1) if rng.random() < 0.7 else street.upper()
        elif field == "city":
            city = noise.edit(city)
        elif field == "zip" and zipc:
            zipc = noise.digit_edits(zipc, 1)
        elif field == "phone" and phone:
            phone = noise.digit_edits(phone, 1)
        elif field == "email" and email:
            user, _, dom = email.partition("@")
            email = noise.edit(user) + "@" + dom
        elif field == "missing":
            which = rng.choice(("dob", "ssn", "phone", "street", "email"))
            dob = None if which == "dob" else dob
            ssn = None if which == "ssn" else ssn
            phone = None if which == "phone" else phone
            street = None if which == "street" else street
            email = None if which == "email" else email
    if name == "dmv":
        return {"first_name": first, "middle_name": middle, "last_name": last, "dob": dob, "ssn": ssn,
                "street": street, "city": city, "state": state, "zip": zipc,
                "phone": _fmt_phone(phone, "paren") if phone else None}
    if name == "clinic":
        return {"given": first if rng.random() < 0.8 else noise.case(first), "family": last, "birthDate": dob,
                "email": email, "telecom": _fmt_phone(phone, rng.choice(("dot", "dash", "plain", "intl")))
                if phone else None, "line": street, "city": city, "state": state, "postalCode": zipc}
    mid = f" {middle[0]}" if middle and rng.random() < 0.7 else ""
    full = f"{last.upper()}, {first.upper()}{mid.upper()}" if rng.random() < 0.85 else f"{first} {last}"
    return {"taxpayer_name": full, "birth_dt": dob, "tin": ssn.replace("-", "") if ssn else None,
            "addr1": street.upper() if street else None, "city": city.upper(), "st": state,
            "zip": f"{zipc}-{rng.randint(0, 9999):04d}" if rng.random() < 0.4 else zipc}
