"""Corpus ``a``: a European register with names and birth dates only (Faker).

People from de_DE, fr_FR, it_IT, nl_NL and pl_PL: one or two given names, a surname, a
birth date; nothing else. Two sources: a civil ``register`` (CSV, day-first dotted dates,
both given names) and a ``parish`` list (;-separated, ISO dates, often only the first given
name, surnames sometimes folded to ASCII by an old system). Duplicates within and across
the two; common surnames and given names make many distinct people look alike.
"""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker

from bench.corpora.base import Corpus, Source
from bench.corpora.noise import Noise, fold_accents, transliterate

LOCALES = ("de_DE", "fr_FR", "it_IT", "nl_NL", "pl_PL")


def generate(n_records: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    noise = Noise(rng)
    fakers = {loc: Faker(loc) for loc in LOCALES}
    for i, f in enumerate(fakers.values()):
        f.seed_instance(seed * 31 + i)
    register = Source("register", "register.csv", 80, "reg_no",
                      {"first_name": "given_names", "last_name": "surname", "birth_date": "date_of_birth"},
                      description="civil register extract - UTF-8 CSV, day-first dotted dates",
                      date_formats=["%d.%m.%Y"], default_region="DE")
    parish = Source("parish", "parish.csv", 60, "entry",
                    {"first_name": "prenom", "last_name": "nom", "birth_date": "ne_le"},
                    description="parish list - semicolon CSV, ISO dates, short given names",
                    date_formats=["%Y-%m-%d"], delimiter=";", default_region="FR")
    corpus = Corpus("a", "names + birth date only, European register", seed, [register, parish])
    lo, hi = dt.date(1930, 1, 1).toordinal(), dt.date(2006, 12, 31).toordinal()
    e = 0
    while corpus.records < n_records:
        e += 1
        ent = f"A{e:06d}"
        loc = rng.choice(LOCALES)
        f = fakers[loc]
        female = rng.random() < 0.5
        given = [f.first_name_female() if female else f.first_name_male()]
        if rng.random() < 0.3:
            second = f.first_name_female() if female else f.first_name_male()
            if second != given[0]:
                given.append(second)
        surname = f.last_name()
        dob = dt.date.fromordinal(rng.randint(lo, hi))
        corpus.truth(ent, first_name=" ".join(given), last_name=surname, birth_date=dob.isoformat())
        copies = {"register": 0, "parish": 0}
        if rng.random() < 0.75:
            copies["register"] = 1 + (rng.random() < 0.12)
        if rng.random() < 0.6 or not copies["register"]:
            copies["parish"] = 1 + (rng.random() < 0.1)
        for src in (register, parish):
            for _ in range(copies[src.name]):
                if corpus.records >= n_records:
                    break
                first = " ".join(given) if src is register or rng.random() < 0.3 else given[0]
                last = surname
                if src is parish and rng.random() < 0.25:
                    last = transliterate(last) if rng.random() < 0.5 else fold_accents(last)
                fmt = src.date_formats[0] if src.date_formats else "%Y-%m-%d"
                born: str | None = dob.strftime(fmt)
                k = rng.choices((0, 1, 2), (5, 4, 1))[0]
                for field in noise.fields(("first", "last", "dob", "dob", "swap"), k):
                    if field == "first":
                        first = noise.name(first)
                    elif field == "last":
                        last = noise.name(last, nickname=False)
                    elif field == "dob":
                        born = noise.date_text(dob, fmt, 1 if rng.random() < 0.9 else 2) if rng.random() < 0.9 else None
                    elif rng.random() < 0.3:
                        first, last = last, first
                src.add({src.columns["first_name"]: first, src.columns["last_name"]: last,
                         src.columns["birth_date"]: born}, ent, f"H{ent}")
    corpus.entities = e
    corpus.finish(rng, {"register": "R", "parish": ""})
    return corpus
