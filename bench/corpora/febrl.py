"""Corpora ``b`` and ``c``: heavily corrupted Australian-style records (mimesis en_AU).

The shape follows the FEBRL data sets (given name, surname, street, unit, suburb,
postcode, state, birth date as YYYYMMDD, a social-security style id, phone), but the
values come from mimesis and the corruption model from :mod:`bench.corpora.noise`.

* ``b`` (one-file dedupe): originals and 1-5 duplicates of some of them, each duplicate
  with 2-5 corrupted fields; identifiers and birth dates take 1-3 digit slips.
* ``c`` (two-file link): file A (CSV) and file B (JSON lines), each person at most once per
  file; the B copy carries 2-4 corrupted fields, the A copy at most one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from mimesis import Address, Locale, Person
from mimesis.enums import Gender

from bench.corpora.base import Corpus, Source
from bench.corpora.noise import Noise

STATES = {"nsw": "new south wales", "vic": "victoria", "qld": "queensland", "wa": "western australia",
          "sa": "south australia", "tas": "tasmania", "act": "australian capital territory",
          "nt": "northern territory"}
STATE_WEIGHTS = (32, 26, 20, 10, 7, 2, 2, 1)
SUFFIX_SHORT = {"street": "st", "road": "rd", "avenue": "ave", "drive": "dr", "court": "ct", "place": "pl",
                "crescent": "cres", "parade": "pde", "lane": "ln", "highway": "hwy", "terrace": "tce",
                "close": "cl", "circuit": "cct", "boulevard": "blvd", "grove": "gr", "way": "wy"}
SUFFIXES = tuple(SUFFIX_SHORT)
COLUMNS = {"first_name": "given_name", "last_name": "surname", "street_address": "address_1",
           "address_line2": "address_2", "city": "suburb", "postal_code": "postcode", "state": "state",
           "birth_date": "date_of_birth", "national_id": "soc_sec_id", "phone": "phone_number"}
FIELDS = tuple(COLUMNS.values())


def tfn(rng: random.Random) -> str:
    """A 9-digit id that passes the Australian tax file number check (weights 1 4 3 7 5 8 6 9 10)."""
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10)
    while True:
        head = [rng.randint(1 if i == 0 else 0, 9) for i in range(8)]
        last = sum(w * d for w, d in zip(weights, head, strict=False)) % 11  # 10*d = -s (mod 11) -> d = s
        if last < 10:
            return "".join(map(str, [*head, last]))


def phone(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return f"04{rng.randint(0, 99):02d} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"
    return f"0{rng.choice('2378')} {rng.randint(2000, 9999)} {rng.randint(0, 9999):04d}"


class _World:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.noise = Noise(self.rng)
        self.person = Person(Locale.EN_AU, seed=seed)
        self.address = Address(Locale.EN_AU, seed=seed + 1)
        self.lo, self.hi = dt.date(1925, 1, 1).toordinal(), dt.date(2007, 12, 31).toordinal()

    def original(self) -> dict[str, Any]:
        rng, p, a = self.rng, self.person, self.address
        gender = Gender.FEMALE if rng.random() < 0.5 else Gender.MALE
        unit = ""
        if rng.random() < 0.35:
            unit = f"{rng.choice(('unit', 'flat', 'apartment', 'level', 'suite'))} {rng.randint(1, 40)}"
        rec: dict[str, Any] = {
            "given_name": p.first_name(gender=gender).lower(), "surname": p.last_name().lower(),
            "address_1": f"{rng.randint(1, 400)} {a.street_name().lower()} {rng.choice(SUFFIXES)}",
            "address_2": unit or None, "suburb": a.city().lower(), "postcode": f"{rng.randint(800, 7999):04d}",
            "state": rng.choices(list(STATES), STATE_WEIGHTS)[0],
            "dob": dt.date.fromordinal(rng.randint(self.lo, self.hi)),
            "soc_sec_id": tfn(rng), "phone_number": phone(rng),
        }
        for f in ("address_2", "suburb", "postcode", "phone_number", "soc_sec_id"):  # originals are not complete
            if rng.random() < 0.04:
                rec[f] = None
        rec["date_of_birth"] = rec["dob"].strftime("%Y%m%d") if rng.random() > 0.03 else None
        return rec

    def corrupt(self, rec: dict[str, Any], k: int) -> dict[str, Any]:
        rng, noise = self.rng, self.noise
        out = dict(rec)
        fields = [*FIELDS, "swap_names"]
        ops: dict[str, Callable[[str], str | None]] = {
            "given_name": lambda v: noise.name(v),
            "surname": lambda v: noise.name(v, nickname=False),
            "address_1": self._street,
            "address_2": lambda v: noise.edit(v) if rng.random() < 0.5 else None,
            "suburb": lambda v: noise.typos(v, rng.choice((1, 1, 2))),
            "postcode": lambda v: noise.digit_edits(v, 1),
            "state": lambda v: STATES.get(v, v) if v in STATES else noise.edit(v),
            "soc_sec_id": lambda v: noise.digit_edits(v, rng.choice((1, 2, 3))),
            "phone_number": self._phone,
        }
        for f in noise.fields(fields, k):
            if f == "swap_names":
                out["given_name"], out["surname"] = out["surname"], out["given_name"]
            elif f == "date_of_birth":
                out[f] = None if rng.random() < 0.1 else noise.date_text(rec["dob"], "%Y%m%d", rng.choice((1, 2, 3)))
            elif out.get(f) is None:
                continue
            elif rng.random() < 0.12:
                out[f] = None
            else:
                out[f] = ops[f](out[f])
        return out

    def _street(self, v: str) -> str:
        rng, noise = self.rng, self.noise
        parts = v.split()
        r = rng.random()
        if r < 0.35 and parts[-1] in SUFFIX_SHORT:
            return " ".join([*parts[:-1], SUFFIX_SHORT[parts[-1]]])
        if r < 0.5:
            return noise.digit_edits(v, 1)
        return noise.typos(v, rng.choice((1, 1, 2)))

    def _phone(self, v: str) -> str:
        rng, noise = self.rng, self.noise
        r = rng.random()
        digits = v.replace(" ", "")
        if r < 0.3:
            return "+61 " + digits[1:]
        if r < 0.5:
            return digits
        return noise.digit_edits(v, 1)


def _row(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: rec.get(k) for k in FIELDS}


def _truth(corpus: Corpus, ent: str, rec: dict[str, Any]) -> None:
    """The original's values are the entity's (phone and street compared as published are left out:
    the original's own spelling, "04xx xxx xxx", "12 smith st", is not the form a hub publishes)."""
    corpus.truth(ent, first_name=rec["given_name"], last_name=rec["surname"], birth_date=rec["dob"].isoformat(),
                 national_id=rec["soc_sec_id"], city=rec["suburb"], postal_code=rec["postcode"], state=rec["state"])


def dedupe(n_records: int, seed: int) -> Corpus:
    """Corpus ``b``: one file, originals plus 1-5 heavily corrupted duplicates."""
    w = _World(seed)
    src = Source("febrl", "records.csv", 70, "rec_id", dict(COLUMNS),
                 description="one-file customer list - CSV, YYYYMMDD dates, tax-file style ids",
                 date_formats=["%Y%m%d"], default_region="AU")
    corpus = Corpus("b", "heavy corruption one-file dedupe", seed, [src])
    e = 0
    while len(src.rows) < n_records:
        e += 1
        ent = f"B{e:06d}"
        rec = w.original()
        _truth(corpus, ent, rec)
        src.add(_row(rec), ent, f"H{ent}")
        if w.rng.random() < 0.5:
            for _ in range(w.rng.choices((1, 2, 3, 4, 5), (40, 25, 15, 12, 8))[0]):
                if len(src.rows) >= n_records:
                    break
                src.add(_row(w.corrupt(rec, w.rng.choice((2, 3, 3, 4, 5)))), ent, f"H{ent}")
    corpus.entities = e
    corpus.finish(w.rng, {"febrl": "rec-"})
    return corpus


def link(n_records: int, seed: int) -> Corpus:
    """Corpus ``c``: files A and B, each person at most once per file."""
    w = _World(seed)
    a = Source("file_a", "file_a.csv", 70, "rec_id", dict(COLUMNS),
               description="file A - CSV, YYYYMMDD dates", date_formats=["%Y%m%d"], default_region="AU")
    b = Source("file_b", "file_b.jsonl", 60, "rec_id", dict(COLUMNS),
               description="file B - JSON lines, YYYYMMDD dates", date_formats=["%Y%m%d"], default_region="AU")
    corpus = Corpus("c", "two-file link, heavy corruption", seed, [a, b])
    e = 0
    while corpus.records < n_records:
        e += 1
        ent = f"C{e:06d}"
        rec = w.original()
        _truth(corpus, ent, rec)
        r = w.rng.random()
        in_a, in_b = r < 0.8, r >= 0.25
        if in_a:
            a.add(_row(w.corrupt(rec, 1) if w.rng.random() < 0.3 else rec), ent, f"H{ent}")
        if in_b and corpus.records < n_records:
            b.add(_row(w.corrupt(rec, w.rng.choice((2, 3, 3, 4)))), ent, f"H{ent}")
    corpus.entities = e
    corpus.finish(w.rng, {"file_a": "a-", "file_b": "b-"})
    return corpus
