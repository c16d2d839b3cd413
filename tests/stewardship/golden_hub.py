"""A small real hub with golden records for the in-process golden-record tests: two
sources ingested and standardised by the real stages, scored pairs written by hand,
clustered and built by the real cluster and survivorship code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from mdm.config import Dictionary, SourceMapping, load_mapping
from mdm.hub import open_hub, transaction
from mdm.ingest.batch import ingest_file
from mdm.pipeline import standardise_staged
from mdm.pipeline.scoped import Rebuild, recluster
from mdm.standardise.stage import ensure_record_std
from mdm.survivorship import build_golden, load_survivorship_rules

COLUMNS = {"first_name": "first", "last_name": "last", "email": "mail", "phone": "tel", "postal_code": "zip",
           "birth_date": "dob", "job_title": "job"}
HEADER = "id,first,last,mail,tel,zip,dob,job,upd\n"
ROWS = {
    "crm": (90, ["c1,John,Smith,john@x.com,(415) 555-2671,62701,1980-01-01,Engineer,2024-01-01",
                 "c2,John,Smith,john@x.com,(415) 555-2671,62701,1980-01-01,,2023-01-01",
                 "c3,Mary,Jones,mary@y.com,(212) 555-0188,12207,1975-05-05,,2024-01-01"]),
    "web": (50, ["w1,Jon,Smyth,JOHN@X.COM,,62701,1980-01-01,Chief Engineer,2025-01-01",
                 "w2,Mary,Jones,mary@y.com,,12208,1975-05-05,,2025-02-01"]),
}
#: (left, right, probability): two auto-matches around crm:c1, one review-band pair, one low
PAIRS = [("crm:c1", "crm:c2", 0.99), ("crm:c1", "web:w1", 0.97), ("crm:c3", "web:w2", 0.6),
         ("crm:c2", "crm:c3", 0.05)]
AUTO_MATCH = 0.9


def _mapping(tmp: Path, source: str, trust: int, dictionary: Dictionary) -> SourceMapping:
    path = tmp / f"{source}.yaml"
    cols = "\n".join(f"  {a}: {c}" for a, c in COLUMNS.items())
    path.write_text(f"source: {source}\ntrust: {trust}\nid_column: id\nupdated_at_column: upd\ncolumns:\n{cols}\n",
                    encoding="utf-8")
    return load_mapping(path, dictionary)


def rebuild_of(dictionary: Dictionary) -> Rebuild:
    return Rebuild(dictionary=dictionary, rules=load_survivorship_rules(), trust={"crm": 90, "web": 50},
                   auto_match=AUTO_MATCH)


def make_golden_hub(tmp: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    """Golden records after a first build: {crm:c1, crm:c2, web:w1}, {crm:c3}, {web:w2}; review
    task 1 is (crm:c1, web:w1) inside the first, task 2 (crm:c3, web:w2) across two."""
    con = open_hub(tmp / "hub.duckdb", dictionary.names).con
    with transaction(con):
        ensure_record_std(con, dictionary)
    for source, (trust, rows) in ROWS.items():
        data = tmp / f"{source}.csv"
        data.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
        ingest_file(con, data, _mapping(tmp, source, trust, dictionary), dictionary,
                    today=dt.date(2025, 6, 30), enrich=standardise_staged(dictionary, dt.date(2025, 6, 30)))
    now = dt.datetime(2025, 7, 1, 9, 0)
    with transaction(con):
        for left, right, p in PAIRS:
            band = "match" if p >= AUTO_MATCH else "review" if p >= 0.5 else "low"
            con.execute("INSERT INTO match_pair VALUES (1, ?, ?, ?, ?, ?, NULL)", [left, right, p * 10, p, band])
        for task_id, (left, right) in enumerate([("crm:c1", "web:w1"), ("crm:c3", "web:w2")], start=1):
            con.execute("INSERT INTO review_task (task_id, status, created_at, run_id, unique_id_l, unique_id_r, "
                        "match_probability, match_weight, explanation, version) VALUES (?, 'open', ?, 1, ?, ?, 0.6, "
                        "1.0, ?, 1)", [task_id, now, left, right, json.dumps([])])
        ids = [f"{s}:{r.split(',')[0]}" for s, (_, rows) in ROWS.items() for r in rows]
        recluster(con, ids, AUTO_MATCH)
        build_golden(con, dictionary, load_survivorship_rules(), {"crm": 90, "web": 50}, run_id=1, now=now)
    return con


def golden_of(con: duckdb.DuckDBPyConnection, unique_id: str) -> str:
    source, source_id = unique_id.split(":", 1)
    row = con.execute("SELECT golden_id FROM xref WHERE source = ? AND source_id = ? AND valid_to IS NULL",
                      [source, source_id]).fetchone()
    assert row is not None, unique_id
    return str(row[0])
