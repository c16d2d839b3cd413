"""Decay audits with a frozen clock: probabilities for known ages and rates, stale counts,
the worklist order, the stored summary and the history."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mdm.audit import WORKLIST_QUERY, decay_audit, quality_history, trend_series
from mdm.config import Dictionary
from mdm.hub import transaction
from tests.survivorship.conftest import Build, golden_of

SMITHS = ["crm:c1", "crm:c2", "web:w1"]
JONESES = ["crm:c3", "web:w2"]
MONTH = 30.4375


def decay_rows(con: duckdb.DuckDBPyConnection, golden_id: str) -> dict[str, tuple[float, float, int, bool]]:
    rows = con.execute("""SELECT attribute, age_months, probability_valid, backing_sources, stale FROM _decay
                          WHERE golden_id = ?""", [golden_id]).fetchall()
    return {a: (age, p, n, s) for a, age, p, n, s in rows}


def test_probability_follows_the_monthly_rate_and_the_last_assertion(hub: duckdb.DuckDBPyConnection, build: Build,
                                                                      dictionary: Dictionary) -> None:
    build(hub, SMITHS, JONESES)
    with transaction(hub):
        audit = decay_audit(hub, dictionary, as_of=dt.date(2026, 1, 1))
        got = decay_rows(hub, golden_of(hub, "crm:c1"))
    email_rate = dictionary.attributes["email"].decay_rate_monthly
    phone_rate = dictionary.attributes["phone"].decay_rate_monthly
    # email: web's JOHN@X.COM (updated 2025-01-01) and crm c1's john@x.com back the same value
    age, p, sources, stale = got["email"]
    assert age == pytest.approx(365 / MONTH) and sources == 2
    assert p == pytest.approx((1 - email_rate) ** (365 / MONTH), abs=1e-6) and not stale   # ~0.775 >= 0.75
    # phone: last asserted by crm c1 on 2024-01-01, two years before the audit
    age, p, sources, stale = got["phone"]
    assert age == pytest.approx(731 / MONTH) and sources == 1
    assert p == pytest.approx((1 - phone_rate) ** (731 / MONTH), abs=1e-6) and stale       # ~0.695 < 0.75
    assert got["birth_date"][1] == 1.0                                                       # rate 0: never decays
    assert audit.summary["stale"] == sum(a["stale"] for a in audit.attributes)


def test_worklist_puts_critical_first_then_least_likely_then_fewest_sources(
        hub: duckdb.DuckDBPyConnection, build: Build, dictionary: Dictionary) -> None:
    build(hub, SMITHS, JONESES)
    with transaction(hub):
        decay_audit(hub, dictionary, as_of=dt.date(2032, 1, 1))
        rows = hub.execute(f"SELECT priority, attribute, tier, probability_valid, backing_sources FROM "
                           f"({WORKLIST_QUERY})").fetchall()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    rank = {"critical": 1, "operational": 2, "enrichment": 3}
    keys = [(rank[t], p, n) for _, _, t, p, n in rows]
    assert keys == sorted(keys) and len({t for *_, t, _, _ in rows}) >= 2
    assert rows[0][2] == "critical"


def test_audit_summaries_are_stored_and_make_a_history(hub: duckdb.DuckDBPyConnection, build: Build,
                                                       dictionary: Dictionary) -> None:
    build(hub, SMITHS, JONESES)
    for day in (dt.date(2025, 6, 1), dt.date(2026, 6, 1), dt.date(2027, 6, 1)):
        with transaction(hub):
            decay_audit(hub, dictionary, as_of=day, now=dt.datetime(2027, 7, 1))
    history = quality_history(hub)
    stored = hub.execute("SELECT as_of, summary FROM audit ORDER BY audit_id").fetchall()
    assert [s[0] for s in stored] == [dt.date(2025, 6, 1), dt.date(2026, 6, 1), dt.date(2027, 6, 1)]
    shares = [json.loads(s[1])["stale_share"] for s in stored]
    assert shares == sorted(shares) and shares[-1] > shares[0]   # values only get older
    series = dict((name, points) for name, points in trend_series(history, "stale_share", "audits", ["phone"]))
    assert [p[0] for p in series["phone"]] == ["2025-06-01", "2026-06-01", "2027-06-01"]
    assert history["scorecards"] and {r["source"] for r in history["scorecards"]} == {"crm", "web"}


def test_cli_writes_worklist_and_report_and_rejects_bad_dates(tmp_path: Path) -> None:
    from mdm import pipeline
    from mdm.config import load_project
    from mdm.demo.generator import generate
    from tests.test_golden_pipeline import write_project

    sample = tmp_path / "sample"
    generate(sample, n_records=300, seed=3)
    config = write_project(tmp_path / "p", sample, ("crm", "erp"))
    pipeline.run(load_project(config))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mdm", "audit", "decay", *args, "--config", str(config)],
                              capture_output=True, text=True, timeout=120, check=False)

    res = cli("--as-of", "2026-01-01", "--out", str(tmp_path / "work.jsonl"))
    assert res.returncode == 0, res.stderr
    lines = (tmp_path / "work.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines and json.loads(lines[0])["priority"] == 1
    html = (tmp_path / "work.html").read_text(encoding="utf-8")
    assert "Assumptions" in html and "2026-01-01" in html
    bad = cli("--as-of", "2026-02-30")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and bad.stderr.count("\n") == 1
    bad = cli("--threshold", "1.5")
    assert bad.returncode == 2 and "between 0 and 1" in bad.stderr
