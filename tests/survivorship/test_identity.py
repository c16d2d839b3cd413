"""Stable golden ids: re-runs change nothing; merges keep the older id; splits keep the id
on the larger part; moves update both sides; every change is an event."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from mdm.config import Dictionary
from mdm.survivorship import golden_as_of, lookup_xref, resolve_golden_id
from tests.survivorship.conftest import Build, golden_of

T1, T2, T3 = dt.datetime(2025, 2, 1), dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 1)


def events(con: duckdb.DuckDBPyConnection, after: int = 0) -> list[tuple[str, str, dict[str, object]]]:
    rows = con.execute("SELECT type, golden_id, related FROM golden_event WHERE seq > ? ORDER BY seq",
                       [after]).fetchall()
    return [(t, g, json.loads(r) if r else {}) for t, g, r in rows]


def last_seq(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
    return int(row[0]) if row else 0


def test_rerun_on_same_clusters_changes_nothing(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    first = build(hub, ["crm:c1", "crm:c2"], ["web:w1"], ["crm:c3", "web:w2"])
    assert first["created"] == 3 and first["events"] == 3
    snapshot = hub.execute("SELECT * FROM golden ORDER BY golden_id").fetchall()
    seq = last_seq(hub)
    again = build(hub, ["web:w1"], ["crm:c3", "web:w2"], ["crm:c2", "crm:c1"], now=T1)
    assert again["events"] == 0 and again["unchanged"] == 3 and again["created"] == 0
    assert hub.execute("SELECT * FROM golden ORDER BY golden_id").fetchall() == snapshot
    assert last_seq(hub) == seq


def test_merge_keeps_the_older_id_and_the_other_stays_resolvable(hub: duckdb.DuckDBPyConnection,
                                                                 build: Build) -> None:
    build(hub, ["crm:c1"], ["crm:c3", "web:w2"])
    older = golden_of(hub, "crm:c1")
    build(hub, ["crm:c1"], ["crm:c2", "web:w1"], ["crm:c3", "web:w2"], now=T1)  # c2+w1 arrive later
    younger = golden_of(hub, "crm:c2")
    seq = last_seq(hub)
    counts = build(hub, ["crm:c1", "crm:c2", "web:w1"], ["crm:c3", "web:w2"], now=T2)
    # the younger golden record had more members, but a merge keeps the older id
    assert {golden_of(hub, u) for u in ("crm:c1", "crm:c2", "web:w1")} == {older}
    assert counts["merged"] == 1
    got = events(hub, seq)
    assert ("merged", younger, {"merged_into": older}) in got
    updated = [r for t, g, r in got if t == "updated" and g == older]
    assert updated and sorted(updated[0]["members_added"]) == ["crm:c2", "web:w1"]  # type: ignore[arg-type]
    assert resolve_golden_id(hub, younger) == older
    assert golden_as_of(hub, younger)["golden_id"] == older
    # the cross-reference keeps its history
    assert lookup_xref(hub, "web", "w1") == older
    assert lookup_xref(hub, "web", "w1", as_of=T1 + dt.timedelta(days=1)) == younger


def test_split_keeps_the_id_on_the_larger_part(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "crm:c2", "web:w1"], ["crm:c3", "web:w2"])
    gid = golden_of(hub, "crm:c1")
    seq = last_seq(hub)
    counts = build(hub, ["crm:c1", "crm:c2"], ["web:w1"], ["crm:c3", "web:w2"], now=T1)
    assert golden_of(hub, "crm:c1") == golden_of(hub, "crm:c2") == gid
    new = golden_of(hub, "web:w1")
    assert new != gid and counts["split"] == 1 and counts["created"] == 1
    got = events(hub, seq)
    split = [r for t, g, r in got if t == "split" and g == gid]
    assert split and split[0]["split_into"] == [new] and split[0]["members_removed"] == ["web:w1"]
    created = [r for t, g, r in got if t == "created" and g == new]
    assert created and created[0]["split_from"] == gid


def test_a_record_moving_between_clusters_updates_both(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "crm:c2", "web:w1"], ["crm:c3", "web:w2"])
    a, b = golden_of(hub, "crm:c1"), golden_of(hub, "crm:c3")
    seq = last_seq(hub)
    counts = build(hub, ["crm:c1", "crm:c2"], ["crm:c3", "web:w2", "web:w1"], now=T1)
    assert counts["created"] == 0 and counts["split"] == 0 and counts["updated"] == 2
    assert golden_of(hub, "web:w1") == b and golden_of(hub, "crm:c1") == a
    got = {(t, g): r for t, g, r in events(hub, seq)}
    assert got[("updated", a)]["members_removed"] == ["web:w1"]
    assert got[("updated", b)]["members_added"] == ["web:w1"]


def test_versions_are_readable_as_of_a_time(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1"], ["crm:c2"], ["web:w1"], ["crm:c3"], ["web:w2"])
    gid = golden_of(hub, "crm:c1")
    before = golden_as_of(hub, gid)
    assert before["version"] == 1 and before["record"]["middle_name"] is None
    build(hub, ["crm:c1", "web:w1"], ["crm:c2"], ["crm:c3"], ["web:w2"], now=T2)
    now = golden_as_of(hub, gid)
    assert now["version"] == 2 and now["record"]["middle_name"] == "Quincy"
    assert golden_as_of(hub, gid, as_of=T1)["record"]["middle_name"] is None
    assert golden_as_of(hub, gid, as_of=T3)["version"] == 2


def test_a_golden_record_without_members_is_retired(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "crm:c2", "web:w1"], ["crm:c3", "web:w2"])
    gone = golden_of(hub, "crm:c3")
    seq = last_seq(hub)
    counts = build(hub, ["crm:c1", "crm:c2", "web:w1"], now=T1)  # c3 and w2 deleted from the hub
    assert counts["retired"] == 1
    assert [(t, g) for t, g, _ in events(hub, seq)] == [("retired", gone)]
    assert hub.execute("SELECT status FROM golden WHERE golden_id = ?", [gone]).fetchone() == ("retired",)


def test_event_sequence_is_gap_free_and_increasing(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    build(hub, ["crm:c1", "crm:c2", "web:w1"], ["crm:c3", "web:w2"])
    build(hub, ["crm:c1", "crm:c2"], ["web:w1"], ["crm:c3", "web:w2"], now=T1)
    build(hub, ["crm:c1", "crm:c2", "web:w1", "crm:c3", "web:w2"], now=T2)
    seqs = [r[0] for r in hub.execute("SELECT seq FROM golden_event ORDER BY seq").fetchall()]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 6


def test_a_scoped_rebuild_equals_a_full_one(tmp_path_factory: pytest.TempPathFactory, dictionary: Dictionary) -> None:
    """What a steward's decision rebuilds (only the touched records) ends where a full rebuild ends."""
    from mdm.hub import transaction
    from mdm.survivorship import build_golden, load_survivorship_rules
    from tests.survivorship.conftest import make_hub, set_clusters

    rules = load_survivorship_rules()
    steps: list[tuple[list[list[str]], list[str]]] = [
        ([["crm:c1", "crm:c2", "web:w1"], ["crm:c3", "web:w2"]], []),
        ([["crm:c1", "crm:c2"], ["crm:c3", "web:w2", "web:w1"]], ["web:w1"]),          # w1 moves
        ([["crm:c1", "crm:c2", "crm:c3", "web:w2", "web:w1"]], ["crm:c1", "crm:c3"]),   # a merge
        ([["crm:c1"], ["crm:c2"], ["crm:c3", "web:w2", "web:w1"]], ["crm:c2"]),         # a split
    ]
    states = []
    for scoped in (False, True):
        con = make_hub(tmp_path_factory.mktemp("scope"), dictionary)
        for i, (clusters, touched) in enumerate(steps):
            with transaction(con):
                set_clusters(con, *clusters)
                build_golden(con, dictionary, rules, {"crm": 90, "web": 50}, now=T1 + dt.timedelta(days=i),
                             scope=touched if scoped and i else None)
        states.append({t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                       for t in ("golden", "golden_version", "golden_attribute", "xref", "golden_event")})
        con.close()
    assert states[0] == states[1]
