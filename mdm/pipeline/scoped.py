"""The pipeline for a scope of records: re-cluster and rebuild their golden records at once after a
steward changes the links (issue 6, phase 2), in the order a run would.

A decision (task match / no-match, merge, split) writes ``must_link`` / ``cannot_link``
rows; :func:`recluster` then re-clusters only the clusters that contain the touched
records, from ``match_pair`` and the steward links restricted to those records, and
replaces their ``cluster_member`` rows; :func:`rebuild_scope` runs survivorship scoped
to them, which writes new golden versions, xref history and change events. Everything
runs inside the caller's write transaction, so a failure leaves the hub as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from mdm.cluster import ClusterSettings, cluster_records
from mdm.config import Dictionary, Project
from mdm.hub.register import register
from mdm.match.rules import load_match_rules
from mdm.match.thresholds import effective
from mdm.survivorship import SurvivorshipRules, build_golden, load_survivorship_rules


@dataclass(frozen=True)
class Rebuild:
    """What a scoped rebuild needs from the project: dictionary, survivorship rules, source
    trust and the auto-match threshold clustering uses."""

    dictionary: Dictionary
    rules: SurvivorshipRules
    trust: dict[str, int]
    auto_match: float

    @classmethod
    def of(cls, project: Project) -> Rebuild:
        return cls(dictionary=project.dictionary, rules=load_survivorship_rules(project.survivorship_rules),
                   trust={m.source: m.trust for m, _ in project.sources},
                   auto_match=effective(load_match_rules(project.match_rules).thresholds,
                                        project.hub.parent / "models").auto_match)


def _in(table: str, column: str) -> str:
    return f"{column} IN (SELECT unique_id FROM {table})"


def recluster(con: duckdb.DuckDBPyConnection, unique_ids: list[str], auto_match: float) -> list[str]:
    """Re-cluster the clusters holding ``unique_ids``; returns every record re-clustered."""
    con.execute("CREATE OR REPLACE TEMP TABLE _rb_ids (unique_id VARCHAR)")
    if unique_ids:
        con.executemany("INSERT INTO _rb_ids VALUES (?)", [(u,) for u in dict.fromkeys(unique_ids)])
    con.execute("""INSERT INTO _rb_ids SELECT DISTINCT c.unique_id FROM cluster_member c
                   WHERE c.cluster_id IN (SELECT cluster_id FROM cluster_member WHERE unique_id IN
                                          (SELECT unique_id FROM _rb_ids))
                     AND c.unique_id NOT IN (SELECT unique_id FROM _rb_ids)""")
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    ids = ", ".join(c if c in have else f"CAST(NULL AS VARCHAR) AS {c}" for c in ("national_id", "birth_date"))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _rb_records AS
                    SELECT source || ':' || source_id AS unique_id, {ids} FROM record_std
                    WHERE source || ':' || source_id IN (SELECT unique_id FROM _rb_ids)""")
    records = [str(r[0]) for r in con.execute("SELECT unique_id FROM _rb_records ORDER BY 1").fetchall()]
    if not records:
        con.execute("DROP TABLE _rb_records")
        con.execute("DROP TABLE _rb_ids")
        return []

    def links(table: str) -> str:
        return (f"(SELECT * FROM {table} WHERE {_in('_rb_records', 'unique_id_l')} "
                f"AND {_in('_rb_records', 'unique_id_r')})")

    result = cluster_records("_rb_records", links("match_pair"), must_link=links("must_link"),
                             cannot_link=links("cannot_link"),
                             settings=ClusterSettings(auto_match_probability=auto_match), con=con)
    row = con.execute("SELECT coalesce(max(run_id), 0) FROM cluster_member").fetchone()
    run_id = int(row[0]) if row else 0
    con.execute("DELETE FROM cluster_member WHERE unique_id IN (SELECT unique_id FROM _rb_ids)")
    register(con, "_rb_assignments", result.assignments)
    con.execute("INSERT INTO cluster_member SELECT unique_id, cluster_id, ? FROM _rb_assignments", [run_id])
    con.unregister("_rb_assignments")
    con.execute("DROP TABLE _rb_records")
    con.execute("DROP TABLE _rb_ids")
    return records


def rebuild_scope(con: duckdb.DuckDBPyConnection, rebuild: Rebuild, scope: list[str], *, actor: str,
                   recluster_first: bool = True) -> dict[str, Any]:
    """Re-cluster (unless only an override changed) and rebuild the golden records of ``scope``."""
    affected = recluster(con, scope, rebuild.auto_match) if recluster_first else list(scope)
    if not affected:
        return {"records": 0}
    counts = build_golden(con, rebuild.dictionary, rebuild.rules, rebuild.trust, actor=actor, scope=affected)
    counts["records"] = len(affected)
    return counts


_LOADED: dict[int, tuple[Project, Rebuild]] = {}


def rebuild_for(project: Project) -> Rebuild:
    """The project's :class:`Rebuild`, loaded once per project object (the server's settings)."""
    hit = _LOADED.get(id(project))
    if hit is None or hit[0] is not project:
        hit = (project, Rebuild.of(project))
        _LOADED[id(project)] = hit
    return hit[1]
