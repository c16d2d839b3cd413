"""Corpus ``f``: Spanish customers with Spanish addresses, phones and DNIs (mimesis es).

People carry two surnames ("García López"), DNI numbers with their control letter, birth
dates, Spanish street lines ("Calle del Bierzo, 59, 3º B"), 5-digit postcodes whose first
two digits are the province, mobiles 6xx / 7xx and landlines 9xx. A household shares the
surnames, the address and the landline. Sources:

* ``clientes``: ;-separated CSV, dates DD/MM/YYYY, phones "612 345 678";
* ``tienda``: web shop, JSON lines, ISO dates, "+34 612345678", often only the first
  surname, e-mail;
* ``seguros``: CSV, holder as "APELLIDO1 APELLIDO2, NOMBRE", DNI as "12.345.678-Z",
  dates DD-MM-YYYY.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from mimesis import Address, Locale, Person
from mimesis.enums import Gender

from bench.corpora.base import Corpus, Source
from bench.corpora.noise import Noise, fold_accents

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni(number: int) -> str:
    return f"{number:08d}{DNI_LETTERS[number % 23]}"


def _mobile(rng: random.Random) -> str:
    return f"{rng.choice('67')}{rng.randint(0, 99_999_999):08d}"


def _spaced(num: str) -> str:
    return f"{num[:3]} {num[3:6]} {num[6:]}"


def generate(n_records: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    noise = Noise(rng)
    person = Person(Locale.ES, seed=seed)
    addr = Address(Locale.ES, seed=seed + 1)
    clientes = Source("clientes", "clientes.csv", 85, "id_cliente",
                      {"first_name": "nombre", "last_name": "apellidos", "national_id": "dni",
                       "birth_date": "fecha_nacimiento", "phone": "telefono", "street_address": "direccion",
                       "postal_code": "cp", "city": "municipio", "state": "provincia", "email": "email"},
                      description="clientes - semicolon CSV, DD/MM/YYYY dates", date_formats=["%d/%m/%Y"],
                      delimiter=";", default_region="ES")
    tienda = Source("tienda", "tienda.jsonl", 55, "id",
                    {"first_name": "nombre", "last_name": "apellidos", "email": "email", "phone": "movil",
                     "postal_code": "cp", "birth_date": "fecha_nac"},
                    description="tienda online - JSON lines, ISO dates, self-entered", date_formats=["%Y-%m-%d"],
                    default_region="ES")
    seguros = Source("seguros", "seguros.csv", 75, "poliza",
                     {"full_name": "titular", "national_id": "nif", "birth_date": "f_nac",
                      "street_address": "domicilio", "postal_code": "cp", "city": "poblacion", "phone": "telefono"},
                     description="pólizas - CSV, APELLIDOS, NOMBRE, DD-MM-YYYY dates", date_formats=["%d-%m-%Y"],
                     default_region="ES")
    corpus = Corpus("f", "Spanish customers (es_ES addresses, phones, DNI)", seed, [clientes, tienda, seguros])
    e = h = 0
    while corpus.records < n_records:
        h += 1
        hid = f"HF{h:06d}"
        surnames = f"{person.last_name()} {person.last_name()}"
        prov = rng.randint(1, 52)
        home = {"street": f"{addr.street_name()}, {rng.randint(1, 250)}"
                          + (f", {rng.randint(1, 9)}º {rng.choice('ABCDI')}" if rng.random() < 0.6 else ""),
                "cp": f"{prov:02d}{rng.randint(0, 999):03d}", "city": addr.city().replace(" spain", ""),
                "state": addr.state(), "landline": f"9{rng.randint(10, 99)}{rng.randint(0, 999_999):06d}"}
        size = rng.choices((1, 2, 3, 4), (55, 25, 13, 7))[0]
        year0 = rng.randint(1945, 1995)
        used: set[str] = set()
        for m in range(size):
            e += 1
            ent = f"F{e:06d}"
            gender = Gender.FEMALE if rng.random() < 0.5 else Gender.MALE
            first = person.first_name(gender=gender)
            while first in used:
                first = person.first_name(gender=gender)
            used.add(first)
            year = year0 + rng.randint(-3, 3) if m < 2 else min(year0 + rng.randint(22, 35), 2015)
            p = {"first": first, "last": surnames, "born": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                 "dni": dni(rng.randint(1_000_000, 79_999_999)), "mobile": _mobile(rng) if rng.random() < 0.85
                 else None, "email": person.email(), "home": home}
            corpus.truth(ent, first_name=first, last_name=surnames, birth_date=p["born"].isoformat(),
                         national_id=p["dni"], email=p["email"], postal_code=home["cp"], city=home["city"])
            for src, p_in in ((clientes, 0.7), (tienda, 0.55), (seguros, 0.6)):
                n = (1 if rng.random() < p_in else 0) + (1 if rng.random() < 0.05 else 0)
                for _ in range(n):
                    if corpus.records >= n_records:
                        break
                    src.add(_render(src.name, p, rng, noise), ent, hid)
    corpus.entities = e
    corpus.households = h
    corpus.finish(rng, {"clientes": "CL", "tienda": "", "seguros": "POL-"})
    return corpus


def _render(src: str, p: dict[str, Any], rng: random.Random, noise: Noise) -> dict[str, Any]:
    home = p["home"]
    first, last, born = p["first"], p["last"], p["born"]
    fmt = {"clientes": "%d/%m/%Y", "tienda": "%Y-%m-%d", "seguros": "%d-%m-%Y"}[src]
    dob: str | None = born.strftime(fmt)
    nid: str | None = p["dni"]
    phone: str | None = p["mobile"] if p["mobile"] and (src == "tienda" or rng.random() < 0.6) else home["landline"]
    street: str | None = home["street"]
    cp: str | None = home["cp"]
    email: str | None = p["email"]
    if src == "tienda" and rng.random() < 0.3:
        last = last.split()[0]
    if src == "tienda" and rng.random() < 0.25:
        first = noise.nickname(first.split()[0])
    for field in noise.fields(("first", "last", "dob", "id", "phone", "street", "cp", "missing"),
                              rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0]):
        if field == "first":
            first = noise.name(first)
        elif field == "last":
            last = noise.name(last, nickname=False) if rng.random() < 0.7 else fold_accents(last)
        elif field == "dob":
            dob = noise.date_text(born, fmt, rng.choice((1, 1, 2)))
        elif field == "id" and nid:
            nid = noise.digit_edits(nid, rng.choice((1, 1, 2)))
        elif field == "phone" and phone:
            phone = noise.digit_edits(phone, 1)
        elif field == "street" and street:
            street = (street.replace("Calle ", "C/ ", 1) if street.startswith("Calle ") and rng.random() < 0.5
                      else noise.edit(street))
        elif field == "cp" and cp:
            cp = noise.digit_edits(cp, 1)
        elif field == "missing":
            which = rng.choice(("dob", "id", "phone", "street", "email"))
            dob = None if which == "dob" else dob
            nid = None if which == "id" else nid
            phone = None if which == "phone" else phone
            street = None if which == "street" else street
            email = None if which == "email" else email
    if src == "clientes":
        return {"nombre": first, "apellidos": last, "dni": nid, "fecha_nacimiento": dob,
                "telefono": _spaced(phone) if phone else None, "direccion": street, "cp": cp,
                "municipio": home["city"], "provincia": home["state"], "email": email}
    if src == "tienda":
        return {"nombre": first if rng.random() < 0.8 else noise.case(first), "apellidos": last, "email": email,
                "movil": f"+34 {phone}" if phone and rng.random() < 0.5 else phone, "cp": cp, "fecha_nac": dob}
    if nid and rng.random() < 0.5 and len(nid) == 9:
        nid = f"{nid[:2]}.{nid[2:5]}.{nid[5:8]}-{nid[8]}"
    return {"titular": f"{last.upper()}, {first.upper()}", "nif": nid, "f_nac": dob,
            "domicilio": street.upper() if street else None, "cp": cp, "poblacion": home["city"].upper(),
            "telefono": phone}
