"""Search that finds customers (issue 19.4): golden.search through the hub's search index.

A real hub: two sources ingested and standardised by the real stages, scored pairs written
by hand (the truth: which records are one customer), clustered and built by the real cluster
and survivorship code, then merged, split and re-ingested through the same write path the
server uses. No mocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from steward_data import principal

from mdm.config import Dictionary, SourceMapping, load_mapping
from mdm.hub import open_hub, search, transaction
from mdm.ingest.batch import ingest_file
from mdm.pipeline import standardise_staged
from mdm.pipeline.scoped import Rebuild, recluster
from mdm.standardise.stage import ensure_record_std
from mdm.stewardship import golden
from mdm.survivorship import build_golden, load_survivorship_rules

COLUMNS = {"first_name": "first", "last_name": "last", "email": "mail", "phone": "tel", "postal_code": "zip",
           "birth_date": "dob", "job_title": "job"}
HEADER = "id,first,last,mail,tel,zip,dob,job,upd\n"
TODAY = dt.date(2025, 6, 30)
TRUST = {"crm": 90, "web": 50}
ROWS = {
    "crm": ["c1,John,Smith,john.smith@example.com,(415) 555-2671,62701,1980-01-01,Engineer,2024-01-01",
            "c2,William,Brown,wbrown@mail.com,(212) 555-0100,10001,1970-02-02,,2024-01-01",
            "c3,Mary,Jones,mary@y.com,(212) 555-0188,12207,1975-05-05,,2024-01-01",
            "c4,Johnny,Smithers,js@z.com,(305) 555-0111,33101,1990-03-03,,2024-01-01",
            "c5,José,Núñez,jose@n.com,(786) 555-0123,33130,1985-04-04,,2024-01-01",
            "c6,John,Smith,john.smith@example.com,(415) 555-2671,62701,1980-01-01,,2023-01-01"],
    "web": ["w1,Jon,Smyth,JOHN.SMITH@EXAMPLE.COM,,62701,1980-01-01,Chief Engineer,2025-01-01",
            "w2,Mary,Jones,mary@y.com,,12208,1975-05-05,,2025-02-01",
            "w3,Bill,Taylor,bt@t.com,(646) 555-0142,10002,1966-06-06,,2025-01-01",
            "w4,John,Smithson,jsmithson@q.com,(617) 555-0199,02139,1982-07-07,,2025-01-01"],
}
#: the truth: crm:c1, crm:c6 and web:w1 are one customer (auto-matches); crm:c3 / web:w2 only a
#: review pair; everyone else is on their own
PAIRS = [("crm:c1", "crm:c6", 0.99), ("crm:c1", "web:w1", 0.97), ("crm:c3", "web:w2", 0.6)]
AUTO_MATCH = 0.9
PII = {"email", "phone", "birth_date"}


def _mapping(tmp: Path, source: str, dictionary: Dictionary) -> SourceMapping:
    path = tmp / f"{source}.yaml"
    cols = "\n".join(f"  {a}: {c}" for a, c in COLUMNS.items())
    path.write_text(f"source: {source}\ntrust: {TRUST[source]}\nid_column: id\nupdated_at_column: upd\n"
                    f"columns:\n{cols}\n", encoding="utf-8")
    return load_mapping(path, dictionary)


def _ingest(con: duckdb.DuckDBPyConnection, tmp: Path, source: str, rows: list[str], dictionary: Dictionary,
            name: str | None = None) -> None:
    data = tmp / f"{name or source}.csv"
    data.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    ingest_file(con, data, _mapping(tmp, source, dictionary), dictionary, today=TODAY,
                enrich=standardise_staged(dictionary, TODAY))


def _rebuild(dictionary: Dictionary) -> Rebuild:
    return Rebuild(dictionary=dictionary, rules=load_survivorship_rules(), trust=TRUST, auto_match=AUTO_MATCH)


def _build(tmp: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    con = open_hub(tmp / "hub.duckdb", dictionary.names).con
    with transaction(con):
        ensure_record_std(con, dictionary)
    for source, rows in ROWS.items():
        _ingest(con, tmp, source, rows, dictionary)
    with transaction(con):
        for left, right, p in PAIRS:
            band = "match" if p >= AUTO_MATCH else "review"
            con.execute("INSERT INTO match_pair VALUES (1, ?, ?, ?, ?, ?, NULL)", [left, right, p * 10, p, band])
        recluster(con, [f"{s}:{r.split(',')[0]}" for s, rows in ROWS.items() for r in rows], AUTO_MATCH)
        build_golden(con, dictionary, load_survivorship_rules(), TRUST, run_id=1,
                     now=dt.datetime(2025, 7, 1, 9, 0))
    return con


@pytest.fixture
def hub(tmp_path: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    return _build(tmp_path, dictionary)


def gid_of(con: duckdb.DuckDBPyConnection, unique_id: str) -> str:
    source, source_id = unique_id.split(":", 1)
    row = con.execute("SELECT golden_id FROM xref WHERE source = ? AND source_id = ? AND valid_to IS NULL",
                      [source, source_id]).fetchone()
    assert row is not None, unique_id
    return str(row[0])


def find(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, **filters: str) -> list[str]:
    found, total = golden.search(con, attributes=dictionary.names, pii=PII, masked=False, limit=100, **filters)
    assert total == len(found)
    return [g["golden_id"] for g in found]


def _tokens(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("SELECT token, golden_id, field, weight FROM search_token ORDER BY ALL").fetchall()


def _same_as_a_full_rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """What the refreshes left is exactly what a full build writes."""
    refreshed = _tokens(con)
    with transaction(con):
        search.rebuild(con)
    assert _tokens(con) == refreshed


def test_the_build_indexes_members_ids_and_parts(hub: duckdb.DuckDBPyConnection) -> None:
    smith = gid_of(hub, "crm:c1")
    tokens = {(t, f) for t, g, f, _ in _tokens(hub) if g == smith}
    assert {("smyth", "name"), ("jon", "name"), ("web:w1", "id"), ("w1", "id"), (smith.lower(), "id"),
            ("john.smith@example.com", "email"), ("john.smith", "email"), ("4155552671", "phone"),
            ("5552671", "phone"), ("62701", "postal"), ("john", "nickname")} <= tokens
    indexes = {r[0] for r in hub.execute("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'search_token'")
               .fetchall()}
    assert indexes == {"search_token_token", "search_token_golden"}
    active = hub.execute("SELECT count(*) FROM golden WHERE status = 'active'").fetchone()
    assert hub.execute("SELECT count(DISTINCT golden_id) FROM search_token").fetchone() == active


def test_a_member_value_that_did_not_survive_finds_its_customer(hub: duckdb.DuckDBPyConnection,
                                                                 dictionary: Dictionary) -> None:
    smith = gid_of(hub, "crm:c1")
    record = golden.golden_row(hub, smith)["record"]
    assert (record["last_name"], record["first_name"]) == ("Smith", "John"), "crm's values survived"
    assert find(hub, dictionary, q="Smyth") == [smith] == find(hub, dictionary, name="smyth")
    assert find(hub, dictionary, q="jon smyth") == [smith]
    assert find(hub, dictionary, q="chief engineer") == [smith], "web:w1's job title, raw"
    assert find(hub, dictionary, q="Smyth Mary") == [], "every word must match"


def test_source_ids_and_golden_ids(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    smith, taylor = gid_of(hub, "crm:c1"), gid_of(hub, "web:w3")
    assert find(hub, dictionary, q="web:w1") == [smith] == find(hub, dictionary, q="crm:c1")
    assert find(hub, dictionary, q="w3") == [taylor], "a bare source id"
    assert find(hub, dictionary, q=smith) == [smith] == find(hub, dictionary, q=smith.lower())
    crm = {gid_of(hub, f"crm:{r.split(',')[0]}") for r in ROWS["crm"]}
    assert set(find(hub, dictionary, q="crm:")) == crm, "the start of source:source_id"


def test_email_fragments(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    smith = gid_of(hub, "crm:c1")
    assert find(hub, dictionary, email=" John.Smith@Example.com ") == [smith]
    assert find(hub, dictionary, email="john.smith@exa") == [smith], "the start of an address"
    assert find(hub, dictionary, email="john.smith") == [smith], "the local part"
    assert find(hub, dictionary, q="john.smith") == [smith], "a token starts with the whole word"
    assert set(find(hub, dictionary, q="john.smi")) == {smith}
    assert set(find(hub, dictionary, q="johnny.smithers")) == {gid_of(hub, "crm:c4")}, "else its parts"
    assert find(hub, dictionary, q="jsmiths") == [gid_of(hub, "web:w4")], "a local part's start"
    assert find(hub, dictionary, email="nobody@example.com") == []


def test_phone_fragments_without_country_code(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    smith = gid_of(hub, "crm:c1")
    stored = golden.golden_row(hub, smith)["record"]["phone"]
    assert stored == "+14155552671"
    for typed in ("415-555-2671", "+1 (415) 555 2671", "4155552671", "555-2671", "41555"):
        assert find(hub, dictionary, phone=typed) == [smith], typed
    assert find(hub, dictionary, q="(415) 555-2671") == [smith]
    assert find(hub, dictionary, q="555-2671") == [smith]
    assert find(hub, dictionary, phone="999-0000") == []


def test_nicknames_and_accents(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    brown, taylor = gid_of(hub, "crm:c2"), gid_of(hub, "web:w3")
    assert "bill" not in {t for t, g, _, _ in _tokens(hub) if g == brown}, "no member of William's says Bill"
    assert find(hub, dictionary, name="Bill Brown") == [brown], "Bill -> William"
    assert find(hub, dictionary, q="bill brown") == [brown]
    assert find(hub, dictionary, name="William Taylor") == [taylor], "a member said Bill"
    assert find(hub, dictionary, q="jose nunez") == [gid_of(hub, "crm:c5")] == find(hub, dictionary, q="NÚÑEZ")


def test_ranking_puts_the_exact_name_first(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    found, total = golden.search(hub, attributes=dictionary.names, pii=PII, masked=False, q="John Smith")
    ids = [g["golden_id"] for g in found]
    assert ids[0] == gid_of(hub, "crm:c1")
    assert set(ids) == {gid_of(hub, u) for u in ("crm:c1", "crm:c4", "web:w4")} and total == 3, "prefixes too"
    scores = [g["score"] for g in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]
    page, total = golden.search(hub, attributes=dictionary.names, pii=PII, masked=False, q="John Smith",
                                limit=1, offset=1)
    assert total == 3 and [g["golden_id"] for g in page] == ids[1:2]
    past, total = golden.search(hub, attributes=dictionary.names, pii=PII, masked=False, q="John Smith",
                                offset=10)
    assert past == [] and total == 3


def test_filters_combine_and_masking_is_the_pages(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    smith = gid_of(hub, "crm:c1")
    assert find(hub, dictionary, name="john", postal_code="627") == [smith]
    assert find(hub, dictionary, name="john", postal_code="331") == [gid_of(hub, "crm:c4")]
    masked, _ = golden.search(hub, attributes=dictionary.names, pii=PII, masked=True, email="john.smith@")
    assert [g["golden_id"] for g in masked] == [smith]
    assert masked[0]["record"]["email"] != "john.smith@example.com" and masked[0]["record"]["last_name"] == "Smith"
    everyone, total = golden.search(hub, attributes=dictionary.names, pii=PII, masked=False)
    assert total == 8 and [g["golden_id"] for g in everyone] == sorted(g["golden_id"] for g in everyone)


def test_tokens_follow_a_merge_and_a_split(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    left, right = gid_of(hub, "crm:c3"), gid_of(hub, "web:w2")
    assert find(hub, dictionary, postal_code="12208") == [right]
    rebuild = _rebuild(dictionary)
    with transaction(hub):
        version = golden.golden_row(hub, left)["version"]
        merged = golden.merge(hub, left, right, version=version, reason="same person", by=principal(),
                              rebuild=rebuild)
    survivor = merged["golden_id"]
    gone = ({left, right} - {survivor}).pop()
    assert golden.golden_row(hub, gone)["status"] == "merged"
    assert find(hub, dictionary, postal_code="12208") == [survivor], "the absorbed member's value"
    assert gone not in find(hub, dictionary, q="mary jones") == [survivor]
    assert find(hub, dictionary, q=gone) == [], "a merged-away id is not a search result"
    _same_as_a_full_rebuild(hub)

    smith = gid_of(hub, "crm:c1")
    with transaction(hub):
        version = golden.golden_row(hub, smith)["version"]
        split = golden.split(hub, smith, ["web:w1"], version=version, reason="not him", by=principal(),
                             rebuild=rebuild)
    off = split["split_off"]
    assert off != smith
    assert find(hub, dictionary, q="smyth") == [off] == find(hub, dictionary, q="web:w1")
    assert find(hub, dictionary, q="crm:c1") == [smith]
    _same_as_a_full_rebuild(hub)


def test_tokens_follow_an_upsert_of_a_member(hub: duckdb.DuckDBPyConnection, tmp_path: Path,
                                            dictionary: Dictionary) -> None:
    """A member's new values (re-ingested, then survivorship scoped to it, as the real-time
    upsert writes them) are found and its old ones no longer."""
    smith = gid_of(hub, "crm:c1")
    assert find(hub, dictionary, q="chief") == [smith]
    _ingest(hub, tmp_path, "web", ["w1,Jon,Smythe,JOHN.SMITH@EXAMPLE.COM,,62701,1980-01-01,Astronaut,2025-03-01"],
            dictionary, name="web-update")
    with transaction(hub):
        build_golden(hub, dictionary, load_survivorship_rules(), TRUST, actor="test", scope=["web:w1"])
    assert find(hub, dictionary, q="smythe") == [smith], "a member's new spelling"
    assert find(hub, dictionary, q="astronaut") == [smith]
    assert find(hub, dictionary, q="chief") == [], "the old value is gone"
    _same_as_a_full_rebuild(hub)


def test_an_old_hub_gets_its_index_when_opened(tmp_path: Path, dictionary: Dictionary) -> None:
    """A hub made before schema v8 (no search_token) is migrated on open and searches."""
    con = _build(tmp_path, dictionary)
    smith = gid_of(con, "crm:c1")
    with transaction(con):
        con.execute("DROP TABLE search_token")
        con.execute("DELETE FROM schema_version WHERE version >= 8")
    con.close()
    with open_hub(tmp_path / "hub.duckdb", dictionary.names) as reopened:
        assert reopened.con.execute("SELECT max(version) FROM schema_version").fetchone() == (8,)
        assert find(reopened.con, dictionary, q="Smyth") == [smith]
        assert find(reopened.con, dictionary, phone="555-2671") == [smith]


@pytest.mark.parametrize("text", ["-", "@", "\U0010ffff", "\ud7ff", "Ωμέγα", "王小明", "'; DROP TABLE golden; --",
                                  "%_", "a\U0010ffff"])
def test_awkward_words_find_nothing_and_break_nothing(hub: duckdb.DuckDBPyConnection, dictionary: Dictionary,
                                                      text: str) -> None:
    for filters in ({"q": text}, {"name": text}, {"email": text}, {"postal_code": text}):
        assert find(hub, dictionary, **filters) == [], filters
    assert hub.execute("SELECT count(*) FROM golden WHERE status = 'active'").fetchone() == (8,)
