"""A small real hub: two sources ingested and standardised by the real stages; the tests
then set ``cluster_member`` themselves so survivorship and identity are tested apart
from matching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pytest

from mdm.config import Dictionary, SourceMapping, load_mapping
from mdm.hub import open_hub, transaction
from mdm.ingest.batch import ingest_file
from mdm.pipeline import standardise_staged
from mdm.standardise.stage import ensure_record_std
from mdm.survivorship import build_golden, load_survivorship_rules

COLUMNS = {"first_name": "first", "middle_name": "middle", "last_name": "last", "email": "mail", "phone": "tel",
           "street_address": "street", "city": "city", "postal_code": "zip", "birth_date": "dob"}
HEADER = "id,first,middle,last,mail,tel,street,city,zip,dob,upd\n"
CRM = [  # trust 90
    "c1,John,,Smith,john@x.com,(415) 555-2671,1 Main Street,Springfield,62701,1980-01-01,2024-01-01",
    "c2,John,Q,Smith,j.smith@x.com,(415) 555-2671,1 Main Street,Springfield,62701,1980-01-01,2023-01-01",
    "c3,Mary,,Jones,mary@y.com,(212) 555-0188,9 Elm Avenue,Albany,12207,1975-05-05,2024-01-01",
]
WEB = [  # trust 50, newer
    "w1,Jon,Quincy,Smyth,JOHN@X.COM,call me,Ringstraße 74,Köln,50667,1980-01-01,2025-01-01",
    "w2,Mary,,Jones,mary@y.com,,,,12208,1975-05-05,2025-02-01",
]
T0 = dt.datetime(2025, 1, 1, 12, 0, 0)


def _mapping(tmp: Path, source: str, trust: int, dictionary: Dictionary) -> SourceMapping:
    path = tmp / f"{source}.yaml"
    cols = "\n".join(f"  {a}: {c}" for a, c in COLUMNS.items())
    path.write_text(f"source: {source}\ntrust: {trust}\nid_column: id\nupdated_at_column: upd\ncolumns:\n{cols}\n",
                    encoding="utf-8")
    return load_mapping(path, dictionary)


def make_hub(tmp: Path, dictionary: Dictionary, crm: Iterable[str] = CRM, web: Iterable[str] = WEB
             ) -> duckdb.DuckDBPyConnection:
    hub = open_hub(tmp / "hub.duckdb", dictionary.names)
    con = hub.con
    with transaction(con):
        ensure_record_std(con, dictionary)
    for source, trust, rows in (("crm", 90, crm), ("web", 50, web)):
        data = tmp / f"{source}.csv"
        data.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
        ingest_file(con, data, _mapping(tmp, source, trust, dictionary), dictionary,
                    today=dt.date(2025, 6, 30), enrich=standardise_staged(dictionary, dt.date(2025, 6, 30)))
    return con


Build = Callable[..., dict[str, object]]


@pytest.fixture
def hub(tmp_path: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    return make_hub(tmp_path, dictionary)


def set_clusters(con: duckdb.DuckDBPyConnection, *clusters: Iterable[str]) -> None:
    """Clusters as lists of unique ids; cluster_id = smallest member (as the cluster stage does)."""
    con.execute("DELETE FROM cluster_member")
    for members in clusters:
        ids = sorted(members)
        con.executemany("INSERT INTO cluster_member VALUES (?, ?, 1)", [(u, ids[0]) for u in ids])


@pytest.fixture
def build(dictionary: Dictionary) -> Build:
    rules = load_survivorship_rules()

    def run(con: duckdb.DuckDBPyConnection, *clusters: Iterable[str], now: dt.datetime = T0) -> dict[str, object]:
        with transaction(con):
            set_clusters(con, *clusters)
            return build_golden(con, dictionary, rules, {"crm": 90, "web": 50}, run_id=1, now=now)

    return run


def golden_of(con: duckdb.DuckDBPyConnection, unique_id: str) -> str:
    source, source_id = unique_id.split(":", 1)
    row = con.execute("SELECT golden_id FROM xref WHERE source = ? AND source_id = ? AND valid_to IS NULL",
                      [source, source_id]).fetchone()
    assert row is not None, unique_id
    return str(row[0])
