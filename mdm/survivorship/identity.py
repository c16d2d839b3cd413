"""Stable golden ids: which golden id each new cluster carries.

Reads the current cross-reference (``xref``, valid_to IS NULL) and ``cluster_member``:

- each existing golden id's *home* is the cluster holding most of its current members
  (ties: the smaller cluster id);
- a cluster that is home to one golden id keeps it; home to several (a merge), it keeps
  the **oldest** and the others become ``merged`` into it (still resolvable);
- a cluster that is home to none gets a new id; when its members came from an existing
  golden record (the smaller part of a split) it records ``split_from``;
- an active golden id with no members left is ``retired``.

Re-running on the same clusters therefore keeps every id. Works on ``_sv_cm`` (the
cluster members in scope) and ``_sv_scope_golden`` (the golden ids in scope), which
:func:`mdm.survivorship.golden.build_golden` prepares. Writes temp tables
``_sv_ids (cluster_id, golden_id, is_new, split_from, members, n)``,
``_sv_merged (golden_id, merged_into)`` and ``_sv_retired (golden_id)``.
"""

from __future__ import annotations

import duckdb

ID_PREFIX = "G"
ID_DIGITS = 10


def assign_ids(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_old AS
                   SELECT source || ':' || source_id AS unique_id, golden_id FROM xref
                   WHERE valid_to IS NULL AND golden_id IN (SELECT golden_id FROM _sv_scope_golden)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_overlap AS
                   SELECT o.golden_id, c.cluster_id, count(*) AS n
                   FROM _sv_old o JOIN _sv_cm c USING (unique_id) GROUP BY ALL""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_claim AS
                   SELECT h.cluster_id, h.golden_id,
                          row_number() OVER (PARTITION BY h.cluster_id ORDER BY g.created_at, h.golden_id) AS rn
                   FROM (SELECT golden_id, cluster_id FROM _sv_overlap
                         QUALIFY row_number() OVER (PARTITION BY golden_id ORDER BY n DESC, cluster_id) = 1) h
                   JOIN golden g USING (golden_id)""")
    row = con.execute(f"""SELECT coalesce(max(TRY_CAST(substr(golden_id, {len(ID_PREFIX) + 1}) AS BIGINT)), 0)
                          FROM golden WHERE starts_with(golden_id, '{ID_PREFIX}')""").fetchone()
    base = int(row[0]) if row else 0
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_ids AS
        WITH clusters AS (SELECT cluster_id, list(unique_id ORDER BY unique_id) AS members, count(*) AS n
                          FROM _sv_cm GROUP BY cluster_id),
             kept AS (SELECT cluster_id, golden_id FROM _sv_claim WHERE rn = 1),
             origin AS (SELECT cluster_id, arg_max(golden_id, n) AS split_from FROM _sv_overlap GROUP BY cluster_id)
        SELECT c.cluster_id,
               coalesce(k.golden_id, '{ID_PREFIX}' || lpad(CAST({base} + row_number() OVER (
                   PARTITION BY k.golden_id IS NULL ORDER BY c.cluster_id) AS VARCHAR), {ID_DIGITS}, '0')) AS golden_id,
               k.golden_id IS NULL AS is_new,
               CASE WHEN k.golden_id IS NULL THEN o.split_from END AS split_from,
               c.members, c.n
        FROM clusters c LEFT JOIN kept k USING (cluster_id) LEFT JOIN origin o USING (cluster_id)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_merged AS
                   SELECT k.golden_id, i.golden_id AS merged_into
                   FROM _sv_claim k JOIN _sv_ids i USING (cluster_id) WHERE k.rn > 1""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_retired AS
                   SELECT golden_id FROM golden WHERE status = 'active'
                     AND golden_id IN (SELECT golden_id FROM _sv_scope_golden)
                     AND golden_id NOT IN (SELECT golden_id FROM _sv_ids)
                     AND golden_id NOT IN (SELECT golden_id FROM _sv_merged)""")
