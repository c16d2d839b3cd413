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

The package: :mod:`.knobs` (rates, the result type), :mod:`.text` (small helpers),
:mod:`.world` and :mod:`.contact` (households, names, addresses, phones, ids, e-mail,
employers), :mod:`.people` (the true persons), :mod:`.batch` and :mod:`.views` (how a source
writes each field), :mod:`.sources` (the four sources), :mod:`.writer` (the files).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mdm.demo.generator.batch import _Batch
from mdm.demo.generator.knobs import (  # re-exported: callers read them here
    ENTITIES_FILE,
    NOISE,
    REFERENCE_DATE,
    SOURCE_FILES,
    SOURCES,
    TRUST,
    TRUTH_FILE,
    GeneratedSet,
)
from mdm.demo.generator.people import _people
from mdm.demo.generator.sources import _RENDER
from mdm.demo.generator.world import _plan, _skeleton
from mdm.demo.generator.writer import _write_entities, _write_source

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



__all__ = ["ENTITIES_FILE", "NOISE", "REFERENCE_DATE", "SOURCES", "SOURCE_FILES", "TRUST", "TRUTH_FILE",
           "GeneratedSet", "generate", "main"]
