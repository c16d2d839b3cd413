"""The pipeline: the only package that knows the order of the stages.

A run (:func:`run`, here) ingests, validates and profiles every source of the project,
standardises, matches and clusters (:mod:`.entities`), builds golden records and publishes,
in one hub transaction (a failed or killed run leaves the hub as it was), and writes an
HTML run report. A steward's change runs the same order for the records it touches
(:mod:`.scoped`: re-cluster, then golden records). Stages never call each other.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from mdm import progress as progress_counts
from mdm.config import Dictionary, Project, SourceMapping
from mdm.errors import HubError
from mdm.hub import open_hub, transaction
from mdm.ingest.batch import BatchResult, ingest_file, pii_attributes
from mdm.ingest.stage import Staged
from mdm.match.realtime import refresh_match_keys
from mdm.match.rules import load_match_rules
from mdm.memory import full_limit
from mdm.pipeline.entities import resolve
from mdm.standardise.base import Context
from mdm.standardise.stage import ensure_record_std, shared_workers, standardise
from mdm.survivorship import build_golden, load_survivorship_rules

Progress = Callable[[str], None]


@dataclass
class RunResult:
    batches: list[BatchResult]
    report: Path | None
    started_at: dt.datetime
    finished_at: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        return {
            "rows_read": sum(b.rows_read for b in self.batches),
            "accepted": sum(b.rows_accepted for b in self.batches),
            "quarantined": sum(b.rows_quarantined for b in self.batches),
            "flagged": sum(b.values_flagged for b in self.batches),
        }


def _noop(_: str) -> None:
    return None


def source_context(mapping: SourceMapping, dictionary: Dictionary, today: dt.date | None = None) -> Context:
    return Context(default_region=mapping.default_region, date_formats=mapping.date_formats or dictionary.date_formats,
                   today=today)


def standardise_staged(dictionary: Dictionary, today: dt.date | None = None
                       ) -> Callable[[duckdb.DuckDBPyConnection, Staged, SourceMapping], None]:
    """The standardise stage as ingest's enrich hook: ``_mapped`` -> ``_std``, failures into ``_findings``."""

    def enrich(con: duckdb.DuckDBPyConnection, staged: Staged, mapping: SourceMapping) -> None:
        standardise(con, "_mapped", "_row", dictionary, {mapping.source: source_context(mapping, dictionary, today)},
                    flags="_findings")
        con.execute("""INSERT INTO _findings SELECT key, attribute, code, message, 'flag', value FROM _std_findings
                       WHERE code IS NOT NULL""")

    return enrich


def run(project: Project, *, progress: Progress = _noop, report_dir: Path | None = None,
        today: dt.date | None = None, retrain: bool = False) -> RunResult:
    """Ingest, standardise, match and cluster every configured source, atomically; write the report.

    Everything happens in one hub transaction: a run that fails or is killed leaves the hub
    as it was. When no source changed, matching is skipped (a re-run changes nothing).
    """
    check_rules(project)  # a broken rules file fails now, not after every source was ingested
    started = dt.datetime.now()
    batches: list[BatchResult] = []
    with open_hub(project.hub, project.dictionary.names, memory_limit=project.memory_limit) as hub:
        with transaction(hub.con):  # schema first, committed: no ALTER TABLE inside the run
            ensure_record_std(hub.con, project.dictionary)
        try:
            with transaction(hub.con):
                extra = _run(hub.con, project, batches, progress, today, retrain, started)
        except duckdb.OutOfMemoryException as exc:
            limit = hub.con.execute("SELECT current_setting('memory_limit')").fetchone()
            raise HubError(
                f"the run needed more memory than the hub's memory_limit ({limit[0] if limit else '?'}) allows "
                f"({str(exc).splitlines()[0]}); nothing was changed. Set a larger memory_limit in "
                f"{project.path or 'mdm.yaml'} and run again", code="hub.memory") from None
        figures = resolution_figures(hub.con, project.dictionary, extra)
    report = write_run_report(project, batches, report_dir or project.hub.parent / "reports", figures)
    return RunResult(batches=batches, report=report, started_at=started, finished_at=dt.datetime.now(),
                     extra=extra)


def check_rules(project: Project) -> None:
    """Parse and validate the project's match and survivorship rules (a :class:`ConfigError`
    naming the file, key and value): what a run, the server and the scheduler check first."""
    load_match_rules(project.match_rules)
    load_survivorship_rules(project.survivorship_rules)


def _run(con: duckdb.DuckDBPyConnection, project: Project, batches: list[BatchResult], progress: Progress,
         today: dt.date | None, retrain: bool, started: dt.datetime) -> dict[str, Any]:
    """The body of a run, inside its transaction."""
    extra: dict[str, Any] = {}
    row = con.execute("SELECT nextval('run_id_seq')").fetchone()
    assert row is not None
    run_id = int(row[0])
    clock = time.perf_counter()
    stages: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = round(now - clock, 3)
        clock = now

    with shared_workers():  # one standardise pool for all sources: its caches stay warm
        for mapping, path in project.sources:
            progress(f"ingest {mapping.source}: {path.name}")
            batches.append(ingest_file(con, path, mapping, project.dictionary, today=today,
                                       own_transaction=False, enrich=standardise_staged(project.dictionary, today)))
            progress_counts.summary(ingest_summary(batches[-1]))
    lap("ingest_standardise")
    checkpoint("ingested")
    changed = any(b.status == "loaded" for b in batches)
    clustered = con.execute("SELECT count(*) FROM cluster_member").fetchone()
    resolved = False
    if changed or retrain or not (clustered and clustered[0]):
        progress("match and cluster")
        extra = resolve(con, project.match_rules, project.hub.parent / "models", run_id, retrain=retrain)
        extra["match_keys"] = refresh_match_keys(con, project.match_rules, own_transaction=False)
        resolved = True
    if project.memory_limit is None:
        # Splink's engine is closed: the hub may use the run's whole budget from here on
        # (golden records, and the COMMIT that has to hold the run's new index entries)
        con.execute(f"SET memory_limit = '{full_limit()}'")
    lap("match_cluster")
    checkpoint("resolved")
    golden = con.execute("SELECT count(*) FROM golden").fetchone()
    if resolved or not (golden and golden[0]):
        progress("golden records")
        rules = load_survivorship_rules(project.survivorship_rules)
        trust = {m.source: m.trust for m, _ in project.sources}
        extra["golden"] = build_golden(con, project.dictionary, rules, trust, run_id=run_id, now=started)
        g = extra["golden"]
        progress_counts.summary(f"{g['golden_active']:,} active golden records ({g['created']:,} created, "
                                f"{g['updated']:,} updated, {g['merged']:,} merged, {g['retired']:,} retired)")
    lap("golden")
    extra["stage_seconds"] = stages
    checkpoint("golden")
    con.execute("INSERT INTO run VALUES (?, ?, now(), 'succeeded', ?)",
                [run_id, started, dump_json({"sources": [b.summary() for b in batches], **extra})])
    checkpoint("recorded")
    return extra


def ingest_summary(batch: BatchResult) -> str:
    """One line of what ingesting a file did."""
    if batch.status != "loaded":
        return f"{batch.file} unchanged since its last load: skipped"
    return (f"{batch.rows_read:,} rows read, {batch.rows_accepted:,} accepted, {batch.rows_quarantined:,} quarantined, "
            f"{batch.values_flagged:,} values flagged")


def checkpoint(name: str) -> None:
    """Crash-test hook: ``MDM_CRASH_AT=name`` kills this process (SIGKILL) at that point of a
    run, so tests prove a run killed anywhere leaves the hub as it was."""
    if os.environ.get("MDM_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def resolution_figures(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, extra: dict[str, Any]
                       ) -> dict[str, Any]:
    """The run report's entity-resolution figures, read from the hub after the run."""
    def one(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    records = one("SELECT count(*) FROM cluster_member")
    active = one("SELECT count(*) FROM golden WHERE status = 'active'")
    bands = con.execute("SELECT band, count(*) FROM match_pair GROUP BY band ORDER BY band").fetchall()
    sizes = con.execute("""SELECT n, count(*) FROM (SELECT count(*) AS n FROM cluster_member GROUP BY cluster_id)
                           GROUP BY n ORDER BY n""").fetchall()
    golden = extra.get("golden") or {}
    completeness: list[dict[str, Any]] = []
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    for name, attr in dictionary.attributes.items():
        if attr.tier != "critical" or name not in have:
            continue
        before = con.execute(f'SELECT avg(("{name}" IS NOT NULL)::INT) FROM record_std').fetchone()
        after = con.execute(f"SELECT avg((record->>'{name}' IS NOT NULL)::INT) FROM golden "
                            "WHERE status = 'active'").fetchone()
        b = float(before[0]) if before and before[0] is not None else 0.0
        a = float(after[0]) if after and after[0] is not None else 0.0
        completeness.append({"attribute": name, "before": b, "after": a})
    return {
        "records": records, "golden_active": active, "duplicates_removed": records - active,
        "open_tasks": one("SELECT count(*) FROM review_task WHERE status = 'open'"),
        "pairs_by_band": [[str(b), int(n)] for b, n in bands],
        "cluster_sizes": [[str(n), int(c)] for n, c in sizes[:30]],
        "golden_changes": [[k, int(golden.get(k, 0))] for k in ("created", "updated", "merged", "split", "retired")],
        "completeness": completeness,
        "completeness_gain": [[c["attribute"], float(c["after"]) - float(c["before"])] for c in completeness],
        "cut_offs": (extra.get("match") or {}).get("thresholds"),
    }


def write_run_report(project: Project, batches: list[BatchResult], out_dir: Path,
                     resolution: dict[str, Any] | None = None, *, name: str | None = None,
                     timeless: bool = False, title: str = "mdm run report",
                     reconciliation: dict[str, Any] | None = None, kind: str = "run") -> Path:
    """The run's HTML report in ``out_dir`` (``name`` or ``run-<time>.html``); ``timeless``
    leaves wall-clock times out so the same input renders the same bytes."""
    from mdm.reports.html import write_report
    from mdm.reports.profile import render_profile_report

    loaded = [b for b in batches if b.status == "loaded"]
    profiles = [{**b.profile, "generated_at": None} if timeless else b.profile for b in loaded]
    html = render_profile_report(
        profiles, [[s.as_dict() for s in b.scorecard] for b in loaded],
        title=title, summary=[b.summary() for b in batches], resolution=resolution,
        reconciliation=reconciliation, kind=kind, dictionary=project.dictionary,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / (name or f"run-{dt.datetime.now():%Y%m%d-%H%M%S}.html")
    write_report(path, html)
    return path


Profiled = tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]


def profile_file(path: Path, mapping: SourceMapping, dictionary: Dictionary, *,
                 today: dt.date | None = None, standardised: bool = True, mask: bool = False) -> Profiled:
    """Profile and validate one file without a hub: (profile, scorecard rows, batch summary).

    With ``standardised`` values the standardisers reject also count as invalid. The user's own
    file is shown to its user in clear; ``mask`` masks the PII attributes' top values (for a
    profile that is passed on). Hub answers follow the masking policy of the reader's role.
    """
    from mdm.ingest.profile import profile_staged
    from mdm.ingest.scorecard import scorecard
    from mdm.ingest.stage import stage_file

    con = duckdb.connect()
    try:
        staged = stage_file(con, path, mapping, dictionary, today=today)
        if standardised:
            from dataclasses import replace

            from mdm.ingest.stage import count_flagged

            standardise_staged(dictionary, today)(con, staged, mapping)
            # counted as ingest counts it, after the standardisers' findings: profile, validate, run agree
            staged = replace(staged, values_flagged=count_flagged(con))
        doc = profile_staged(con, staged.attributes, source=mapping.source, file=str(path),
                             mask=pii_attributes(dictionary) if mask else None)
        reasons = con.execute(
            "SELECT code, count(*) FROM (SELECT unnest(reason_codes) AS code FROM _quarantine) GROUP BY code "
            "ORDER BY 2 DESC, code").fetchall()
    finally:
        con.close()
    scores = [s.as_dict() for s in scorecard(doc, dictionary, mapping)]
    summary = {"source": mapping.source, "file": str(path), "status": "profiled", "rows_read": staged.rows_read,
               "accepted": staged.rows_accepted, "quarantined": staged.rows_quarantined,
               "flagged": staged.values_flagged, "encoding": staged.read.encoding or "",
               "quarantine_reasons": {str(c): int(n) for c, n in reasons},
               "quarantine_share": round(staged.rows_quarantined / staged.rows_read, 6) if staged.rows_read else 0.0,
               "quarantine_tolerance": mapping.quarantine_tolerance}
    return doc, scores, summary


def dump_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=str, ensure_ascii=False)
