"""Matching reads a flagged value's match form: a look-alike digit in a name, an impossible birth date.

The value stays flagged and NULL in ``record_std`` (survivorship and the golden record never
see it); :func:`mdm.match.repair.recovered` gives matching the standardiser's
``match_form`` instead, and the real-time mirror gives the same features.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pytest

from mdm.config import Dictionary
from mdm.match.features import BUILTIN_FEATURES, build_features
from mdm.match.realtime import py_features, py_recovered
from mdm.standardise import Context
from mdm.standardise.stage import standardise

COLUMNS = [*sorted(BUILTIN_FEATURES), "birth_date", "first_name__metaphone", "last_name__metaphone",
           "first_name__nickname_canonical"]
RECORDS = [
    # source, id, first, last, birth date (day-first), flagged by validation
    ("reg", "1", "Claudius", "Stey", "29.07.1960", ()),
    ("reg", "2", "Claudiu5", "Stey", "29.07.1960", ("first_name",)),
    ("reg", "3", "Valentine", "Didier", "15.01.1944", ()),
    ("reg", "4", "Valentine", "Did1er", "51.01.1944", ("last_name", "birth_date")),
    ("reg", "5", "Anna", "Berg", "30.10.9140", ("birth_date",)),
    ("reg", "6", "Ola", "Nordmann", "01.01.1900", ("birth_date",)),
    ("reg", "7", "12345", "Nordmann", None, ("first_name",)),
]


@pytest.fixture(scope="module")
def hub(dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("_in", pd.DataFrame([{"k": i, "source": s, "source_id": sid, "first_name": f, "last_name": last,
                                       "birth_date": b} for i, (s, sid, f, last, b, _) in enumerate(RECORDS)]))
    absent = ", ".join(f"CAST(NULL AS VARCHAR) AS {c}" for c in ("gender", "phone", "email", "street_address",
                                                                   "postal_code", "national_id"))
    con.execute(f"CREATE TABLE t AS SELECT *, {absent} FROM _in")
    con.unregister("_in")
    con.register("_fl", pd.DataFrame([{"k": i, "attribute": a} for i, r in enumerate(RECORDS) for a in r[5]]))
    con.execute("CREATE TABLE flags AS SELECT * FROM _fl")
    standardise(con, "t", "k", dictionary, {"reg": Context(date_formats=("%d.%m.%Y",))}, source_column="source",
                flags="flags")
    con.execute("CREATE TABLE record_std AS SELECT t.source, t.source_id, s.* EXCLUDE (k) "
                "FROM _std s JOIN t USING (k)")
    return con


@pytest.fixture(scope="module")
def features(hub: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    return {r["unique_id"]: r for r in build_features(hub, COLUMNS).to_pylist()}


def test_flagged_values_stay_out_of_the_record(hub: duckdb.DuckDBPyConnection) -> None:
    rows = {r[0]: r[1:] for r in hub.execute("SELECT source_id, first_name, last_name, birth_date FROM record_std")
            .fetchall()}
    assert rows["1"] == ("claudius", "stey", "1960-07-29")
    assert rows["2"][0] is None and rows["4"][1:] == (None, None) and rows["5"][2] is None


def test_matching_reads_the_match_form(features: dict[str, dict[str, Any]]) -> None:
    assert features["reg:2"]["first_name_key"] == features["reg:1"]["first_name_key"] == "claudius"
    assert features["reg:2"]["first_name__metaphone"] == features["reg:1"]["first_name__metaphone"]
    assert features["reg:2"]["name_key"] == features["reg:1"]["name_key"]
    four = features["reg:4"]
    assert (four["last_name_key"], four["birth_date"]) == ("didler", "1944-01-51")
    assert (four["birth_year"], four["birth_year_month"]) == ("1944", "1944-01")  # blocks with 1944-01-15
    assert features["reg:5"]["birth_date"] == "9140-10-30"  # one digit from 1940-10-30
    assert features["reg:6"]["birth_date"] is None  # a placeholder is no slip
    assert features["reg:7"]["first_name_key"] is None  # an id typed into a name field is no name


def test_the_real_time_mirror_reads_it_too(hub: duckdb.DuckDBPyConnection,
                                           features: dict[str, dict[str, Any]]) -> None:
    cur = hub.execute("SELECT * FROM record_std")
    names = [d[0] for d in cur.description or []]
    for row in cur.fetchall():
        std = dict(zip(names, row, strict=True))
        uid = f"{std['source']}:{std['source_id']}"
        assert py_features(py_recovered(std, None, names, postal=False), COLUMNS, uid, "reg") == features[uid], uid
