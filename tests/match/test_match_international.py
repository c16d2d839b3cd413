"""Chinese and European customers through the standardise stage into the match features: a Han-script
CRM and a pinyin ERP give one person the same name keys, street key and area; the real-time mirror
of the feature SQL agrees on them."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pytest

from mdm.config import Dictionary
from mdm.match.features import BUILTIN_FEATURES, build_features
from mdm.match.realtime import py_features, py_recovered
from mdm.match.repair import romanise_family
from mdm.standardise import Context
from mdm.standardise.stage import standardise

COLUMNS = [*sorted(BUILTIN_FEATURES), "national_id", "last_name__metaphone", "first_name__metaphone"]

RECORDS = [
    # source, id, full_name, first, last, street line, national id
    ("crm", "1", "张伟", None, None, "广东省深圳市南山区科技路12号3栋502室", "110105491231002"),
    ("erp", "1", "ZHANG Wei", None, None, "No. 12 Keji Road, Nanshan District, Shenzhen", "11010519491231002X"),
    ("legacy", "1", None, "小明", "曾", "深圳市南山区科技路１２号", None),
    ("erp", "2", "ZENG Xiaoming", None, None, "12 Keji Rd, Nanshan Qu, Shenzhen Shi", None),
    ("erp", "3", "Ouyang Xiu", None, None, "北京市朝阳区建国路81号", None),
    ("crm", "2", "欧阳修", None, None, "北京市朝阳区建国路81号", None),
    ("eu", "1", "Hans Müller", None, None, "Hauptstraße 12a", None),
    ("eu", "2", "MÜLLER Hans", None, None, "Hauptstr. 12 A, 10115 Berlin", None),
]
CONTEXTS = {"crm": Context(default_region="CN"), "erp": Context(default_region="CN"),
            "legacy": Context(default_region="CN"), "eu": Context(default_region="DE")}


@pytest.fixture(scope="module")
def hub(dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    frame = pd.DataFrame([{"k": i, "source": s, "source_id": sid, "full_name": full, "first_name": first,
                           "last_name": last, "street_address": line, "national_id": nid}
                          for i, (s, sid, full, first, last, line, nid) in enumerate(RECORDS)])
    con.register("_in", frame)
    absent = ("birth_date", "gender", "phone", "email", "postal_code")
    blank = ", ".join(f"CAST(NULL AS VARCHAR) AS {c}" for c in absent)
    con.execute(f"CREATE TABLE t AS SELECT *, {blank} FROM _in")
    con.unregister("_in")
    standardise(con, "t", "k", dictionary, CONTEXTS, source_column="source")
    con.execute("CREATE TABLE record_std AS SELECT t.source, t.source_id, s.* EXCLUDE (k) "
                "FROM _std s JOIN t USING (k)")
    return con


@pytest.fixture(scope="module")
def features(hub: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    return {r["unique_id"]: r for r in build_features(hub, COLUMNS).to_pylist()}


@pytest.mark.parametrize(("a", "b"), [("crm:1", "erp:1"), ("legacy:1", "erp:2"), ("crm:2", "erp:3"), ("eu:1", "eu:2")])
def test_one_person_in_han_and_pinyin_has_the_same_keys(features: dict[str, dict[str, Any]], a: str, b: str) -> None:
    x, y = features[a], features[b]
    areas = ("street_area", "postal_area") if a != "eu:1" else ()  # the German lines name no district
    for col in ("first_name_key", "last_name_key", "name_key", "street_key", *areas):
        assert x[col] is not None and x[col] == y[col], (col, x[col], y[col])


def test_keys_of_the_chinese_customer(features: dict[str, dict[str, Any]]) -> None:
    crm = features["crm:1"]
    assert (crm["first_name_key"], crm["last_name_key"]) == ("wei", "zhang")
    assert (crm["street_key"], crm["street_area"]) == ("12 KEJI", "NANSHAN")
    # the 15-digit resident id was given its 18-digit form: one value across the two systems
    assert crm["national_id"] == features["erp:1"]["national_id"] == "11010519491231002X"
    # 曾 is read as a surname (zeng), as the pinyin source spells it, not pypinyin's default ceng
    assert features["legacy:1"]["last_name_key"] == "zeng" and romanise_family("曾小明") == "zengxiaoming"
    assert features["eu:1"]["street_key"] == "12A HAUPT" and features["eu:1"]["postal_area"] is None


def test_us_lines_have_no_area(hub: duckdb.DuckDBPyConnection) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE record_std (source VARCHAR, source_id VARCHAR, street_address__number VARCHAR, "
                "street_address__street_name VARCHAR, street_address__district VARCHAR, "
                "street_address__city VARCHAR, postal_code VARCHAR)")
    con.execute("INSERT INTO record_std VALUES ('crm', '1', '123', 'MAIN', NULL, NULL, '62704')")
    row = build_features(con, ["street_key", "street_area", "postal_area"]).to_pylist()[0]
    assert (row["street_key"], row["street_area"], row["postal_area"]) == ("123 MAIN", None, "62704")


def test_python_mirror_agrees_with_the_feature_sql(hub: duckdb.DuckDBPyConnection,
                                                   features: dict[str, dict[str, Any]]) -> None:
    """The real-time path (py_recovered + py_features) gives every built-in feature the batch SQL gave."""
    cur = hub.execute("SELECT * FROM record_std")
    names = [d[0] for d in cur.description or []]
    for row in cur.fetchall():
        std = dict(zip(names, row, strict=True))
        uid = f"{std['source']}:{std['source_id']}"
        repaired = py_recovered(std, None, names, postal=False)
        assert py_features(repaired, COLUMNS, uid, std["source"]) == features[uid], uid
