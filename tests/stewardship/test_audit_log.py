"""The audit log is append-only and tamper-evident: any edit or removal breaks the chain
at the row it touched."""

from __future__ import annotations

import inspect
import itertools

import duckdb

from mdm import auditlog as audit
from mdm.stewardship import audit as web_audit


def _fill(con: duckdb.DuckDBPyConnection, n: int = 5) -> list[audit.Entry]:
    return [audit.append(con, actor="alice (key 7, steward)", action="task.claim", target=f"task:{i}",
                         before={"assignee": None, "version": i}, after={"assignee": "alice", "version": i + 1})
            for i in range(1, n + 1)]


def test_entries_chain_and_verify(hub: duckdb.DuckDBPyConnection) -> None:
    entries = _fill(hub)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    check = audit.verify(hub)
    assert check.ok and check.entries == 5 and check.head == entries[-1].hash
    read = audit.entries(hub, after_seq=2, limit=2)
    assert [e.seq for e in read] == [3, 4] and read[0].after == {"assignee": "alice", "version": 4}
    assert [e.seq for e in audit.entries(hub, target="task:5")] == [5]


def test_an_edited_row_is_detected(hub: duckdb.DuckDBPyConnection) -> None:
    _fill(hub)
    hub.execute("""UPDATE audit_log SET after = '{"assignee":"mallory","version":4}' WHERE seq = 3""")
    check = audit.verify(hub)
    assert not check.ok and check.broken_at == 3 and "altered" in (check.problem or "")


def test_a_rewritten_actor_is_detected(hub: duckdb.DuckDBPyConnection) -> None:
    _fill(hub)
    hub.execute("UPDATE audit_log SET actor = 'bob' WHERE seq = 1")
    assert audit.verify(hub).broken_at == 1


def test_a_removed_row_is_detected(hub: duckdb.DuckDBPyConnection) -> None:
    _fill(hub)
    hub.execute("DELETE FROM audit_log WHERE seq = 2")
    check = audit.verify(hub)
    assert not check.ok and check.broken_at == 3 and "missing" in (check.problem or "")


def test_a_forged_row_with_a_fresh_hash_still_breaks_the_next_link(hub: duckdb.DuckDBPyConnection) -> None:
    entries = _fill(hub)
    old = entries[1]
    forged_after = audit.canonical({"assignee": "mallory"})
    forged = audit.entry_hash(old.seq, old.at, old.actor, old.action, old.target, audit.canonical(old.before),
                              forged_after, old.prev_hash)
    hub.execute("UPDATE audit_log SET after = ?, hash = ? WHERE seq = 2", [forged_after, forged])
    check = audit.verify(hub)
    assert not check.ok and check.broken_at == 3 and "does not link" in (check.problem or "")


def test_the_module_offers_no_way_to_change_or_remove_entries() -> None:
    public = [n for n, f in inspect.getmembers(audit, inspect.isfunction)
              if not n.startswith("_") and f.__module__ == audit.__name__]
    assert set(public) == {"append", "entries", "verify", "canonical", "entry_hash"}
    source = inspect.getsource(audit)
    assert "UPDATE audit_log" not in source and "DELETE FROM audit_log" not in source


def test_the_web_layer_sees_the_same_log() -> None:
    """The web modules import the core log through mdm.stewardship.audit: the same functions, no copy."""
    assert web_audit.append is audit.append and web_audit.verify is audit.verify and web_audit.Entry is audit.Entry
