"""Decay audit: how likely is each golden value still true, and what to re-verify first.

For every active golden record and attribute with a value:

- **last asserted**: the latest time any member source record carried the same value
  (its ``updated_at``, else the time its batch was ingested), and at least the time the
  value was chosen from its source record (a steward override counts from its creation);
- **age** in months (days / 30.4375) from then to the audit date;
- **probability still valid** = (1 - monthly decay rate) ^ age, with the rate from the
  data dictionary (``decay_rate_monthly``, each with its published basis);
- **stale** when that probability is below the threshold (default 0.75: more than a
  one-in-four chance the value has gone bad).

Assumptions (also printed in the report): decay is memoryless and constant per month;
a value re-asserted by a source is fresh again at that time; a source's ``updated_at``
means the whole record was confirmed then; records without ``updated_at`` count from
ingest, which makes them look fresher than they may be.

The worklist holds the stale values, critical tier first, then the least likely to be
valid, then those backed by fewest sources.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from mdm.config import Dictionary
from mdm.hub.sql import ident

DAYS_PER_MONTH = 30.4375
DEFAULT_THRESHOLD = 0.75
TIER_RANK = {"critical": 1, "operational": 2, "enrichment": 3}
ASSUMPTIONS = (
    "Decay is constant per month and memoryless: P(valid) = (1 - monthly rate) ^ months since last asserted.",
    "A value is asserted again whenever any source record carrying the same value was updated (or, without an "
    "updated_at, ingested); a steward override counts from when it was made.",
    "A source's updated_at is taken to confirm every attribute of that record.",
    "Records without updated_at count from their ingest time, so they can look fresher than they are.",
    "Monthly rates come from the data dictionary (decay_rate_monthly), each with its published basis.",
)



@dataclass
class DecayAudit:
    audit_id: int
    as_of: dt.date
    threshold: float
    summary: dict[str, Any]
    attributes: list[dict[str, Any]] = field(default_factory=list)


def decay_audit(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, *, as_of: dt.date | None = None,
                threshold: float = DEFAULT_THRESHOLD, now: dt.datetime | None = None) -> DecayAudit:
    """Audit the hub's golden records; leaves temp table ``_decay`` (one row per value) for
    :func:`worklist_query`, and stores the summary (``audit``, ``audit_attribute``)."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1 (exclusive), got {threshold}")
    as_of = as_of or dt.date.today()
    now = now or dt.datetime.now()
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    attrs = [a for a in dictionary.names if a in have]
    rates = ", ".join(
        f"('{a}', '{dictionary.attributes[a].tier}', {float(dictionary.attributes[a].decay_rate_monthly)!r}, "
        f"{TIER_RANK.get(dictionary.attributes[a].tier, 9)})" for a in attrs) or "(NULL, NULL, NULL, NULL)"
    backing = " UNION ALL ".join(
        f"""SELECT m.golden_id, '{a}' AS attribute, lower(CAST(s.{ident(a)} AS VARCHAR)) AS key, r.source,
                   coalesce(r.updated_at, r.ingested_at) AS at
            FROM members m JOIN record_std s USING (source, source_id) JOIN record r USING (source, source_id)
            WHERE s.{ident(a)} IS NOT NULL""" for a in attrs) or \
        "SELECT NULL AS golden_id, NULL AS attribute, NULL AS key, NULL AS source, NULL::TIMESTAMP AS at"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _decay AS
        WITH rates(attribute, tier, rate, tier_rank) AS (VALUES {rates}),
             members AS (SELECT x.golden_id, x.source, x.source_id FROM xref x JOIN golden g USING (golden_id)
                         WHERE x.valid_to IS NULL AND g.status = 'active'),
             backing AS ({backing}),
             asserted AS (
                SELECT ga.golden_id, ga.attribute, ga.value, ga.source, rt.tier, rt.rate, rt.tier_rank,
                       greatest(ga.asserted_at, max(b.at)) AS last_asserted,
                       greatest(1, count(DISTINCT b.source)) AS backing_sources
                FROM golden_attribute ga
                JOIN golden g ON g.golden_id = ga.golden_id AND g.status = 'active'
                JOIN rates rt ON rt.attribute = ga.attribute
                LEFT JOIN backing b ON b.golden_id = ga.golden_id AND b.attribute = ga.attribute
                                   AND b.key = lower(ga.value)
                WHERE ga.value IS NOT NULL
                GROUP BY ga.golden_id, ga.attribute, ga.value, ga.source, ga.asserted_at, rt.tier, rt.rate,
                         rt.tier_rank)
        SELECT *, round(pow(1 - rate, age_months), 6) AS probability_valid,
               pow(1 - rate, age_months) < $threshold AS stale
        FROM (SELECT *, greatest(0, date_diff('day', CAST(last_asserted AS DATE), CAST($as_of AS DATE)))
                        / {DAYS_PER_MONTH} AS age_months FROM asserted)""",
                {"threshold": threshold, "as_of": as_of})
    per_attr = con.execute("""
        SELECT attribute, any_value(tier), any_value(rate), count(*), count(*) FILTER (WHERE stale),
               avg(probability_valid), median(age_months)
        FROM _decay GROUP BY attribute ORDER BY min(tier_rank), attribute""").fetchall()
    attributes = [{"attribute": a, "tier": t, "decay_rate_monthly": r, "values": int(n), "stale": int(s),
                   "stale_share": (s / n) if n else 0.0, "mean_probability_valid": p, "median_age_months": m}
                  for a, t, r, n, s, p, m in per_attr]
    tiers = con.execute("""SELECT tier, count(*), count(*) FILTER (WHERE stale) FROM _decay
                           GROUP BY tier ORDER BY min(tier_rank)""").fetchall()
    totals = con.execute("""SELECT count(*), count(*) FILTER (WHERE stale), count(DISTINCT golden_id),
                                   count(DISTINCT golden_id) FILTER (WHERE stale AND tier = 'critical')
                            FROM _decay""").fetchone() or (0, 0, 0, 0)
    golden = con.execute("SELECT count(*) FROM golden WHERE status = 'active'").fetchone()
    values, stale, _, critical = (int(x or 0) for x in totals)
    summary = {
        "as_of": as_of.isoformat(), "threshold": threshold,
        "golden_records": int(golden[0]) if golden else 0, "values": values, "stale": stale,
        "stale_share": stale / values if values else 0.0,
        "records_with_stale_critical_value": critical,
        "tiers": [{"tier": t, "values": int(n), "stale": int(s), "stale_share": s / n if n else 0.0}
                  for t, n, s in tiers],
        "assumptions": list(ASSUMPTIONS),
    }
    row = con.execute("SELECT nextval('audit_id_seq')").fetchone()
    audit_id = int(row[0]) if row else 0
    con.execute("INSERT INTO audit VALUES (?, 'decay', ?, ?, ?, ?)",
                [audit_id, as_of, now, threshold, json.dumps(summary)])
    con.executemany("INSERT INTO audit_attribute VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(audit_id, a["attribute"], a["tier"], a["decay_rate_monthly"], a["values"], a["stale"],
                      a["stale_share"], a["mean_probability_valid"], a["median_age_months"]) for a in attributes])
    return DecayAudit(audit_id=audit_id, as_of=as_of, threshold=threshold, summary=summary, attributes=attributes)


WORKLIST_QUERY = """
    SELECT row_number() OVER (ORDER BY tier_rank, probability_valid, backing_sources, golden_id, attribute)
               AS priority,
           golden_id, attribute, tier, value, source AS chosen_from, CAST(last_asserted AS DATE) AS last_asserted,
           round(age_months, 1) AS age_months, probability_valid, backing_sources
    FROM _decay WHERE stale
    ORDER BY priority"""
