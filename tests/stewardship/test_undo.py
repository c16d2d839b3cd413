"""Undo anything (issue 19.1), in-process on a real hub: unmerge a record (it rejoins the
golden record its evidence supports), reopen a decided task (its link row goes, the records
are clustered on their evidence again), each honoured by a later full re-clustering, with
events and audit entries; a preview shows the effect and leaves the hub as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from golden_hub import AUTO_MATCH, golden_of, make_golden_hub, rebuild_of
from steward_data import principal

from mdm.config import Dictionary
from mdm.errors import ConflictError
from mdm.hub import Hub, transaction
from mdm.pipeline.scoped import Rebuild, recluster
from mdm.stewardship import audit, golden, tasks
from mdm.stewardship.effects import preview
from mdm.stewardship.hubaccess import HubAccess
from mdm.survivorship import build_golden, load_survivorship_rules

ALL = ["crm:c1", "crm:c2", "crm:c3", "web:w1", "web:w2"]


@pytest.fixture
def ghub(tmp_path: Path, dictionary: Dictionary) -> duckdb.DuckDBPyConnection:
    return make_golden_hub(tmp_path, dictionary)


@pytest.fixture
def rebuild(dictionary: Dictionary) -> Rebuild:
    return rebuild_of(dictionary)


def _version(con: duckdb.DuckDBPyConnection, gid: str) -> int:
    return int(golden.golden_row(con, gid)["version"])


def _seq(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
    return int(row[0]) if row else 0


def _events(con: duckdb.DuckDBPyConnection, after: int) -> set[tuple[str, str]]:
    return {(str(r[0]), str(r[1])) for r in con.execute(
        "SELECT type, golden_id FROM golden_event WHERE seq > ?", [after]).fetchall()}


def later_full_run(con: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    """What the next run does with unchanged records: cluster all of them from match_pair and the
    steward links, then rebuild every golden record."""
    with transaction(con):
        recluster(con, ALL, AUTO_MATCH)
        build_golden(con, dictionary, load_survivorship_rules(), {"crm": 90, "web": 50}, run_id=2)


def test_unmerge_rejoins_the_golden_record_its_evidence_supports(ghub: duckdb.DuckDBPyConnection,
                                                                 rebuild: Rebuild, dictionary: Dictionary) -> None:
    # a wrong match: crm:c3 (Mary Jones) and web:w2 merged by a steward; web:w2 auto-matches crm:c2
    with transaction(ghub):
        ghub.execute("INSERT INTO match_pair VALUES (1, 'crm:c2', 'web:w2', 9.5, 0.95, 'match', NULL)")
        tasks.decide(ghub, 2, decision="match", version=1, reason="same name", by=principal(), rebuild=rebuild)
    wrong, john = golden_of(ghub, "crm:c3"), golden_of(ghub, "crm:c1")
    assert golden_of(ghub, "web:w2") == wrong
    seq = _seq(ghub)
    with pytest.raises(ConflictError), transaction(ghub):
        golden.unmerge(ghub, wrong, "web:w2", version=_version(ghub, wrong) + 1, reason="x", by=principal(),
                       rebuild=rebuild)
    with transaction(ghub):
        done = golden.unmerge(ghub, wrong, "web:w2", version=_version(ghub, wrong), reason="not Mary",
                              by=principal(), rebuild=rebuild)
    assert golden_of(ghub, "web:w2") == john == done["split_off"], "it rejoins the record it auto-matches"
    mary = golden_of(ghub, "crm:c3")
    assert mary == done["golden_id"] != john
    assert ghub.execute("SELECT count(*) FROM xref WHERE golden_id = ? AND valid_to IS NULL", [mary]).fetchone() \
        == (1,), "crm:c3 is on its own again"
    assert ("updated", john) in _events(ghub, seq), "the change feed announces it"
    assert ghub.execute("SELECT count(*) FROM must_link WHERE task_id = 2").fetchone() == (0,)
    assert ghub.execute("SELECT count(*) FROM cannot_link WHERE unique_id_l = 'crm:c3' AND unique_id_r = "
                        "'web:w2'").fetchone() == (1,)
    [entry] = audit.entries(ghub, action="golden.unmerge")
    assert entry.actor == principal().actor and entry.before["records"] == ["web:w2"]
    later_full_run(ghub, dictionary)
    assert golden_of(ghub, "web:w2") == golden_of(ghub, "crm:c1") != golden_of(ghub, "crm:c3")


def test_reopen_undoes_a_no_match_and_a_match(ghub: duckdb.DuckDBPyConnection, rebuild: Rebuild,
                                              dictionary: Dictionary) -> None:
    john = golden_of(ghub, "crm:c1")
    with transaction(ghub):
        tasks.decide(ghub, 1, decision="no_match", version=1, reason="different", by=principal(), rebuild=rebuild)
        tasks.decide(ghub, 2, decision="match", version=1, reason="same", by=principal(), rebuild=rebuild)
    assert golden_of(ghub, "web:w1") != john and golden_of(ghub, "crm:c3") == golden_of(ghub, "web:w2")
    with pytest.raises(ConflictError) as stale, transaction(ghub):
        tasks.reopen(ghub, 1, version=1, reason="x", by=principal(), rebuild=rebuild)
    assert stale.value.code == "task.version"
    seq = _seq(ghub)
    with transaction(ghub):
        t1 = tasks.reopen(ghub, 1, version=2, reason="the no-match was wrong", by=principal("bob"), rebuild=rebuild)
        t2 = tasks.reopen(ghub, 2, version=2, reason="the match was wrong", by=principal("bob"), rebuild=rebuild)
    assert (t1.status, t1.decision, t1.version, t2.status, t2.decision) == ("open", None, 3, "open", None)
    assert golden_of(ghub, "web:w1") == john, "the auto-match evidence joins them again"
    assert golden_of(ghub, "crm:c3") != golden_of(ghub, "web:w2"), "a review-band pair alone does not"
    assert ghub.execute("SELECT count(*) FROM must_link").fetchone() == (0,)
    assert ghub.execute("SELECT count(*) FROM cannot_link").fetchone() == (0,)
    types = {t for t, _ in _events(ghub, seq)}
    assert {"merged", "split"} <= types
    entries = audit.entries(ghub, action="task.reopen")
    assert [e.target for e in entries] == ["task:1", "task:2"]
    assert entries[0].before["decision"] == "no_match" and entries[0].after["links_removed"][0]["table"] == \
        "cannot_link"
    with pytest.raises(ConflictError) as again, transaction(ghub):
        tasks.reopen(ghub, 1, version=3, reason="x", by=principal(), rebuild=rebuild)
    assert again.value.code == "task.open"
    later_full_run(ghub, dictionary)
    assert golden_of(ghub, "web:w1") == john and golden_of(ghub, "crm:c3") != golden_of(ghub, "web:w2")


def test_preview_shows_the_effect_and_changes_nothing(tmp_path: Path, ghub: duckdb.DuckDBPyConnection,
                                                      rebuild: Rebuild, dictionary: Dictionary) -> None:
    access = HubAccess(hub=Hub(path=tmp_path / "hub.duckdb", con=ghub))
    gid = golden_of(ghub, "crm:c1")
    version, seq = _version(ghub, gid), _seq(ghub)
    audit_rows = ghub.execute("SELECT count(*) FROM audit_log").fetchone()

    effect = preview(access, lambda c: golden.split(c, gid, ["web:w1"], version=version, reason="p",
                                                    by=principal(), rebuild=rebuild),
                     golden_ids=[gid], records=["web:w1"], attributes=dictionary.names, pii={"email"}, masked=True,
                     what="previewing")
    assert effect.error is None
    [before] = effect.before
    assert set(before.members) == {"crm:c1", "crm:c2", "web:w1"}
    after = {g.golden_id: g for g in effect.after}
    assert set(after[gid].members) == {"crm:c1", "crm:c2"}
    [new] = effect.new_ids
    assert after[new].members == ("web:w1",) and ("created", new) in effect.events
    assert after[gid].values["email"] != "john@x.com" and after[gid].values["first_name"] == "John", "masked"
    # nothing stayed behind
    assert _seq(ghub) == seq and _version(ghub, gid) == version and golden_of(ghub, "web:w1") == gid
    assert ghub.execute("SELECT count(*) FROM cannot_link").fetchone() == (0,)
    assert ghub.execute("SELECT count(*) FROM audit_log").fetchone() == audit_rows

    refused = preview(access, lambda c: golden.split(c, gid, ["crm:c1", "crm:c2", "web:w1"], version=version,
                                                     reason="p", by=principal(), rebuild=rebuild),
                      golden_ids=[gid], records=[], attributes=dictionary.names, pii=set(), masked=False,
                      what="previewing")
    assert refused.error is not None and "at least one" in refused.error and refused.after == []
