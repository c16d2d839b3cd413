"""Decay audits, quality history and scheduled jobs.

- ``POST /api/v1/audits/decay`` (admin): run a decay audit now; the worklist (csv) and the
  HTML report are written under the hub folder's ``audits/``; the summary is stored.
- ``GET /api/v1/audits`` (admin): stored audit summaries, newest first.
- ``GET /api/v1/quality/history`` (reader, steward, admin): scorecards per batch and audit
  figures per attribute over time.
- ``GET /api/v1/schedules`` (admin): each configured job's last and next run.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from mdm import jobs
from mdm.audit.history import quality_history
from mdm.audit.schedule import Scheduler
from mdm.errors import NotFoundError
from mdm.stewardship import audit
from mdm.stewardship.auth import Permission, Principal
from mdm.stewardship.deps import Cursor, RoleCheck, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import (
    AuditSummaryList,
    AuditSummaryPublic,
    DecayAuditCreate,
    DecayAuditResult,
    QualityHistory,
    ScheduleList,
    SchedulePublic,
)

router = APIRouter(prefix="/api/v1", tags=["audits"])

AuditAdmin = Annotated[Principal, Depends(RoleCheck(Permission.audits_manage))]
QualityReader = Annotated[Principal, Depends(RoleCheck(Permission.quality_read))]
ScheduleReader = Annotated[Principal, Depends(RoleCheck(Permission.schedules_read))]


def _summary(row: tuple[Any, ...]) -> AuditSummaryPublic:
    audit_id, kind, as_of, run_at, threshold, summary = row
    return AuditSummaryPublic(audit_id=int(audit_id), kind=kind, as_of=as_of, run_at=run_at,
                              threshold=float(threshold), summary=json.loads(summary) if summary else {})


@router.post("/audits/decay", status_code=201, responses=errors(503))
def run_decay_audit(body: DecayAuditCreate, admin: AuditAdmin, state: State) -> DecayAuditResult:
    """Estimate which golden values have decayed (``(1 - monthly rate) ^ months`` since a source last
    asserted them); store the summary and write the prioritised worklist and the HTML report."""
    project = state.settings.project
    day = body.as_of or dt.date.today()
    with state.access.writer(what="the decay audit") as cur:
        done = jobs.decay_audit_job(  # named by the audit's id: several audits a day never overwrite one another
            cur, project, as_of=day, threshold=body.threshold,
            worklist=lambda audit_id: jobs.audits_folder(project) / f"decay-{day.isoformat()}-{audit_id}.csv")
        result, worklist, report = done.audit, done.worklist, done.report
        row = cur.execute("SELECT audit_id, kind, as_of, run_at, threshold, CAST(summary AS VARCHAR) FROM audit "
                          "WHERE audit_id = ?", [result.audit_id]).fetchone()
        assert row is not None
        audit.append(cur, actor=admin.actor, action="audit.decay", target=f"audit:{result.audit_id}", before=None,
                     after={"as_of": day.isoformat(), "threshold": body.threshold, "stale": result.summary["stale"],
                            "values": result.summary["values"], "worklist": str(worklist)})
    return DecayAuditResult(**_summary(row).model_dump(), worklist=str(worklist), report=str(report))


@router.get("/audits", responses=errors())
def list_audits(admin: AuditAdmin, cur: Cursor,
                limit: Annotated[int, Query(ge=1, le=500)] = 20,
                offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> AuditSummaryList:
    """Stored audit summaries, newest first."""
    rows = cur.execute("SELECT audit_id, kind, as_of, run_at, threshold, CAST(summary AS VARCHAR) FROM audit "
                       "ORDER BY audit_id DESC LIMIT ? OFFSET ?", [limit, offset]).fetchall()
    total = cur.execute("SELECT count(*) FROM audit").fetchone()
    return AuditSummaryList(audits=[_summary(r) for r in rows], total=int(total[0]) if total else 0, limit=limit,
                            offset=offset)


@router.get("/quality/history", responses=errors(404))
def get_quality_history(
    reader: QualityReader, cur: Cursor, state: State,
    attribute: Annotated[str | None, Query(max_length=100, description="one dictionary attribute (default: all)",
                                           openapi_examples={"email": {"value": "email"}})] = None,
) -> QualityHistory:
    """Completeness, validity and duplicate rate per batch, and stale share per decay audit, oldest first."""
    if attribute is not None and attribute not in state.attributes:
        raise NotFoundError(f"no attribute {attribute[:40]!r} in the dictionary; it has: "
                            f"{', '.join(state.attributes)}", code="quality.attribute")
    history = quality_history(cur, attribute)
    return QualityHistory(scorecards=[_jsonable(r) for r in history["scorecards"]],
                          audits=[_jsonable(r) for r in history["audits"]])


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for k, v in row.items()}


@router.get("/schedules", responses=errors())
def list_schedules(admin: ScheduleReader, cur: Cursor, state: State) -> ScheduleList:
    """The jobs configured under ``schedules:`` in mdm.yaml: last run, its status and message, next run."""
    schedules = state.settings.project.schedules
    known = {s.name: s for s in Scheduler(schedules, cur, lambda s, now: {}).states()}
    out = []
    for s in schedules:
        st = known.get(s.name)
        out.append(SchedulePublic(name=s.name, job=s.job, cron=s.cron, last_run=st.last_run if st else None,
                                  last_status=st.last_status if st else None,
                                  last_message=st.last_message if st else None, next_run=st.next_run if st else None))
    return ScheduleList(schedules=out)
