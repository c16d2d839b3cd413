"""The decay audit's HTML report (summary, per-attribute figures, worklist head, trends)."""

from __future__ import annotations

from typing import Any

import duckdb

from mdm.audit.decay import ASSUMPTIONS, WORKLIST_QUERY, DecayAudit
from mdm.audit.history import quality_history, trend_series
from mdm.config import Dictionary
from mdm.reports.html import render

AGE_BINS = ((0, 6), (6, 12), (12, 24), (24, 36), (36, 60), (60, 120), (120, None))


def render_decay_report(con: duckdb.DuckDBPyConnection, audit: DecayAudit, dictionary: Dictionary,
                        top: int = 50) -> str:
    """Needs the audit's ``_decay`` temp table on ``con``."""
    cur = con.execute(f"SELECT * FROM ({WORKLIST_QUERY}) LIMIT {int(top)}")
    cols = [d[0] for d in cur.description]
    head = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    ages = []
    for lo, hi in AGE_BINS:
        cond = f"age_months >= {lo}" + (f" AND age_months < {hi}" if hi is not None else "")
        row = con.execute(f"SELECT count(*) FROM _decay WHERE {cond}").fetchone()
        ages.append([f"{lo}-{hi}" if hi is not None else f"{lo}+", int(row[0]) if row else 0])
    critical = [n for n, a in dictionary.attributes.items() if a.tier == "critical"]
    history = quality_history(con)
    context: dict[str, Any] = {
        "audit": audit.summary, "attributes": audit.attributes,
        "rates": {n: a.decay_basis for n, a in dictionary.attributes.items()},
        "ages": ages, "top": head,
        "stale_chart": [[a["attribute"], a["stale_share"]] for a in audit.attributes],
        "trends_stale": _if_trend(trend_series(history, "stale_share", "audits", critical)),
        "trends_completeness": _if_trend(trend_series(history, "completeness", "scorecards", critical)),
        "trends_validity": _if_trend(trend_series(history, "validity", "scorecards", critical)),
        "assumptions": list(ASSUMPTIONS),
    }
    return render("decay.html.j2", **context)


def _if_trend(series: list[list[Any]]) -> list[list[Any]]:
    """Only series with two or more points make a trend."""
    return series if any(len(points) > 1 for _, points in series) else []
