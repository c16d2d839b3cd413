"""The change feed: golden-record events in sequence order.

Sequence numbers are assigned ``max + 1`` inside the writing transaction under a primary
key, so a writer can only commit seq N+1 after seq N is committed: a consumer that pages
with ``after = last seq seen`` never misses an event that commits later with a smaller
number, and never sees one twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb

MAX_PAGE = 1000
T = TypeVar("T")


def read_events(con: duckdb.DuckDBPyConnection, after: int = 0, limit: int = 100,
                types: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Events with ``seq > after`` in order, at most ``limit`` (capped at :data:`MAX_PAGE`)."""
    limit = max(1, min(int(limit), MAX_PAGE))
    sql = """SELECT seq, type, golden_id, occurred_at, run_id, actor, CAST(changes AS VARCHAR),
                    CAST(record AS VARCHAR), CAST(related AS VARCHAR)
             FROM golden_event WHERE seq > ?"""
    params: list[Any] = [int(after)]
    if types:
        sql += " AND list_contains(?, type)"
        params.append(list(types))
    sql += " ORDER BY seq LIMIT ?"
    params.append(limit)
    return [event_dict(r) for r in con.execute(sql, params).fetchall()]


def event_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    seq, type_, golden_id, occurred_at, run_id, actor, changes, record, related = row
    return {
        "seq": int(seq), "type": type_, "golden_id": golden_id,
        "occurred_at": occurred_at.isoformat() if occurred_at is not None else None,
        "run_id": run_id, "actor": actor,
        "changes": json.loads(changes) if changes else {},
        "record": json.loads(record) if record else None,
        "related": json.loads(related) if related else {},
    }


def retry_conflicts(work: Callable[[], T], attempts: int = 20, pause: float = 0.01) -> T:
    """Run a write transaction again when a concurrent writer took the same sequence number
    (DuckDB reports a constraint or write-write conflict); other errors pass through."""
    for attempt in range(attempts):
        try:
            return work()
        except (duckdb.ConstraintException, duckdb.TransactionException) as exc:
            if attempt == attempts - 1:
                raise
            text = str(exc).lower()
            if "conflict" not in text and "duplicate key" not in text and "primary key" not in text:
                raise
            time.sleep(pause * (attempt + 1))
    raise AssertionError("unreachable")
