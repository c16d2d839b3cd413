"""Build golden records from clusters: survivorship, stable ids, versions, xref, events.

``build_golden`` runs inside the caller's transaction (the pipeline run, or a steward's
decision) and touches only what changed: a golden record whose values, lineage and
members are the same as its current version is left alone, so re-running on the same
data writes nothing and emits no event. Every change becomes

- a new row in ``golden_version`` (the previous one gets ``valid_to``; ``as_of`` reads),
- the record's current lineage in ``golden_attribute``,
- cross-reference rows for members whose golden id changed (history kept by validity),
- an event in ``golden_event`` (created, updated, merged, split, retired) with the changed
  attributes before/after and the full new record, numbered gap-free.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb

from mdm.config import Dictionary
from mdm.hub import search as search_index
from mdm.hub.sql import ident
from mdm.survivorship.choose import choose
from mdm.survivorship.identity import assign_ids
from mdm.survivorship.rules import SurvivorshipRules, plan

CHANGE_TYPES = ("created", "updated", "merged", "split", "retired")


def build_golden(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, rules: SurvivorshipRules,
                 trust: dict[str, int], *, run_id: int | None = None, now: dt.datetime | None = None,
                 actor: str | None = None, scope: list[str] | None = None) -> dict[str, Any]:
    """Rebuild golden records from ``cluster_member``; returns counts per change type.

    ``scope`` (unique ids ``source:source_id``) limits the rebuild to the clusters those
    records are in now and the golden records they belonged to before: what a steward's
    decision or a real-time upsert touches. Without it everything is rebuilt."""
    now = now or dt.datetime.now()
    _scope(con, scope)
    present = _present_attributes(con, dictionary)
    the_plan = plan(rules, dictionary, present)
    choose(con, dictionary, the_plan, trust)
    assign_ids(con)
    _apply_overrides(con)
    _assemble(con, dictionary.names)
    counts = _write(con, dictionary.names, run_id, now, actor)
    # the search index follows in the same transaction: all of it after a full build, else the
    # golden ids in scope (a member's value can change while its golden record does not)
    if scope is None:
        search_index.rebuild(con)
    else:
        search_index.refresh(con, "SELECT golden_id FROM _sv_ids UNION ALL SELECT golden_id FROM _sv_merged "
                                  "UNION ALL SELECT golden_id FROM _sv_retired")
    counts["notes"] = list(the_plan.notes)
    for table in ("_sv_base", "_sv_chosen", "_sv_new", "_sv_diff", "_sv_old", "_sv_overlap", "_sv_claim",
                  "_sv_scope_golden", "_sv_scope_ids"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP TABLE IF EXISTS _sv_cm")
    return counts


def _scope(con: duckdb.DuckDBPyConnection, scope: list[str] | None) -> None:
    """``_sv_cm``: cluster members in scope; ``_sv_scope_golden``: golden ids in scope."""
    con.execute("DROP TABLE IF EXISTS _sv_cm")
    if scope is None:
        con.execute("CREATE TEMP TABLE _sv_cm AS SELECT * FROM cluster_member")
        con.execute("""CREATE OR REPLACE TEMP TABLE _sv_scope_golden AS
                       SELECT golden_id FROM golden WHERE status = 'active'""")
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _sv_scope_ids (unique_id VARCHAR)")
    con.executemany("INSERT INTO _sv_scope_ids VALUES (?)", [(u,) for u in dict.fromkeys(scope)])
    # close over "same golden record before" and "same cluster now" until nothing is added, so
    # every golden id in scope has all its members in scope (its home cluster is then right)
    while True:
        con.execute("""CREATE OR REPLACE TEMP TABLE _sv_scope_golden AS
                       SELECT DISTINCT golden_id FROM xref WHERE valid_to IS NULL
                         AND source || ':' || source_id IN (SELECT unique_id FROM _sv_scope_ids)""")
        added = con.execute("""
            INSERT INTO _sv_scope_ids
            SELECT DISTINCT unique_id FROM (
                SELECT source || ':' || source_id AS unique_id FROM xref
                WHERE valid_to IS NULL AND golden_id IN (SELECT golden_id FROM _sv_scope_golden)
                UNION ALL
                SELECT c.unique_id FROM cluster_member c WHERE c.cluster_id IN (
                    SELECT cluster_id FROM cluster_member WHERE unique_id IN (SELECT unique_id FROM _sv_scope_ids)))
            WHERE unique_id NOT IN (SELECT unique_id FROM _sv_scope_ids)""").fetchone()
        if not added or not added[0]:
            break
    con.execute("""CREATE TEMP TABLE _sv_cm AS
                   SELECT * FROM cluster_member WHERE unique_id IN (SELECT unique_id FROM _sv_scope_ids)""")


def _present_attributes(con: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> set[str]:
    """Attributes at least one stored record carries (standardised value present)."""
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    names = [n for n in dictionary.names if n in have]
    if not names:
        return set()
    row = con.execute("SELECT " + ", ".join(f"count({ident(n)})" for n in names) + " FROM record_std").fetchone()
    return {n for n, c in zip(names, row or (), strict=False) if c}


def _apply_overrides(con: duckdb.DuckDBPyConnection) -> None:
    """Active steward overrides win, always first; an override on a merged-away id follows it
    to its survivor. The latest override of one attribute wins."""
    overrides = con.execute("""SELECT override_id, golden_id, attribute, value FROM attribute_override
                               WHERE active ORDER BY created_at, override_id""").fetchall()
    if not overrides:
        return
    merged = dict(con.execute("SELECT golden_id, merged_into FROM golden WHERE status = 'merged'").fetchall())
    merged.update(dict(con.execute("SELECT golden_id, merged_into FROM _sv_merged").fetchall()))
    latest: dict[tuple[str, str], tuple[int, str | None]] = {}
    for override_id, golden_id, attribute, value in overrides:
        seen: set[str] = set()
        while golden_id in merged and golden_id not in seen:
            seen.add(golden_id)
            golden_id = merged[golden_id]
        latest[(golden_id, attribute)] = (int(override_id), value)
    con.execute("CREATE OR REPLACE TEMP TABLE _sv_override (golden_id VARCHAR, attribute VARCHAR, value VARCHAR, "
                "override_id BIGINT)")
    con.executemany("INSERT INTO _sv_override VALUES (?, ?, ?, ?)",
                    [(g, a, v, i) for (g, a), (i, v) in latest.items()])
    con.execute("""DELETE FROM _sv_chosen c USING _sv_ids i, _sv_override o
                   WHERE c.cluster_id = i.cluster_id AND i.golden_id = o.golden_id AND c.attribute = o.attribute""")
    con.execute("""INSERT INTO _sv_chosen
                   SELECT i.cluster_id, o.attribute, o.value, 'steward', CAST(o.override_id AS VARCHAR),
                          'steward_override', a.created_at, NULL
                   FROM _sv_override o JOIN _sv_ids i USING (golden_id)
                   JOIN attribute_override a ON a.override_id = o.override_id""")
    con.execute("DROP TABLE _sv_override")


def _assemble(con: duckdb.DuckDBPyConnection, attributes: list[str]) -> None:
    """``_sv_new``: per golden id the record JSON (every attribute, null when none), the
    lineage, the sorted members and the confidence."""
    record = "json_object(" + ", ".join(
        f"'{a}', max(value) FILTER (WHERE attribute = '{a}')" for a in attributes) + ")"
    empty = "json_object(" + ", ".join(f"'{a}', NULL" for a in attributes) + ")"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_agg AS
        SELECT cluster_id, CAST({record} AS VARCHAR) AS record,
               -- every entry starts with its attribute name, so sorting the strings orders by attribute
               '[' || array_to_string(list_sort(list(CAST(json_object(
                   'attribute', attribute, 'value', value, 'source', source, 'source_id', source_id,
                   'rule', rule, 'asserted_at', asserted_at, 'evidence', CAST(evidence AS JSON)) AS VARCHAR))), ',')
               || ']' AS lineage
        FROM _sv_chosen GROUP BY cluster_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_new AS
        WITH conf AS (
            SELECT c1.cluster_id, round(avg(p.match_probability), 4) AS confidence
            FROM match_pair p
            JOIN _sv_cm c1 ON c1.unique_id = p.unique_id_l
            JOIN _sv_cm c2 ON c2.unique_id = p.unique_id_r AND c2.cluster_id = c1.cluster_id
            GROUP BY c1.cluster_id)
        SELECT i.golden_id, i.cluster_id, i.is_new, i.split_from, i.members, CAST(i.n AS INTEGER) AS member_count,
               coalesce(a.record, CAST({empty} AS VARCHAR)) AS record, coalesce(a.lineage, '[]') AS lineage,
               CAST(to_json(i.members) AS VARCHAR) AS members_json,
               CASE WHEN i.n = 1 THEN 1.0 ELSE coalesce(f.confidence, 1.0) END AS confidence
        FROM _sv_ids i LEFT JOIN _sv_agg a USING (cluster_id) LEFT JOIN conf f USING (cluster_id)""")
    con.execute("DROP TABLE _sv_agg")


def _diff_expr(old: str, new: str, attributes: list[str]) -> str:
    """JSON ``{attribute: {before, after}}`` of the attributes whose value differs; each JSON
    document is parsed once into a struct."""
    shape = "{" + ", ".join(f'"{a}": "VARCHAR"' for a in attributes) + "}"
    o, n = f"from_json({old}, '{shape}')", f"from_json({new}, '{shape}')"
    entries = ", ".join(
        f"struct_pack(k := '{a}', v := struct_pack(before := o_.\"{a}\", after := n_.\"{a}\"))" for a in attributes)
    return (f"(SELECT CAST(to_json(map_from_entries(list_filter([{entries}], "
            f"lambda e: e.v.before IS DISTINCT FROM e.v.after))) AS VARCHAR) "
            f"FROM (SELECT {o} AS o_, {n} AS n_))")


def _write(con: duckdb.DuckDBPyConnection, attributes: list[str], run_id: int | None, now: dt.datetime,
           actor: str | None) -> dict[str, Any]:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _sv_diff AS
        SELECT n.*, g.record AS old_record, v.members AS old_members,
               CASE WHEN g.golden_id IS NULL THEN 'created'
                    WHEN g.status = 'active' AND CAST(g.record AS VARCHAR) = n.record
                         AND CAST(v.lineage AS VARCHAR) = n.lineage
                         AND CAST(v.members AS VARCHAR) = n.members_json THEN 'unchanged'
                    WHEN n.golden_id IN (SELECT split_from FROM _sv_ids WHERE split_from IS NOT NULL) THEN 'split'
                    ELSE 'updated' END AS change
        FROM _sv_new n
        LEFT JOIN golden g USING (golden_id)
        LEFT JOIN golden_version v ON v.golden_id = n.golden_id AND v.valid_to IS NULL""")
    changed = "(SELECT golden_id FROM _sv_diff WHERE change <> 'unchanged' UNION ALL " \
              "SELECT golden_id FROM _sv_merged UNION ALL SELECT golden_id FROM _sv_retired)"
    params = {"now": now, "run": run_id}
    # versions: close the current one of everything that changes
    con.execute(f"UPDATE golden_version SET valid_to = $now WHERE valid_to IS NULL AND golden_id IN {changed}",
                {"now": now})
    con.execute("""INSERT INTO golden SELECT golden_id, 'active', NULL, 1, confidence, member_count, $now, $now, $run,
                          CAST(record AS JSON)
                   FROM _sv_diff WHERE change = 'created'""", params)
    con.execute("""UPDATE golden g SET version = g.version + 1, confidence = d.confidence,
                          member_count = d.member_count, updated_at = $now, run_id = $run,
                          record = CAST(d.record AS JSON), status = 'active', merged_into = NULL
                   FROM _sv_diff d WHERE d.golden_id = g.golden_id AND d.change IN ('updated', 'split')""", params)
    con.execute("""UPDATE golden g SET confidence = d.confidence, member_count = d.member_count
                   FROM _sv_diff d WHERE d.golden_id = g.golden_id AND d.change = 'unchanged'
                     AND (g.confidence IS DISTINCT FROM d.confidence OR g.member_count <> d.member_count)""")
    con.execute("""UPDATE golden g SET status = 'merged', merged_into = m.merged_into, version = g.version + 1,
                          member_count = 0, updated_at = $now, run_id = $run
                   FROM _sv_merged m WHERE m.golden_id = g.golden_id""", params)
    con.execute("""UPDATE golden g SET status = 'retired', version = g.version + 1, member_count = 0,
                          updated_at = $now, run_id = $run
                   FROM _sv_retired r WHERE r.golden_id = g.golden_id""", params)
    con.execute(f"""
        INSERT INTO golden_version
        SELECT g.golden_id, g.version, $now, NULL, g.status, g.merged_into, g.confidence, g.record,
               CAST(coalesce(d.lineage, '[]') AS JSON), CAST(coalesce(d.members_json, '[]') AS JSON)
        FROM golden g LEFT JOIN _sv_diff d USING (golden_id)
        WHERE g.golden_id IN {changed}""", {"now": now})
    # lineage of the current version
    con.execute(f"DELETE FROM golden_attribute WHERE golden_id IN {changed}")
    con.execute("""INSERT INTO golden_attribute
                   SELECT d.golden_id, c.attribute, c.value, c.source, c.source_id, c.rule, c.asserted_at, $now
                   FROM _sv_diff d JOIN _sv_chosen c USING (cluster_id)
                   WHERE d.change IN ('created', 'updated', 'split')""", {"now": now})
    # cross-reference: close rows whose golden id changed, open rows for new mappings
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_map AS
                   SELECT split_part(c.unique_id, ':', 1) AS source,
                          substr(c.unique_id, length(split_part(c.unique_id, ':', 1)) + 2) AS source_id,
                          i.golden_id
                   FROM _sv_cm c JOIN _sv_ids i USING (cluster_id)""")
    con.execute("""UPDATE xref x SET valid_to = $now FROM _sv_map m
                   WHERE x.valid_to IS NULL AND x.source = m.source AND x.source_id = m.source_id
                     AND x.golden_id <> m.golden_id""", {"now": now})
    con.execute("""INSERT INTO xref
                   SELECT m.source, m.source_id, m.golden_id, $now, NULL, $run FROM _sv_map m
                   WHERE NOT EXISTS (SELECT 1 FROM xref x WHERE x.valid_to IS NULL AND x.source = m.source
                                     AND x.source_id = m.source_id)""", params)
    con.execute("DROP TABLE _sv_map")
    events = _write_events(con, attributes, run_id, now, actor)
    counts = dict(con.execute("SELECT change, count(*) FROM _sv_diff GROUP BY change").fetchall())
    merged = con.execute("SELECT count(*) FROM _sv_merged").fetchone()
    retired = con.execute("SELECT count(*) FROM _sv_retired").fetchone()
    active = con.execute("SELECT count(*) FROM golden WHERE status = 'active'").fetchone()
    return {
        "created": int(counts.get("created", 0)), "updated": int(counts.get("updated", 0)),
        "split": int(counts.get("split", 0)), "unchanged": int(counts.get("unchanged", 0)),
        "merged": int(merged[0]) if merged else 0, "retired": int(retired[0]) if retired else 0,
        "golden_active": int(active[0]) if active else 0, "events": events,
    }


def _write_events(con: duckdb.DuckDBPyConnection, attributes: list[str], run_id: int | None, now: dt.datetime,
                  actor: str | None) -> int:
    empty = "'{}'"
    added = "list_filter(d.members, lambda x: NOT list_contains(coalesce(from_json(d.old_members, '[\"VARCHAR\"]'), " \
            "[]), x))"
    removed = "list_filter(coalesce(from_json(d.old_members, '[\"VARCHAR\"]'), []), " \
              "lambda x: NOT list_contains(d.members, x))"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_events AS
        SELECT d.golden_id, d.change AS type, {_diff_expr('coalesce(d.old_record, ' + empty + ')', 'd.record',
                                                          attributes)} AS changes,
               d.record,
               CAST(to_json(struct_pack(member_count := d.member_count, split_from := d.split_from,
                                        members_added := {added}, members_removed := {removed},
                                        split_into := (SELECT list(i.golden_id ORDER BY i.golden_id) FROM _sv_ids i
                                                       WHERE i.split_from = d.golden_id))) AS VARCHAR) AS related
        FROM _sv_diff d WHERE d.change <> 'unchanged'
        UNION ALL
        SELECT m.golden_id, 'merged', NULL, CAST(g.record AS VARCHAR),
               CAST(to_json(struct_pack(merged_into := m.merged_into)) AS VARCHAR)
        FROM _sv_merged m JOIN golden g USING (golden_id)
        UNION ALL
        SELECT r.golden_id, 'retired', NULL, CAST(g.record AS VARCHAR), NULL
        FROM _sv_retired r JOIN golden g USING (golden_id)""")
    return append_events(con, "_sv_events", run_id=run_id, now=now, actor=actor)


def append_events(con: duckdb.DuckDBPyConnection, table: str, *, run_id: int | None, now: dt.datetime,
                  actor: str | None) -> int:
    """Append rows of ``table`` (golden_id, type, changes, record, related) to the change feed
    with gap-free sequence numbers continuing the feed (the primary key makes a concurrent
    writer fail and retry instead of interleaving). Returns the number appended."""
    row = con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
    base = int(row[0]) if row else 0
    con.execute(f"""
        INSERT INTO golden_event
        SELECT {base} + row_number() OVER (ORDER BY golden_id, CASE type WHEN 'merged' THEN 0 WHEN 'split' THEN 1
                                            WHEN 'updated' THEN 2 WHEN 'created' THEN 3 ELSE 4 END),
               type, golden_id, $now, $run, $actor, CAST(changes AS JSON), CAST(record AS JSON),
               CAST(related AS JSON)
        FROM {table}""", {"now": now, "run": run_id, "actor": actor})
    after = con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
    return (int(after[0]) if after else 0) - base


def loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
