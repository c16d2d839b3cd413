"""Evidence-weighted survivorship: spellings of one value pool their evidence, typos vote for
the more common full form, a part of a name for the whole, a nickname for the formal name;
the chosen value names its evidence in lineage; groups never mix two addresses."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from mdm.config import Dictionary
from tests.survivorship.conftest import Build, golden_of, make_hub

# columns: id,first,middle,last,mail,tel,street,city,zip,dob,upd  (crm trust 90, web trust 50)
CRM = [
    # Patricia Medina Pérez: the newest record has a typo'd, shortened, unaccented name
    "c1,Patricia,,Medina Pérez,cathy.medina@medinalaw.com,,12 Oak Street,Denver,80202,1980-01-01,2020-01-01",
    # other Patricias and Medinas make those spellings the common ones in the data
    "c2,Patricia,,Medina,cm2@medinalaw.com,,,,,1970-01-01,2020-01-01",
    "c3,Patricia,,Lopez,cm3@medinalaw.com,,,,,1971-01-01,2020-01-01",
    # an address missing its postal code, the same address elsewhere with it
    "c4,Hank,,González,hg@x.com,,5 Pine Lane,Austin,,1960-06-06,2024-01-01",
    # moved: the old address must not complete the new one
    "c5,Ann,,Lee,al@x.com,,9 New Road,Boston,,1990-02-02,2024-06-01",
]
WEB = [
    "w1,Patty,,Medina,cathy.medina@medinlaw.com,,,,,1980-01-01,2025-01-01",
    "w2,Henry,,Gonzalez,hg@x.com,,5 Pine Ln,Austin,78701,1960-06-06,2023-01-01",
    "w3,Ann,,Lee,al@x.com,,1 Old Street,Salem,01970,1990-02-02,2015-01-01",
]


@pytest.fixture
def hub(tmp_path: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    return make_hub(tmp_path, dictionary, crm=CRM, web=WEB)


def chosen(con: duckdb.DuckDBPyConnection, unique_id: str) -> dict[str, dict[str, object]]:
    row = con.execute("SELECT lineage FROM golden_version WHERE golden_id = ? AND valid_to IS NULL",
                      [golden_of(con, unique_id)]).fetchone()
    assert row is not None
    return {e["attribute"]: e for e in json.loads(row[0])}


def test_variants_vote_for_the_full_form(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "web:w1"], ["crm:c2"], ["crm:c3"], ["crm:c4", "web:w2"], ["crm:c5", "web:w3"])
    cathy = chosen(hub, "crm:c1")
    # the newer web record says Patty Medina: the nickname votes for the formal name, the part
    # of the surname for the whole one
    assert cathy["first_name"]["value"] == "Patricia" and cathy["first_name"]["rule"] == "formal_name"
    assert cathy["last_name"]["value"] == "Medina Pérez" and cathy["last_name"]["rule"] == "partial"
    # a domain one edit from a far more common one is its typo: medinlaw.com votes for medinalaw.com
    # (a mailbox provider's typo, yaho.com, the e-mail standardiser already corrected: test_display)
    assert cathy["email"]["value"] == "cathy.medina@medinalaw.com" and cathy["email"]["rule"] == "typo"
    evidence = cathy["last_name"]["evidence"]
    assert isinstance(evidence, dict)
    assert evidence["votes"] == 2 and evidence["members"] == 2 and evidence["sources"] == ["crm", "web"]


def test_accents_and_formal_names_win_within_one_value(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "web:w1"], ["crm:c2"], ["crm:c3"], ["crm:c4", "web:w2"], ["crm:c5", "web:w3"])
    hank = chosen(hub, "crm:c4")
    assert hank["last_name"]["value"] == "González"   # over the newer-looking Gonzalez of web
    assert hank["first_name"]["value"] == "Henry"     # Hank is Henry's nickname


def test_a_group_is_completed_only_by_the_same_address(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "web:w1"], ["crm:c2"], ["crm:c3"], ["crm:c4", "web:w2"], ["crm:c5", "web:w3"])
    hank = chosen(hub, "crm:c4")
    assert (hank["street_address"]["value"], hank["street_address"]["source"]) == ("5 Pine Ln", "crm")
    assert (hank["postal_code"]["value"], hank["postal_code"]["source"]) == ("78701", "web")
    assert hank["postal_code"]["rule"] == "completes_group"
    ann = chosen(hub, "crm:c5")
    assert ann["street_address"]["value"] == "9 New Rd" and ann["city"]["value"] == "Boston"
    assert "postal_code" not in ann   # Salem's ZIP is another address's


def test_a_placeholder_never_wins_by_votes(tmp_path: Path, dictionary: Dictionary, build: Build) -> None:
    crm = ["c1,Jo,,Ray,no@email.com,,,,,1980-01-01,2025-01-01", "c2,Jo,,Ray,no@email.com,,,,,1980-01-01,2025-01-01"]
    web = ["w1,Jo,,Ray,jo.ray@aol.com,,,,,1980-01-01,2010-01-01"]
    con = make_hub(tmp_path, dictionary, crm=crm, web=web)
    build(con, ["crm:c1", "crm:c2", "web:w1"])
    assert chosen(con, "crm:c1")["email"]["value"] == "jo.ray@aol.com"
