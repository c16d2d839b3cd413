"""Named jobs (issue 17.3): what the CLI, the scheduler and the server run, written once.

* :func:`decay_audit_job`: a decay audit, its prioritised re-verification worklist and its HTML
  report (``mdm audit decay``, ``POST /api/v1/audits/decay``, the ``decay_audit`` schedule);
* :func:`publish_job`: the CRM/ERP import files of one target (``mdm publish``' work, the
  ``publish`` schedule);
* :func:`make_executor`: the scheduler's jobs on a connection the caller owns.

Each runs on the connection it is given, inside the caller's transaction, so the CLI (which
opens the hub), the server (which owns it) and the scheduler share one implementation and
differ only in how they reach the hub. Like :mod:`mdm.pipeline`, this module sits above the
stages and may import them; the stages never import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from mdm.audit.decay import WORKLIST_QUERY, DecayAudit, decay_audit
from mdm.audit.schedule import Execute
from mdm.config import Project, Schedule
from mdm.export import write_query
from mdm.hub import transaction
from mdm.publish import PublishResult, publish_files
from mdm.reports.decay import render_decay_report
from mdm.reports.html import write_report


@dataclass(frozen=True)
class DecayJob:
    audit: DecayAudit
    worklist: Path
    report: Path


def audits_folder(project: Project) -> Path:
    return project.hub.parent / "audits"


def decay_audit_job(con: duckdb.DuckDBPyConnection, project: Project, *, as_of: dt.date, threshold: float = 0.75,
                    worklist: Callable[[int], Path] | Path | None = None, fmt: str = "csv",
                    now: dt.datetime | None = None) -> DecayJob:
    """Audit the golden values as of ``as_of``, then write the worklist (``worklist``: a path, or
    the path for the new audit's id; default ``audits/decay-<date>.csv`` beside the hub) and the
    HTML report beside it."""
    audit = decay_audit(con, project.dictionary, as_of=as_of, threshold=threshold, now=now)
    if worklist is None:
        out = audits_folder(project) / f"decay-{as_of.isoformat()}.csv"
    elif isinstance(worklist, Path):
        out = worklist
    else:
        out = worklist(audit.audit_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_query(con, WORKLIST_QUERY, out, fmt)
    report = out.with_suffix(".html")
    write_report(report, render_decay_report(con, audit, project.dictionary))
    return DecayJob(audit, out, report)


def publish_job(con: duckdb.DuckDBPyConnection, project: Project, target: str, out_dir: Path, *,
                fmt: str = "csv", full: bool = False) -> PublishResult:
    """The upsert and merge files of ``target`` (relative ``out_dir``: under the project's folder)."""
    out_dir = out_dir if out_dir.is_absolute() else project.root / out_dir
    return publish_files(con, project, target, out_dir, fmt=fmt, full=full)


def make_executor(project: Project, con: duckdb.DuckDBPyConnection,
                  run_pipeline: Callable[[], dict[str, Any]] | None = None) -> Execute:
    """The standard jobs on the server's connection: ``decay_audit`` (worklist and report under
    the hub's ``audits/`` folder), ``publish`` (options: target, out, format, full) and ``run``
    (through ``run_pipeline``, which the server provides because it owns the hub)."""

    def execute(s: Schedule, now: dt.datetime) -> dict[str, Any]:
        opts = s.options
        if s.job == "decay_audit":
            with transaction(con):
                done = decay_audit_job(con, project, as_of=now.date(), threshold=float(opts.get("threshold", 0.75)),
                                       now=now)
            return {"audit_id": done.audit.audit_id, "stale": done.audit.summary["stale"],
                    "values": done.audit.summary["values"]}
        if s.job == "publish":
            with transaction(con):
                result = publish_job(con, project, str(opts["target"]), Path(str(opts.get("out", "publish"))),
                                     fmt=str(opts.get("format", "csv")), full=bool(opts.get("full", False)))
            return {"target": result.target, "upserts": result.upserts, "merges": result.merges}
        if s.job == "run":
            if run_pipeline is None:
                raise RuntimeError("pipeline runs need the server's run hook")
            return run_pipeline()
        raise ValueError(f"unknown job {s.job!r}")

    return execute
