"""Golden records publish presentable values, never matching keys or placeholders.

The hub is built by the real ingest and standardise stages; the standardised value in
``record_std`` is each attribute's matching key (folded names, a Gmail address without its
dots, USPS capitals), and the golden value must be the customer's own form, cleaned."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from mdm.config import Dictionary
from tests.survivorship.conftest import Build, golden_of, make_hub

CRM = [
    "c1,MARÍA,,MEDINA PÉREZ,Maria.Medina@Gmail.com,(415) 555-2671,16827 MAPLE STREET,SALT LAKE CITY,84101,"
    "1980-01-01,2024-01-01",
    "c2,john,,o'brien,no@email.com,(212) 555-0188,9 ne elm avenue apt 4b,new york,10001,1975-05-05,2024-01-01",
    "c3,Siobhan,,McDonald,s.mc.donald+crm@googlemail.com,,744 MAIN BLVD Apt 5,Albany,12207,1970-02-02,2024-01-01",
]
WEB = ["w1,Ann,,Lee,none@none.com,,,,,1990-03-03,2025-01-01"]
NAMES = ("first_name", "middle_name", "last_name", "email", "street_address", "city")


@pytest.fixture
def hub(tmp_path: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    return make_hub(tmp_path, dictionary, crm=CRM, web=WEB)


def record(con: duckdb.DuckDBPyConnection, unique_id: str) -> dict[str, str | None]:
    row = con.execute("SELECT record FROM golden WHERE golden_id = ?", [golden_of(con, unique_id)]).fetchone()
    assert row is not None
    out: dict[str, str | None] = json.loads(row[0])
    return out


def test_golden_values_are_the_customers_own_form(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1"], ["crm:c2"], ["crm:c3"], ["web:w1"])
    maria, john, siobhan = record(hub, "crm:c1"), record(hub, "crm:c2"), record(hub, "crm:c3")
    # SHOUTED names and addresses are re-cased, accents kept; USPS abbreviations stay
    assert (maria["first_name"], maria["last_name"]) == ("María", "Medina Pérez")
    assert (maria["street_address"], maria["city"]) == ("16827 Maple St", "Salt Lake City")
    # all-lower sources too; directions and unit numbers keep their capitals
    assert (john["first_name"], john["last_name"]) == ("John", "O'Brien")
    assert john["street_address"] == "9 NE Elm Ave Apt 4B" and john["city"] == "New York"
    # a mixed-case spelling that only differs by case is the source's own
    assert siobhan["last_name"] == "McDonald" and siobhan["city"] == "Albany"
    # ... unless part of it is shouted
    assert siobhan["street_address"] == "744 Main Blvd Apt 5"
    # e-mail: the address as written (dots, +tag, domain lower case), not the Gmail matching key
    assert maria["email"] == "Maria.Medina@gmail.com"
    assert siobhan["email"] == "s.mc.donald+crm@googlemail.com"


def test_no_golden_value_is_a_matching_key_where_the_display_differs(hub: duckdb.DuckDBPyConnection,
                                                                     build: Build) -> None:
    build(hub, ["crm:c1"], ["crm:c2"], ["crm:c3"], ["web:w1"])
    rows = hub.execute("""SELECT a.attribute, a.value, r.*, s.* FROM golden_attribute a
                          JOIN record r ON r.source = a.source AND r.source_id = a.source_id
                          JOIN record_std s ON s.source = a.source AND s.source_id = a.source_id""")
    cols = [d[0] for d in rows.description]
    checked = set()
    for row in rows.fetchall():
        attribute, value = row[0], row[1]
        if attribute not in NAMES:
            continue
        raw = row[cols.index(attribute, 2)]
        key = row[cols.index(attribute, cols.index("source", 3) + 1)]
        if raw is not None and key is not None and raw.strip() != key:
            checked.add(attribute)
            assert value != key, (attribute, raw, key)
    assert checked == set(NAMES) - {"middle_name"}


def test_placeholders_never_survive(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "crm:c2"], ["crm:c3"], ["web:w1"])
    assert record(hub, "crm:c2")["email"] == "Maria.Medina@gmail.com"  # the placeholder lost to a real one
    assert record(hub, "web:w1")["email"] is None                     # and alone it is no value at all
    published = [json.loads(r[0])["email"] for r in hub.execute("SELECT record FROM golden").fetchall()]
    assert "no@email.com" not in published and "none@none.com" not in published


def test_casing_policy_comes_from_the_dictionary(tmp_path: Path, dictionary: Dictionary) -> None:
    shouting = dictionary.model_copy(update={"attributes": {
        **dictionary.attributes,
        "street_address": dictionary.attributes["street_address"].model_copy(update={"casing": "usps_upper"}),
        "city": dictionary.attributes["city"].model_copy(update={"casing": "as_entered"})}})
    con = make_hub(tmp_path, shouting, crm=CRM, web=WEB)
    from mdm.hub import transaction
    from mdm.survivorship import build_golden, load_survivorship_rules
    from tests.survivorship.conftest import set_clusters

    with transaction(con):
        set_clusters(con, ["crm:c1"], ["crm:c2"], ["crm:c3"], ["web:w1"])
        build_golden(con, shouting, load_survivorship_rules(), {"crm": 90, "web": 50}, run_id=1)
    assert record(con, "crm:c1")["street_address"] == "16827 MAPLE ST"
    assert record(con, "crm:c2")["city"] == "new york"


def test_a_provider_typo_is_published_corrected(tmp_path: Path, dictionary: Dictionary, build: Build) -> None:
    """Issue 16.3: yaho.com / gmal.com never reach the CRM; the local part stays as written."""
    con = make_hub(tmp_path, dictionary, crm=["c1,Ann,,Lee,Ann.Lee@Yaho.com,,,,,1990-03-03,2024-01-01",
                                              "c2,Bo,,Ek,bo.ek@gmal.com,,,,,1991-03-03,2024-01-01"], web=WEB)
    build(con, ["crm:c1"], ["crm:c2"], ["web:w1"])
    assert record(con, "crm:c1")["email"] == "Ann.Lee@yahoo.com"
    assert record(con, "crm:c2")["email"] == "bo.ek@gmail.com"
    fixed = con.execute("SELECT source_id, email__corrected_from FROM record_std WHERE source = 'crm' "
                        "ORDER BY source_id").fetchall()
    assert fixed == [("c1", "yaho.com"), ("c2", "gmal.com")]
