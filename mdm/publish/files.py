"""Files a CRM or ERP imports to take the golden records back (``mdm publish``).

Per target system (a configured source), two files:

- **upsert**: one row per target record whose golden record changed since the last
  publish to that target (all with ``full``), keyed by the target's own id column, with
  the golden values under the target's own column names (from its source mapping) and
  ``mdm_golden_id``. An empty cell means "no golden value": leave the field as it is.
- **merge**: for every golden record holding two or more of the target's records, the
  target's duplicates to merge: ``losing_id -> surviving_id`` with ``golden_id``. The
  surviving record is the one that contributed most golden values, then the most
  recently updated, then the smallest id.

Both are **machine files** (see :mod:`mdm.export`): every value exactly as the hub holds
it, nothing quoted for spreadsheets, so the id columns equal the target's own ids (a
source id ``=1+1`` or ``-2`` comes back as it is) and a phone ``+14155550100`` is not
turned into ``'+14155550100``.

"Since the last publish" is measured on the change feed: ``publish_log`` keeps the
last event sequence each target received. Files are written under temporary names and
renamed; the log row is written in the same transaction, so a failed publish sends
nothing twice and loses nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mdm.config import Project
from mdm.errors import InputError
from mdm.export import write_query
from mdm.hub.sql import ident

FORMATS = ("csv", "parquet", "jsonl")


@dataclass
class PublishResult:
    target: str
    upserts: int
    merges: int
    seq_from: int
    seq_to: int
    full: bool
    files: dict[str, Path] = field(default_factory=dict)



def publish_files(con: duckdb.DuckDBPyConnection, project: Project, target: str, out_dir: Path, *,
                  fmt: str = "csv", full: bool = False, now: dt.datetime | None = None) -> PublishResult:
    """Write the upsert and merge files for ``target``; call inside a transaction."""
    if fmt not in FORMATS:
        raise InputError(f"unknown publish format {fmt!r}; choose one of {', '.join(FORMATS)}",
                         code="publish.format")
    mapping, _ = project.source(target)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file; --out takes a folder", code="publish.out")
    now = now or dt.datetime.now()
    row = con.execute("SELECT max(seq_to) FROM publish_log WHERE target = ?", [target]).fetchone()
    last = int(row[0]) if row and row[0] is not None else None
    row = con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
    head = int(row[0]) if row else 0
    full = full or last is None
    seq_from = 0 if full else int(last or 0)
    con.execute("""CREATE OR REPLACE TEMP TABLE _pub_members AS
                   SELECT x.source_id, x.golden_id FROM xref x JOIN golden g USING (golden_id)
                   WHERE x.valid_to IS NULL AND x.source = ? AND g.status = 'active'""", [target])
    if full:
        con.execute("CREATE OR REPLACE TEMP TABLE _pub_golden AS SELECT DISTINCT golden_id FROM _pub_members")
    else:
        con.execute("""CREATE OR REPLACE TEMP TABLE _pub_golden AS
                       SELECT golden_id FROM golden_event WHERE seq > $a AND seq <= $b
                       UNION SELECT related->>'merged_into' FROM golden_event
                             WHERE seq > $a AND seq <= $b AND type = 'merged'""", {"a": seq_from, "b": head})
    columns = [(attr, col) for attr, col in mapping.columns.items() if attr in project.dictionary.attributes]
    values = ", ".join(f"g.record->>'{attr}' AS {ident(col)}" for attr, col in columns)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _pub_upsert AS
                    SELECT m.source_id AS {ident(mapping.id_column)}, {values}, m.golden_id AS mdm_golden_id
                    FROM _pub_members m JOIN _pub_golden c USING (golden_id) JOIN golden g USING (golden_id)
                    ORDER BY m.source_id""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _pub_merge AS
                   WITH ranked AS (
                       SELECT m.golden_id, m.source_id,
                              row_number() OVER (PARTITION BY m.golden_id ORDER BY coalesce(a.n, 0) DESC,
                                  r.updated_at DESC NULLS LAST, m.source_id) AS rk
                       FROM _pub_members m JOIN _pub_golden c USING (golden_id)
                       JOIN record r ON r.source = $t AND r.source_id = m.source_id
                       LEFT JOIN (SELECT golden_id, source_id, count(*) AS n FROM golden_attribute
                                  WHERE source = $t GROUP BY ALL) a
                              ON a.golden_id = m.golden_id AND a.source_id = m.source_id)
                   SELECT l.source_id AS losing_id, w.source_id AS surviving_id, l.golden_id
                   FROM ranked l JOIN ranked w ON w.golden_id = l.golden_id AND w.rk = 1
                   WHERE l.rk > 1 ORDER BY l.golden_id, l.source_id""", {"t": target})
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{target}-{seq_from:09d}-{head:09d}"
    files = {"upsert": out_dir / f"{stem}-upsert.{fmt}", "merge": out_dir / f"{stem}-merge.{fmt}"}
    written: list[Path] = []
    try:
        for kind, path in files.items():
            _write(con, f"_pub_{kind}", path, fmt)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    counts = [con.execute(f"SELECT count(*) FROM _pub_{k}").fetchone() for k in ("upsert", "merge")]
    upserts, merges = (int(c[0]) if c else 0 for c in counts)
    con.execute("INSERT INTO publish_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [target, now, seq_from, head, full, upserts, merges,
                 '{' + ", ".join(f'"{k}": "{p.name}"' for k, p in files.items()) + '}'])
    for table in ("_pub_members", "_pub_golden", "_pub_upsert", "_pub_merge"):
        con.execute(f"DROP TABLE {table}")
    return PublishResult(target=target, upserts=upserts, merges=merges, seq_from=seq_from, seq_to=head, full=full,
                         files=files)


def _write(con: duckdb.DuckDBPyConnection, table: str, path: Path, fmt: str) -> None:
    # an import file for the target system, not a worklist: exact values, keys above all
    write_query(con, f"SELECT * FROM {table}", path, fmt, reader="machine")
