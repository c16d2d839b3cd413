"""Quality history: scorecards per batch and decay-audit figures over time."""

from __future__ import annotations

from typing import Any

import duckdb


def quality_history(con: duckdb.DuckDBPyConnection, attribute: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """``scorecards``: per batch and attribute (completeness, validity, duplicate rate, score);
    ``audits``: per decay audit and attribute (stale share, mean probability valid), oldest first."""
    where, params = ("WHERE s.attribute = ?", [attribute]) if attribute else ("", [])
    cur = con.execute(f"""
        SELECT s.batch_id, s.source, s.computed_at, s.attribute, s.tier, s.completeness, s.validity,
               s.duplicate_rate, s.score
        FROM scorecard s {where} ORDER BY s.computed_at, s.batch_id, s.attribute""", params)
    cols = [d[0] for d in cur.description]
    scorecards = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    where = "WHERE x.attribute = ?" if attribute else ""
    cur = con.execute(f"""
        SELECT a.audit_id, a.as_of, a.run_at, x.attribute, x.tier, x."values", x.stale, x.stale_share,
               x.mean_probability_valid
        FROM audit a JOIN audit_attribute x USING (audit_id) {where}
        ORDER BY a.as_of, a.audit_id, x.attribute""", params)
    cols = [d[0] for d in cur.description]
    audits = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return {"scorecards": scorecards, "audits": audits}


def trend_series(history: dict[str, list[dict[str, Any]]], metric: str, source: str = "audits",
                 attributes: list[str] | None = None) -> list[list[Any]]:
    """Chart series ``[name, [[label, value], ...]]`` of one metric per attribute over time
    (audits by as_of date; scorecards averaged over the batches of one day)."""
    rows = history[source]
    names = attributes or sorted({r["attribute"] for r in rows})
    out: list[list[Any]] = []
    for name in names:
        points: dict[str, list[float]] = {}
        for r in rows:
            if r["attribute"] != name or r.get(metric) is None:
                continue
            when = r["as_of"] if source == "audits" else r["computed_at"]
            label = str(when)[:10]
            points.setdefault(label, []).append(float(r[metric]))
        if points:
            out.append([name, [[k, sum(v) / len(v)] for k, v in sorted(points.items())]])
    return out
