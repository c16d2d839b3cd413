"""Review-task decisions in-process on a real hub: the constraint rows, the audit entry,
optimistic concurrency and the golden-record hook."""

from __future__ import annotations

import duckdb
import pytest
from steward_data import principal

from mdm.errors import ConflictError, NotFoundError
from mdm.roles import Role
from mdm.stewardship import audit, tasks


def test_match_writes_a_must_link_and_an_audit_entry(hub: duckdb.DuckDBPyConnection) -> None:
    done = tasks.decide(hub, 1, decision="match", version=1, reason="same email", by=principal())
    assert (done.status, done.decision, done.version, done.decided_by) == ("decided", "match", 2, "alice")
    rows = hub.execute("SELECT unique_id_l, unique_id_r, created_by, reason, task_id FROM must_link").fetchall()
    assert rows == [("crm:1", "web:1", "alice", "same email", 1)]
    assert hub.execute("SELECT count(*) FROM cannot_link").fetchone() == (0,)
    [entry] = audit.entries(hub, target="task:1")
    assert entry.action == "task.decide.match" and entry.before["status"] == "open"
    assert audit.verify(hub).ok


def test_no_match_writes_a_cannot_link(hub: duckdb.DuckDBPyConnection) -> None:
    tasks.decide(hub, 2, decision="no_match", version=1, reason="different people", by=principal())
    assert hub.execute("SELECT unique_id_l, unique_id_r, task_id FROM cannot_link").fetchall() == [
        ("crm:2", "web:2", 2)]


def test_stale_version_and_second_decision_conflict(hub: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ConflictError) as stale:
        tasks.decide(hub, 1, decision="match", version=5, reason="x", by=principal())
    assert stale.value.code == "task.version"
    tasks.decide(hub, 1, decision="match", version=1, reason="x", by=principal())
    with pytest.raises(ConflictError) as again:
        tasks.decide(hub, 1, decision="no_match", version=2, reason="x", by=principal())
    assert again.value.code == "task.decided"
    assert hub.execute("SELECT count(*) FROM must_link").fetchone() == (1,)
    assert hub.execute("SELECT count(*) FROM cannot_link").fetchone() == (0,)
    with pytest.raises(NotFoundError):
        tasks.decide(hub, 99, decision="match", version=1, reason="x", by=principal())


def test_claims_belong_to_their_holder(hub: duckdb.DuckDBPyConnection) -> None:
    claimed = tasks.claim(hub, 3, by=principal("alice"))
    assert claimed.assignee == "alice" and claimed.version == 2
    assert tasks.claim(hub, 3, by=principal("alice")).version == 2, "claiming your own task again changes nothing"
    with pytest.raises(ConflictError, match="claimed by alice"):
        tasks.decide(hub, 3, decision="match", version=2, reason="x", by=principal("bob", key_id=8))
    done = tasks.decide(hub, 3, decision="match", version=2, reason="admin override",
                        by=principal("root", Role.admin, key_id=1))
    assert done.decided_by == "root"


def test_list_filters(hub: duckdb.DuckDBPyConnection) -> None:
    every, total = tasks.list_tasks(hub, tasks.TaskFilter(), limit=10, offset=0)
    assert total == 3 and [t.task_id for t in every] == [1, 2, 3]
    assert every[0].band == "unscored", "no scored pair in match_pair for it"
    in_c9, n = tasks.list_tasks(hub, tasks.TaskFilter(cluster="c9"), limit=10, offset=0)
    assert n == 1 and in_c9[0].task_id == 2
    tasks.decide(hub, 1, decision="match", version=1, reason="x", by=principal())
    assert tasks.list_tasks(hub, tasks.TaskFilter(status="open"), limit=10, offset=0)[1] == 2
    page, n = tasks.list_tasks(hub, tasks.TaskFilter(), limit=1, offset=2)
    assert n == 3 and [t.task_id for t in page] == [3]


def test_record_sides_mask_pii_for_readers(hub: duckdb.DuckDBPyConnection) -> None:
    plain = tasks.record_side(hub, "crm:1", ["first_name", "email"], pii={"email"}, masked=False)
    masked = tasks.record_side(hub, "crm:1", ["first_name", "email"], pii={"email"}, masked=True)
    assert plain["attributes"]["email"]["raw"] == "ann@acme.io"
    assert masked["attributes"]["email"]["raw"] == "a**********"
    assert masked["attributes"]["first_name"]["raw"] == "Ann"
    gone = tasks.record_side(hub, "crm:404", ["first_name"], pii=set(), masked=False)
    assert gone["found"] is False and gone["attributes"] == {}


def test_the_links_changed_hook_names_the_affected_clusters(hub: duckdb.DuckDBPyConnection) -> None:
    change = tasks.on_links_changed(hub, ["crm:2", "web:2"])
    assert change.clusters == ("c2", "c9") and change.rebuilt is False
    assert tasks.on_links_changed(hub, []).clusters == ()
