"""Reading golden records: merged-away ids resolve to their survivor; ``as_of`` reads
return the version that was current at that time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb

from mdm.errors import NotFoundError


def resolve_golden_id(con: duckdb.DuckDBPyConnection, golden_id: str) -> str:
    """Follow ``merged_into`` to the surviving golden id; NotFoundError for an unknown id."""
    seen: set[str] = set()
    current = golden_id
    while True:
        row = con.execute("SELECT status, merged_into FROM golden WHERE golden_id = ?", [current]).fetchone()
        if row is None:
            raise NotFoundError(f"golden record {golden_id!r} not found", code="golden.not_found")
        status, merged_into = row
        if status != "merged" or not merged_into or current in seen:
            return current
        seen.add(current)
        current = str(merged_into)


def golden_as_of(con: duckdb.DuckDBPyConnection, golden_id: str, as_of: dt.datetime | None = None
                 ) -> dict[str, Any]:
    """The golden record (resolved through merges) as it was at ``as_of`` (default: now):
    ``golden_id, version, status, merged_into, confidence, valid_from, valid_to, record,
    lineage, members``."""
    target = resolve_golden_id(con, golden_id) if as_of is None else golden_id
    if as_of is None:
        sql = "SELECT * FROM golden_version WHERE golden_id = ? AND valid_to IS NULL"
        params: list[Any] = [target]
    else:
        sql = ("SELECT * FROM golden_version WHERE golden_id = ? AND valid_from <= ? "
               "AND (valid_to IS NULL OR valid_to > ?) ORDER BY version DESC LIMIT 1")
        params = [target, as_of, as_of]
    cur = con.execute(sql, params)
    row = cur.fetchone()
    if row is None:
        raise NotFoundError(f"golden record {golden_id!r} has no version at {as_of or 'now'}",
                            code="golden.not_found")
    cols = [d[0] for d in cur.description]
    out = dict(zip(cols, row, strict=True))
    for key in ("record", "lineage", "members"):
        if isinstance(out[key], str):
            out[key] = json.loads(out[key])
    return out


def lookup_xref(con: duckdb.DuckDBPyConnection, source: str, source_id: str, as_of: dt.datetime | None = None
                ) -> str:
    """The golden id a source record belongs to (now, or at ``as_of``), resolved through merges."""
    if as_of is None:
        row = con.execute("SELECT golden_id FROM xref WHERE source = ? AND source_id = ? AND valid_to IS NULL",
                          [source, source_id]).fetchone()
    else:
        row = con.execute("""SELECT golden_id FROM xref WHERE source = ? AND source_id = ? AND valid_from <= ?
                             AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from DESC LIMIT 1""",
                          [source, source_id, as_of, as_of]).fetchone()
    if row is None:
        raise NotFoundError(f"no golden record for {source}:{source_id}", code="xref.not_found")
    return resolve_golden_id(con, str(row[0])) if as_of is None else str(row[0])
