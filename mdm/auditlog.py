"""The audit log: append-only and tamper-evident.

Every change a person or integration makes through the server or the CLI (a decision, a
claim, a key created or revoked, a run started) appends one row: who, what action, on
which target, the state before and after, and when. Each row stores ``hash`` =
sha256(canonical JSON of its own fields + the previous row's hash), so editing,
inserting or deleting a row in the middle breaks the chain at that row and
:func:`verify` names it. This module offers appending, reading and verifying, and
nothing that updates or deletes a row.

Core, not web layer: it is hub data that the server and ``mdm keys`` both write
(:mod:`mdm.stewardship.audit` re-exports it for the web modules).

Limits: the chain proves the log consistent with itself; cutting rows off its end is
only visible against a head hash kept elsewhere (``GET /api/v1/audit/verify`` returns it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import duckdb

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head: str
    broken_at: int | None = None
    problem: str | None = None


def canonical(value: Any) -> str | None:
    """The one JSON spelling of a value that the hash covers (None stays SQL NULL)."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(seq: int, at: dt.datetime, actor: str, action: str, target: str, before: str | None,
               after: str | None, prev_hash: str) -> str:
    material = json.dumps([seq, at.isoformat(timespec="microseconds"), actor, action, target, before, after,
                           prev_hash], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def append(con: duckdb.DuckDBPyConnection, *, actor: str, action: str, target: str, before: Any,
           after: Any) -> Entry:
    """Append one entry, inside the caller's transaction (so it commits with the change it records)."""
    last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    at = dt.datetime.now()
    b, a = canonical(before), canonical(after)
    digest = entry_hash(seq, at, actor, action, target, b, a, prev)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, at, actor, action, target, b, a, prev, digest])
    return Entry(seq, at, actor, action, target, before, after, prev, digest)


_COLUMNS = "seq, occurred_at, actor, action, target, CAST(before AS VARCHAR), CAST(after AS VARCHAR), prev_hash, hash"


def _entry(row: tuple[Any, ...]) -> Entry:
    seq, at, actor, action, target, before, after, prev_hash, digest = row
    return Entry(int(seq), at, actor, action, target, json.loads(before) if before is not None else None,
                 json.loads(after) if after is not None else None, prev_hash, digest)


def entries(con: duckdb.DuckDBPyConnection, *, after_seq: int = 0, limit: int = 100, target: str | None = None,
            actor: str | None = None, action: str | None = None) -> list[Entry]:
    """Entries with ``seq > after_seq`` in order, optionally of one target, actor or action."""
    where: list[str] = ["seq > ?"]
    params: list[object] = [after_seq]
    for column, value in (("target", target), ("actor", actor), ("action", action)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    rows = con.execute(f"SELECT {_COLUMNS} FROM audit_log WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
                       [*params, limit]).fetchall()
    return [_entry(r) for r in rows]


def verify(con: duckdb.DuckDBPyConnection) -> Verification:
    """Walk the whole chain; the first row whose link or hash does not hold is reported."""
    prev, expected_seq, n = GENESIS, 1, 0
    for row in con.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq").fetchall():
        seq, at, actor, action, target, before, after, prev_hash, digest = row
        n += 1
        if int(seq) != expected_seq:
            return Verification(False, n, prev, int(seq), f"entry {expected_seq} is missing")
        if prev_hash != prev:
            return Verification(False, n, prev, int(seq), f"entry {seq} does not link to entry {seq - 1}")
        b = canonical(json.loads(before)) if before is not None else None
        a = canonical(json.loads(after)) if after is not None else None
        if entry_hash(int(seq), at, actor, action, target, b, a, prev_hash) != digest:
            return Verification(False, n, prev, int(seq), f"entry {seq} was altered after it was written")
        prev, expected_seq = digest, expected_seq + 1
    return Verification(True, n, prev)
