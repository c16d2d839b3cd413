"""Values repaired for matching: Han-script names romanised, postal codes from one-line addresses."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from mdm.match.features import build_features
from mdm.match.repair import POSTAL_FROM_LINE, name_from_email, recovered, romanise


def test_romanise_han_names_only() -> None:
    assert romanise("王刚") == "wanggang"
    assert romanise("雨晴") == "yuqing"
    assert romanise("garcía") is None  # Latin script is left to the name keys' folding
    assert romanise("") is None


@pytest.mark.parametrize(("line", "postal"), [
    ("14 MAPLE TRL, GLENDALE, AZ 85301", "85301"),
    ("14 MAPLE TRL, GLENDALE, AZ 85301-1234", "85301"),
    ("2 WINDSOR DR, APT 517, MONTREAL, QC H4A3X4", "H4A 3X4"),
    ("127 Mill Lane, Glasgow G12 4SF", "G12 4SF"),
    ("430380 武汉市天河区文化路204号", "430380"),
    ("14 MAPLE TRL", None),
    ("SCHILLERSTRASSE 75, 60535 FRANKFURT AM MAIN", None),  # no pattern we trust: left unknown
])
def test_postal_code_from_address_line(line: str, postal: str | None) -> None:
    con = duckdb.connect()
    got = con.execute("SELECT " + POSTAL_FROM_LINE.format(x="?"), [line] * POSTAL_FROM_LINE.count("{x}")).fetchone()
    assert got is not None and got[0] == postal


def test_recovered_names_and_postal_codes_meet_the_romanised_source() -> None:
    con = duckdb.connect()
    std = pd.DataFrame({
        "source": ["legacy", "crm"], "source_id": ["1", "2"],
        "first_name": ["刚", "gang"], "first_name__metaphone": [None, "KNK"],
        "first_name__nickname_canonical": ["刚", "gang"],
        "last_name": ["王", "wang"], "last_name__metaphone": [None, "WNK"],
        "postal_code": [None, "61101"]})
    raw = pd.DataFrame({"source": ["legacy", "crm"], "source_id": ["1", "2"],
                        "street_address": ["333 MISSION DR, ROCKFORD, IL 61101", "333 Mission Drive"]})
    con.register("std", std)
    con.register("raw", raw)
    con.execute("CREATE TABLE record_std AS SELECT * FROM std")
    con.execute("CREATE TABLE record AS SELECT * FROM raw")
    con.unregister("std")
    con.unregister("raw")
    features = build_features(con, ["first_name_key", "last_name_key", "first_name__metaphone",
                                     "last_name__metaphone", "first_name__nickname_canonical", "postal_code"])
    rows = features.to_pylist()
    legacy, crm = (next(r for r in rows if r["source_dataset"] == s) for s in ("legacy", "crm"))
    for col in ("first_name_key", "last_name_key", "last_name__metaphone", "first_name__nickname_canonical",
                "postal_code"):
        assert legacy[col] == crm[col], col
    # record_std itself is untouched, and the helper leaves no view behind
    assert con.execute("SELECT first_name FROM record_std WHERE source = 'legacy'").fetchone() == ("刚",)
    with recovered(con) as source:
        assert source.startswith("(SELECT")
    assert not [v for v in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
                if "__mdm_" in v[0]]


def test_recovered_is_the_table_itself_when_nothing_needs_repair() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE record_std AS SELECT 'crm' AS source, '1' AS source_id, 'ann' AS first_name, "
                "'12345' AS postal_code")
    with recovered(con) as source:
        assert source == "record_std"


@pytest.mark.parametrize(("known", "local", "other"), [
    ("elizabeth", "elizabeth.west43", "west"),      # separated: the part beside the known name
    ("wilson", "marcuswilson", "marcus"),           # unseparated, known name last
    ("amy", "amycarter91", "carter"),               # unseparated, known name first, digits dropped
    ("Raúl", "raulsanchez84", "sanchez"),           # accents folded as the name keys fold them
    ("li", "li.yun", "yun"),
    ("harris", "kharris", None),                    # an initial is not a name
    ("john", "johnde", None),                       # too short a rest to trust
    ("sandra", "snelson834", None),                 # not built around the known name
    ("jose", "jose.m.rivera", None),                # two candidates: ambiguous
])
def test_name_from_email(known: str, local: str, other: str | None) -> None:
    assert name_from_email(known, local) == other


def test_missing_name_part_recovered_from_the_records_own_email_only() -> None:
    con = duckdb.connect()
    std = pd.DataFrame({
        "source": ["web", "web", "crm"], "source_id": ["1", "2", "3"],
        "first_name": [None, "nathan", "marcus"], "first_name__nickname_canonical": [None, "nathan", "marcus"],
        "last_name": ["wilson", None, "wilson"],
        "email__local": ["marcuswilson", "ngreen", "marcuswilson"]})
    con.register("std", std)
    con.execute("CREATE TABLE record_std AS SELECT * FROM std")
    rows = {r["unique_id"]: r for r in build_features(
        con, ["first_name_key", "last_name_key", "first_name__nickname_canonical"]).to_pylist()}
    assert rows["web:1"]["first_name_key"] == "marcus"
    assert rows["web:1"]["first_name__nickname_canonical"] == "marcus"
    assert rows["web:2"]["last_name_key"] is None           # "ngreen" is not built around "nathan": not read
    assert rows["crm:3"]["first_name_key"] == "marcus"       # a record with both parts is left as it is
    assert con.execute("SELECT first_name FROM record_std WHERE source_id = '1'").fetchone() == (None,)
