"""Entity resolution inside a run: match the hub's records, open review tasks, cluster.

The part of the pipeline that orders the match and cluster stages and owns their hub
writes: ``match_pair`` (the latest scored
pairs, with explanations), ``cluster_member``, and new ``review_task`` rows. Steward
decisions (``must_link``, ``cannot_link``) are read, never written, so nothing a
steward decided is undone by a re-run.

Review tasks are opened for decisions that can change a customer, once each: a pair in
the review band whose records ended in *different* clusters (inside one cluster the
records are already merged through stronger evidence), one task per pair of clusters
(its most likely pair stands for the others: deciding it decides the merge), and at most
``thresholds.review_max_tasks`` per run, most likely merges first. Everything else in
the band stays visible in ``match_pair``.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from mdm import progress
from mdm.cluster import ClusterSettings, cluster_records
from mdm.hub.register import register
from mdm.match.rules import load_match_rules
from mdm.match.stage import match_records

#: sub-steps with counts, shown on the CLI's status line and written to the project's log
log = logging.getLogger("mdm.resolve")

STEWARD_LABELS = """
    SELECT unique_id_l, unique_id_r, 'match' AS decision FROM must_link
    UNION ALL SELECT unique_id_l, unique_id_r, 'no_match' FROM cannot_link"""


def resolve(con: duckdb.DuckDBPyConnection, rules_path: Path, model_dir: Path, run_id: int, *,
            retrain: bool = False) -> dict[str, Any]:
    """Match and cluster every record in ``record_std``; returns the run summary part."""
    if not _exists(con, "record_std"):
        return {"records": 0, "pairs": 0, "review_tasks_opened": 0, "clusters": 0, "duplicates_removed": 0}
    rules = load_match_rules(rules_path)
    labels = con.execute(STEWARD_LABELS).df()
    count = con.execute("SELECT count(*) FROM record_std").fetchone()
    log.info("matching %s records (model training or reuse, then scoring pairs)", count[0] if count else 0)
    result = match_records(con, rules, model_dir, retrain=retrain, labels=labels if len(labels) else None)
    log.info("scored %s pairs; writing them", result.pairs.num_rows)
    _write_pairs(con, result.pairs, run_id)
    auto_match = result.thresholds.auto_match if result.thresholds else rules.thresholds.auto_match
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    ids = ", ".join(c if c in have else f"CAST(NULL AS VARCHAR) AS {c}" for c in ("national_id", "birth_date"))
    log.info("clustering %s records from %s scored pairs", count[0] if count else 0, result.pairs.num_rows)
    clusters = cluster_records(
        f"(SELECT source || ':' || source_id AS unique_id, {ids} FROM record_std)",
        "match_pair", must_link="must_link", cannot_link="cannot_link",
        settings=ClusterSettings(auto_match_probability=auto_match), con=con,
    )
    log.info("%s clusters; opening review tasks", clusters.report.to_dict(max_items=0)["n_clusters"])
    _write_clusters(con, clusters.assignments, run_id)
    opened, review = _open_review_tasks(con, run_id, rules.thresholds.review_max_tasks)
    report = clusters.report.to_dict(max_items=50)
    progress.summary(f"{report['n_records']:,} records, {result.pairs.num_rows:,} pairs scored, "
                     f"{report['n_clusters']:,} clusters, {opened:,} review tasks opened")
    match = result.summary()
    match["notes"] = list(result.model.manifest.get("notes", []))  # e.g. too little evidence to match
    return {
        "match": match,
        "records": report["n_records"],
        "pairs": result.pairs.num_rows,
        "review_tasks_opened": opened,
        "review": review,
        "clusters": report["n_clusters"],
        "duplicates_removed": report["n_records"] - report["n_clusters"],
        "cluster": report,
    }


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()
    return bool(row and row[0])


def _write_pairs(con: duckdb.DuckDBPyConnection, pairs: pa.Table, run_id: int) -> None:
    con.execute("DELETE FROM match_pair")
    register(con, "_pairs_arrow", pairs)
    con.execute(
        """INSERT INTO match_pair SELECT ?, unique_id_l, unique_id_r, match_weight, match_probability, band,
                  CAST(explanation AS JSON) FROM _pairs_arrow""", [run_id])
    con.unregister("_pairs_arrow")


def _open_review_tasks(con: duckdb.DuckDBPyConnection, run_id: int, max_tasks: int | None = None
                       ) -> tuple[int, dict[str, int]]:
    """Open a task per pair of clusters joined by a review-band pair (see the module doc).

    Two clusters that already have a task between them (any status), and pairs with a
    steward decision either way, get no new one.
    Returns the tasks opened and how the band was narrowed down to them.
    """
    before = con.execute("SELECT count(*) FROM review_task").fetchone()
    limit = "" if max_tasks is None else f"LIMIT {int(max_tasks)}"
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _review_candidates AS
        SELECT p.unique_id_l, p.unique_id_r, p.match_probability, p.match_weight, p.explanation,
               cl.cluster_id AS cluster_l, cr.cluster_id AS cluster_r
        FROM match_pair p
        JOIN cluster_member cl ON cl.unique_id = p.unique_id_l
        JOIN cluster_member cr ON cr.unique_id = p.unique_id_r
        WHERE p.band = 'review'""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _tasked AS
        SELECT DISTINCT least(cl.cluster_id, cr.cluster_id) AS a, greatest(cl.cluster_id, cr.cluster_id) AS b
        FROM review_task t
        JOIN cluster_member cl ON cl.unique_id = t.unique_id_l
        JOIN cluster_member cr ON cr.unique_id = t.unique_id_r""")
    counts = con.execute("""
        SELECT count(*), count(*) FILTER (cluster_l <> cluster_r),
               count(DISTINCT (least(cluster_l, cluster_r), greatest(cluster_l, cluster_r)))
                   FILTER (cluster_l <> cluster_r)
        FROM _review_candidates""").fetchone()
    con.execute(
        f"""INSERT INTO review_task (task_id, status, created_at, run_id, unique_id_l, unique_id_r,
                                     match_probability, match_weight, explanation, version)
            WITH open_pairs AS (
                SELECT * FROM _review_candidates p
                WHERE cluster_l <> cluster_r
                  AND NOT EXISTS (SELECT 1 FROM _tasked t  -- these two customers already have a task
                                  WHERE t.a = least(p.cluster_l, p.cluster_r)
                                    AND t.b = greatest(p.cluster_l, p.cluster_r))
                  AND NOT EXISTS (SELECT 1 FROM ({STEWARD_LABELS}) d
                                  WHERE (d.unique_id_l = p.unique_id_l AND d.unique_id_r = p.unique_id_r)
                                     OR (d.unique_id_l = p.unique_id_r AND d.unique_id_r = p.unique_id_l))
                QUALIFY row_number() OVER (
                    PARTITION BY least(cluster_l, cluster_r), greatest(cluster_l, cluster_r)
                    ORDER BY match_probability DESC, unique_id_l, unique_id_r) = 1),
            chosen AS (SELECT * FROM open_pairs ORDER BY match_probability DESC, unique_id_l, unique_id_r {limit})
            SELECT nextval('task_id_seq'), 'open', ?, ?, unique_id_l, unique_id_r, match_probability,
                   match_weight, explanation, 1
            FROM chosen ORDER BY match_probability DESC, unique_id_l, unique_id_r""",
        [dt.datetime.now(), run_id],
    )
    con.execute("DROP TABLE IF EXISTS _review_candidates")
    con.execute("DROP TABLE IF EXISTS _tasked")
    after = con.execute("SELECT count(*) FROM review_task").fetchone()
    opened = int(after[0]) - int(before[0]) if before and after else 0
    band, across, cluster_pairs = (int(x) for x in counts) if counts else (0, 0, 0)
    return opened, {"band_pairs": band, "across_clusters": across, "cluster_pairs": cluster_pairs,
                    "opened": opened}


def _write_clusters(con: duckdb.DuckDBPyConnection, assignments: pa.Table, run_id: int) -> None:
    con.execute("DELETE FROM cluster_member")
    register(con, "_clusters_arrow", assignments)
    con.execute("INSERT INTO cluster_member SELECT unique_id, cluster_id, ? FROM _clusters_arrow", [run_id])
    con.unregister("_clusters_arrow")
