"""Writing the sources' files, truth.csv and truth_entities.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from mdm.demo.generator.batch import _Batch
from mdm.demo.generator.knobs import RAGGED_SOURCE, UNUSABLE_EVERY
from mdm.demo.generator.sources import _Rendered
from mdm.demo.generator.text import _iso_day
from mdm.demo.generator.world import _People

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


