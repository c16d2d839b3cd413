"""Golden records in-process on a real hub: decisions rebuild at once (split on no-match,
merge on match), merge / split / override with optimistic concurrency, reversal by a
later decision, audit entries; search, xref, conflicts and PII masking."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from golden_hub import golden_of, make_golden_hub, rebuild_of
from steward_data import principal

from mdm.config import Dictionary
from mdm.errors import ConflictError, InputError, NotFoundError
from mdm.hub import transaction
from mdm.pipeline.scoped import Rebuild
from mdm.stewardship import audit, golden, tasks
from mdm.survivorship import resolve_golden_id

PII = {"email", "phone", "birth_date"}


@pytest.fixture
def ghub(tmp_path: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    return make_golden_hub(tmp_path, dictionary)


@pytest.fixture
def rebuild(dictionary: Dictionary) -> Rebuild:
    return rebuild_of(dictionary)


def _version(con: duckdb.DuckDBPyConnection, gid: str) -> int:
    return int(golden.golden_row(con, gid)["version"])


def _events(con: duckdb.DuckDBPyConnection, after: int) -> list[tuple[str, str, str]]:
    return [(str(r[0]), str(r[1]), str(r[2])) for r in con.execute(
        "SELECT type, golden_id, actor FROM golden_event WHERE seq > ? ORDER BY seq", [after]).fetchall()]


def _last_seq(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
    return int(row[0]) if row else 0


def test_the_fixture_starts_with_three_golden_records(ghub: duckdb.DuckDBPyConnection) -> None:
    assert golden_of(ghub, "crm:c1") == golden_of(ghub, "crm:c2") == golden_of(ghub, "web:w1")
    assert len({golden_of(ghub, "crm:c1"), golden_of(ghub, "crm:c3"), golden_of(ghub, "web:w2")}) == 3


def test_no_match_decision_splits_the_golden_record_at_once(ghub: duckdb.DuckDBPyConnection,
                                                            rebuild: Rebuild) -> None:
    gid, seq = golden_of(ghub, "crm:c1"), _last_seq(ghub)
    with transaction(ghub):
        tasks.decide(ghub, 1, decision="no_match", version=1, reason="different people", by=principal(),
                     rebuild=rebuild)
    assert golden_of(ghub, "crm:c1") == golden_of(ghub, "crm:c2") == gid
    new = golden_of(ghub, "web:w1")
    assert new != gid
    events = _events(ghub, seq)
    assert ("split", gid, principal().actor) in events and ("created", new, principal().actor) in events
    history = ghub.execute("SELECT golden_id, valid_to IS NULL FROM xref WHERE source = 'web' AND source_id = 'w1' "
                           "ORDER BY valid_from").fetchall()
    assert history == [(gid, False), (new, True)]
    assert ghub.execute("SELECT cluster_id FROM cluster_member WHERE unique_id = 'web:w1'").fetchone() == ("web:w1",)


def test_match_decision_merges_two_golden_records_keeping_the_older_id(ghub: duckdb.DuckDBPyConnection,
                                                                       rebuild: Rebuild) -> None:
    a, b = golden_of(ghub, "crm:c3"), golden_of(ghub, "web:w2")
    older, newer = sorted((a, b))
    seq = _last_seq(ghub)
    with transaction(ghub):
        change = tasks.on_links_changed(ghub, [], rebuild=rebuild, actor="x")
        assert change.counts == {"records": 0}
        tasks.decide(ghub, 2, decision="match", version=1, reason="same person", by=principal(), rebuild=rebuild)
    assert golden_of(ghub, "crm:c3") == golden_of(ghub, "web:w2") == older
    assert resolve_golden_id(ghub, newer) == older
    assert golden.golden_row(ghub, newer)["status"] == "merged"
    types = {(t, g) for t, g, _ in _events(ghub, seq)}
    assert ("merged", newer) in types and ("updated", older) in types


def test_split_merge_and_concurrency(ghub: duckdb.DuckDBPyConnection, rebuild: Rebuild) -> None:
    gid = golden_of(ghub, "crm:c1")
    v = _version(ghub, gid)
    with pytest.raises(ConflictError) as stale, transaction(ghub):
        golden.split(ghub, gid, ["web:w1"], version=v + 1, reason="x", by=principal(), rebuild=rebuild)
    assert stale.value.code == "golden.version"
    with pytest.raises(InputError, match="not a member"), transaction(ghub):
        golden.split(ghub, gid, ["crm:c3"], version=v, reason="x", by=principal(), rebuild=rebuild)
    with pytest.raises(InputError, match="at least one"), transaction(ghub):
        golden.split(ghub, gid, ["crm:c1", "crm:c2", "web:w1"], version=v, reason="x", by=principal(),
                     rebuild=rebuild)
    with transaction(ghub):
        done = golden.split(ghub, gid, ["crm:c2", "web:w1"], version=v, reason="two people", by=principal(),
                            rebuild=rebuild)
    part, rest = golden_of(ghub, "crm:c2"), golden_of(ghub, "crm:c1")
    assert part == golden_of(ghub, "web:w1") == done["split_off"], "the split-off part stays together"
    assert rest == done["golden_id"] != part
    assert part == gid, "stable ids: the id stays with the part holding most of its members"
    # a later merge undoes the split: the cannot-links it wrote are removed; the older id survives
    with transaction(ghub):
        merged = golden.merge(ghub, rest, part, version=_version(ghub, rest), reason="same after all",
                              by=principal(), rebuild=rebuild)
    assert merged["golden_id"] == gid and {golden_of(ghub, u) for u in ("crm:c1", "crm:c2", "web:w1")} == {gid}
    assert ghub.execute("SELECT count(*) FROM cannot_link").fetchone() == (0,)
    assert resolve_golden_id(ghub, rest) == gid
    with pytest.raises(ConflictError) as inactive, transaction(ghub):
        golden.merge(ghub, rest, gid, version=1, reason="x", by=principal(), rebuild=rebuild)
    assert inactive.value.code == "golden.inactive"
    assert [e.action for e in audit.entries(ghub, target=f"golden:{gid}")] == ["golden.split"]
    assert [e.action for e in audit.entries(ghub, target=f"golden:{rest}")] == ["golden.merge"]
    assert audit.verify(ghub).ok


def test_merge_then_split_undoes_it(ghub: duckdb.DuckDBPyConnection, rebuild: Rebuild) -> None:
    a, b = sorted((golden_of(ghub, "crm:c3"), golden_of(ghub, "web:w2")))
    with transaction(ghub):
        golden.merge(ghub, a, b, version=_version(ghub, a), reason="same", by=principal(), rebuild=rebuild)
    assert ghub.execute("SELECT count(*) FROM must_link").fetchone() == (1,)
    with transaction(ghub):
        done = golden.split(ghub, a, ["web:w2"], version=_version(ghub, a), reason="not the same", by=principal(),
                            rebuild=rebuild)
    assert ghub.execute("SELECT count(*) FROM must_link").fetchone() == (0,)
    assert golden_of(ghub, "crm:c3") == a and golden_of(ghub, "web:w2") == done["split_off"] != a
    [entry] = audit.entries(ghub, action="golden.split")
    assert entry.after["links_removed"][0]["table"] == "must_link"


def test_override_wins_until_reverted(ghub: duckdb.DuckDBPyConnection, rebuild: Rebuild) -> None:
    gid = golden_of(ghub, "crm:c1")
    v = _version(ghub, gid)
    before = golden.golden_row(ghub, gid)["record"]["job_title"]
    with pytest.raises(InputError, match="unknown attribute"), transaction(ghub):
        golden.add_override(ghub, gid, attribute="shoe_size", value="9", version=v, reason="x", by=principal(),
                            rebuild=rebuild)
    with transaction(ghub):
        done = golden.add_override(ghub, gid, attribute="job_title", value="CTO", version=v, reason="asked her",
                                   by=principal(), rebuild=rebuild)
    row = golden.golden_row(ghub, gid)
    assert row["record"]["job_title"] == "CTO" and row["version"] == v + 1
    lineage = ghub.execute("SELECT source, rule FROM golden_attribute WHERE golden_id = ? AND attribute = "
                           "'job_title'", [gid]).fetchone()
    assert lineage == ("steward", "steward_override")
    with pytest.raises(ConflictError), transaction(ghub):
        golden.delete_override(ghub, gid, done["override_id"], version=v, by=principal(), rebuild=rebuild)
    with transaction(ghub):
        golden.delete_override(ghub, gid, done["override_id"], version=v + 1, by=principal(), rebuild=rebuild)
    assert golden.golden_row(ghub, gid)["record"]["job_title"] == before
    with pytest.raises(NotFoundError), transaction(ghub):
        golden.delete_override(ghub, gid, done["override_id"], version=v + 2, by=principal(), rebuild=rebuild)
    [add, delete] = audit.entries(ghub, target=f"golden:{gid}")
    assert (add.action, delete.action) == ("golden.override.add", "golden.override.delete")
    assert add.before["record"]["job_title"] == before and add.after["golden"]["record"]["job_title"] == "CTO"


def test_detail_masks_pii_and_reads_history(ghub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    gid = golden_of(ghub, "crm:c1")
    clear = golden.detail(ghub, gid, as_of=None, attributes=dictionary.names, pii=PII, masked=False)
    masked = golden.detail(ghub, gid, as_of=None, attributes=dictionary.names, pii=PII, masked=True)
    assert clear["record"]["email"] == "john@x.com" and masked["record"]["email"] == "j*********"
    assert masked["record"]["first_name"] == clear["record"]["first_name"]
    assert all(e["value"] is None or e["value"].endswith("*") for e in masked["lineage"] if e["attribute"] in PII)
    assert {m["unique_id"] for m in clear["members"]} == {"crm:c1", "crm:c2", "web:w1"}
    assert clear["events"][0]["type"] == "created" and clear["versions"][0]["version"] == 1


def test_search_xref_and_conflicts(ghub: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    names = dictionary.names
    gid = golden_of(ghub, "crm:c1")

    def ids(**filters: str) -> list[str]:
        return [g["golden_id"] for g in golden.search(ghub, attributes=names, pii=PII, masked=False, **filters)[0]]

    assert ids(email=" John@X.com ") == [gid]
    assert ids(phone="415-555-2671") == [gid] == ids(phone="+1 (415) 555 2671")
    assert ids(name="SMITH john") == [gid], "every word, any case, on the golden values"
    assert ids(name="Smyth") == [gid], "issue 19.4: a member's spelling (web:w1) the golden record did not keep " \
                                       "finds the record it belongs to"
    assert len(ids(name="jones")) == 2 and ids(q="jones 12208") == [golden_of(ghub, "web:w2")]
    assert ids(postal_code="627") == [gid]
    page, total = golden.search(ghub, attributes=names, pii=PII, masked=False, limit=1, offset=1)
    assert total == 3 and len(page) == 1
    with pytest.raises(InputError):
        ids(phone="abc")
    x = golden.xref(ghub, "web", "w1")
    assert x["golden_id"] == gid and x["resolved_from"] is None and len(x["history"]) == 1
    with pytest.raises(NotFoundError):
        golden.xref(ghub, "web", "nope")
    found, total = golden.conflicts(ghub, attributes=names, pii=PII, masked=False)
    assert total >= len({c["golden_id"] for c in found})
    by_attr = {c["attribute"]: c for c in found if c["golden_id"] == gid}
    assert "first_name" in by_attr and "job_title" in by_attr
    values = {v["value"]: v["records"] for v in by_attr["job_title"]["values"]}
    assert len(values) == 2 and ["web:w1"] in values.values()
    masked, _ = golden.conflicts(ghub, attributes=names, pii=PII, masked=True, attribute="birth_date")
    assert masked == [] or all(v["value"].endswith("*") for c in masked for v in c["values"])


def test_conflicts_fold_case_and_accents_and_offer_the_source_value(ghub: duckdb.DuckDBPyConnection,
                                                                    dictionary: Dictionary) -> None:
    """Issue 19.5: a difference of case or accents only is no conflict; each value carries the
    spellings folded into it and the first asserting record's own value ("use this value")."""
    gid = golden_of(ghub, "crm:c1")
    ghub.execute("UPDATE record_std SET last_name = 'SMÍTH' WHERE source = 'web' AND source_id = 'w1'")
    found, _ = golden.conflicts(ghub, attributes=dictionary.names, pii=PII, masked=False)
    mine = {c["attribute"]: c for c in found if c["golden_id"] == gid}
    assert "last_name" not in mine, mine.get("last_name")   # smith = SMÍTH once folded
    assert mine["first_name"]["version"] == _version(ghub, gid)
    values = {v["value"]: v for v in mine["first_name"]["values"]}
    assert values["john"]["records"] == ["crm:c1", "crm:c2"] and values["john"]["raw"] == "John"
    assert values["jon"]["records"] == ["web:w1"] and values["jon"]["raw"] == "Jon"
    ghub.execute("UPDATE record_std SET last_name = 'smyth' WHERE source = 'web' AND source_id = 'w1'")
    found, _ = golden.conflicts(ghub, attributes=dictionary.names, pii=PII, masked=False, attribute="last_name")
    spelled = [v for c in found if c["golden_id"] == gid for v in c["values"]]
    assert {v["value"] for v in spelled} == {"smith", "smyth"}
    masked, _ = golden.conflicts(ghub, attributes=dictionary.names, pii=PII, masked=True, attribute="email")
    assert all(v["raw"] is None or v["raw"].endswith("*") for c in masked for v in c["values"])


@pytest.mark.parametrize(("attribute", "value", "reason"), [
    ("birth_date", "not a date", "not a valid date"),
    ("birth_date", "1850-01-01", "outside the range"),
    ("email", "jen at example", "not a valid email"),
    ("phone", "12", "not a phone number"),
])
def test_an_override_the_dictionary_refuses_changes_nothing(ghub: duckdb.DuckDBPyConnection, rebuild: Rebuild,
                                                            attribute: str, value: str, reason: str) -> None:
    gid = golden_of(ghub, "crm:c1")
    v = _version(ghub, gid)
    overrides = ghub.execute("SELECT count(*) FROM attribute_override").fetchone()
    with pytest.raises(InputError, match=reason) as err, transaction(ghub):
        golden.add_override(ghub, gid, attribute=attribute, value=value, version=v, reason="typed it",
                            by=principal(), rebuild=rebuild)
    assert err.value.code == "golden.invalid_override" and attribute in err.value.message
    assert ghub.execute("SELECT count(*) FROM attribute_override").fetchone() == overrides
    assert _version(ghub, gid) == v
    with transaction(ghub):  # a valid date in an accepted format goes through
        golden.add_override(ghub, gid, attribute="birth_date", value="1984-02-29", version=v, reason="passport",
                            by=principal(), rebuild=rebuild)
    assert golden.golden_row(ghub, gid)["record"]["birth_date"] == "1984-02-29"
