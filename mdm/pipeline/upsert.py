"""One record into the hub between runs (``POST /api/v1/records``), in the order a run takes.

Standardise it (the matcher's single-record standardiser, as the batch stage would), check
it as a batch row is checked (the dictionary's validation and the standardisers' findings
become ``record_flag`` rows; a flagged value is left out of matching and survivorship),
match it against the hub, write the record, its standardised row and its blocking keys,
place it in a cluster (the best candidate's at or above ``auto_match``, its own with a
review task in the review band, its own otherwise; an existing record keeps its cluster),
and rebuild its golden record. Everything runs inside the caller's write transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from mdm.config import Dictionary, SourceMapping
from mdm.dates import encodable, plausible_timestamp
from mdm.errors import InputError
from mdm.ingest.validate import updated_at_range_message, validate_frame
from mdm.match.realtime import Matcher, add_match_keys, decide
from mdm.pipeline.scoped import Rebuild
from mdm.survivorship import build_golden


@dataclass(frozen=True)
class Upserted:
    """What an upsert did: ``action`` is created, attached, review or updated."""

    unique_id: str
    action: str
    golden_id: str | None
    candidate: str | None  # the golden record it joined or is reviewed against
    events: int
    candidates: list[dict[str, Any]]


def upsert_record(cur: duckdb.DuckDBPyConnection, matcher: Matcher, rebuild: Rebuild, mapping: SourceMapping,
                  match_rules: Path | None, source: str, source_id: str, record: dict[str, Any],
                  updated_at: dt.datetime | None, *, actor: str) -> Upserted:
    """Carry one record (attribute -> raw value) through the stages; see the module docstring."""
    uid = f"{source}:{source_id}"
    exists = cur.execute("SELECT 1 FROM record WHERE source = ? AND source_id = ?",
                         [source, source_id]).fetchone() is not None
    std = matcher.standardise(record, source)
    stamp = plausible_timestamp(updated_at)
    flags = record_flags(rebuild.dictionary, mapping, record, std, updated_at, stamp)
    for attr in {f["attribute"] for f in flags if f["validation"]}:
        std[attr] = None  # as batch: a value validation flagged is not matched or survived
    result = matcher.match(cur, std, source=source, source_id=source_id, limit=5, standardised=True, raw=record)
    write_record(cur, source, source_id, record, std, stamp, mapping.fingerprint, flags)
    add_match_keys(cur, [uid], match_rules, compiled=matcher.compiled)
    matcher.add_records(cur, [uid])
    target: str | None = None
    if exists:
        action = "updated"
    else:
        decision = decide(result, matcher.thresholds)
        action = {"attach": "attached", "review": "review", "create": "created"}[decision.action]
        best = decision.candidate
        cluster = uid
        if decision.action == "attach" and best is not None:
            row = cur.execute("SELECT cluster_id FROM cluster_member WHERE unique_id = ?",
                              [best.best_unique_id]).fetchone()
            cluster = str(row[0]) if row else uid
        cur.execute("INSERT INTO cluster_member VALUES (?, ?, 0)", [uid, cluster])
        if best is not None and decision.action in ("attach", "review"):
            band = "match" if decision.action == "attach" else "review"
            cur.execute("INSERT INTO match_pair VALUES (0, ?, ?, ?, ?, ?, ?)",
                        [uid, best.best_unique_id, best.match_weight, best.match_probability, band,
                         json.dumps(best.explanation)])
        if decision.action == "review" and best is not None:
            cur.execute("""INSERT INTO review_task (task_id, status, created_at, run_id, unique_id_l,
                               unique_id_r, match_probability, match_weight, explanation, version)
                           VALUES (nextval('task_id_seq'), 'open', now(), NULL, ?, ?, ?, ?, ?, 1)""",
                        [uid, best.best_unique_id, best.match_probability, best.match_weight,
                         json.dumps(best.explanation)])
        target = best.golden_id if best is not None else None
    counts = build_golden(cur, rebuild.dictionary, rebuild.rules, rebuild.trust, actor=actor, scope=[uid])
    row = cur.execute("SELECT golden_id FROM xref WHERE source = ? AND source_id = ? AND valid_to IS NULL",
                      [source, source_id]).fetchone()
    return Upserted(unique_id=uid, action=action, golden_id=str(row[0]) if row else None, candidate=target,
                    events=int(counts.get("events", 0)), candidates=result.to_dict()["candidates"])


def record_flags(dictionary: Dictionary, mapping: SourceMapping, record: dict[str, Any], std: dict[str, Any],
          updated_at: dt.datetime | None, stamp: dt.datetime | None) -> list[dict[str, Any]]:
    """The findings batch would record for this record: validation (raises InputError for a rule
    of severity reject), the standardisers' own, and an implausible ``updated_at``."""
    attrs = [a for a in dictionary.names if record.get(a) is not None]
    row: dict[str, Any] = {"_row": 0, "updated_at": None if stamp is None else stamp.isoformat()}
    row.update({a: encodable(str(record[a])) for a in attrs})
    checked = mapping.model_copy(update={"columns": {a: a for a in attrs},
                                         "updated_at_column": "updated_at" if stamp is not None else None})
    found = validate_frame(pd.DataFrame([row], dtype=object), dictionary, checked)
    rejected = found[found["severity"] == "reject"]
    if len(rejected):
        raise InputError("the record is refused as batch would quarantine it: " + "; ".join(
            f"{a}: {m}" for a, m in zip(rejected["attribute"], rejected["message"], strict=True)),
            code="record.rejected")
    flags = [{"attribute": str(f.attribute), "code": str(f.code), "message": str(f.message),
              "value": None if f.value is None else str(f.value), "validation": True}
             for f in found.itertuples(index=False)]
    for a in attrs:
        if std.get(f"{a}__valid") is False and std.get(f"{a}__reason"):
            flags.append({"attribute": a, "code": str(std[f"{a}__reason"]), "message": "could not be standardised",
                          "value": str(record[a]), "validation": False})
    if updated_at is not None and stamp is None:
        flags.append({"attribute": "updated_at", "code": "updated_at.range", "message": updated_at_range_message(),
                      "value": updated_at.isoformat(), "validation": False})
    return flags


def write_record(cur: duckdb.DuckDBPyConnection, source: str, source_id: str, record: dict[str, Any],
           std: dict[str, Any], updated_at: dt.datetime | None, fingerprint: str,
           flags: list[dict[str, Any]]) -> None:
    """The record (raw values as sent), its standardised row and its flags, replacing an earlier version."""
    raw = {a: (None if v is None else str(v)) for a, v in record.items()}
    digest = hashlib.sha256(json.dumps([source, source_id, raw], sort_keys=True).encode()).hexdigest()
    row = cur.execute("SELECT nextval('batch_id_seq')").fetchone()
    batch = int(row[0]) if row else 0
    now = dt.datetime.now()
    cur.execute("""INSERT INTO batch VALUES (?, ?, 'api', ?, 'api', 'utf-8', NULL, 1, 1, 0, 0, ?, ?, 'loaded',
                   'POST /api/v1/records', ?)""", [batch, source, digest, now, now, fingerprint])
    cur.execute("DELETE FROM record WHERE source = ? AND source_id = ?", [source, source_id])
    cur.execute("DELETE FROM record_std WHERE source = ? AND source_id = ?", [source, source_id])
    cur.execute("DELETE FROM record_flag WHERE source = ? AND source_id = ?", [source, source_id])
    if flags:
        cur.executemany("INSERT INTO record_flag VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [[source, source_id, batch, f["attribute"], f["code"], f["message"], f["value"]]
                         for f in flags])
    cols = list(raw)
    names = "".join(f', "{c}"' for c in cols)
    marks = "".join(", ?" for _ in cols)
    cur.execute(f"INSERT INTO record (source, source_id, batch_id, row_number, updated_at, ingested_at{names}) "
                f"VALUES (?, ?, ?, 1, ?, ?{marks})", [source, source_id, batch, updated_at, now, *raw.values()])
    have = [str(r[0]) for r in cur.execute("DESCRIBE record_std").fetchall()]
    values = {c: std.get(c) for c in have if c not in ("source", "source_id")}
    names = "".join(f', "{c}"' for c in values)
    marks = "".join(", ?" for _ in values)
    cur.execute(f"INSERT INTO record_std (source, source_id{names}) VALUES (?, ?{marks})",
                [source, source_id, *values.values()])
