"""Decay audits, quality history and schedules (``/audits``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from mdm.stewardship.schemas.common import Page, RequestDate, Timestamp, examples, strictly

# --- audits, quality history, schedules -----------------------------------------------

class DecayAuditCreate(BaseModel):
    model_config = strictly(as_of="2026-01-31", threshold=0.75)
    as_of: RequestDate | None = Field(default=None, description="audit date, YYYY-MM-DD (default: today)")
    threshold: float = Field(default=0.75, gt=0, lt=1, description="stale below this probability of still being valid")


class AuditSummaryPublic(BaseModel):
    model_config = examples(audit_id=4, kind="decay", as_of="2026-01-31", run_at="2026-01-31T02:00:00+00:00",
                            threshold=0.75, summary={"values": 2900, "stale": 310, "stale_share": 0.107})
    audit_id: int
    kind: str
    as_of: dt.date
    run_at: Timestamp
    threshold: float
    summary: dict[str, Any]


class DecayAuditResult(AuditSummaryPublic):
    model_config = examples(audit_id=4, kind="decay", as_of="2026-01-31", run_at="2026-01-31T02:00:00+00:00",
                            threshold=0.75, summary={"values": 2900, "stale": 310},
                            worklist="/srv/mdm/mdm-data/audits/decay-2026-01-31-4.csv",
                            report="/srv/mdm/mdm-data/audits/decay-2026-01-31-4.html")
    worklist: str = Field(description="path of the re-verification worklist (csv) on the server")
    report: str = Field(description="path of the HTML report on the server")


class AuditSummaryList(Page):
    audits: list[AuditSummaryPublic]


class QualityHistory(BaseModel):
    model_config = examples(
        scorecards=[{"batch_id": 1, "source": "crm", "computed_at": "2026-01-05T10:00:00", "attribute": "email",
                     "tier": "critical", "completeness": 0.97, "validity": 0.95, "duplicate_rate": 0.02,
                     "score": 0.93}],
        audits=[{"audit_id": 4, "as_of": "2026-01-31", "run_at": "2026-01-31T02:00:00", "attribute": "email",
                 "tier": "critical", "values": 290, "stale": 31, "stale_share": 0.107,
                 "mean_probability_valid": 0.86}])
    scorecards: list[dict[str, Any]] = Field(description="per batch and attribute, oldest first")
    audits: list[dict[str, Any]] = Field(description="per decay audit and attribute, oldest first")


class SchedulePublic(BaseModel):
    model_config = examples(name="nightly-decay", job="decay_audit", cron="0 2 * * *",
                            last_run="2026-01-31T02:00:00+00:00", last_status="succeeded",
                            last_message="audit_id=4, stale=310, values=2900", next_run="2026-02-01T02:00:00+00:00")
    name: str
    job: str
    cron: str
    last_run: Timestamp | None
    last_status: str | None = Field(description="succeeded | failed; null before the first run")
    last_message: str | None
    next_run: Timestamp | None


class ScheduleList(BaseModel):
    schedules: list[SchedulePublic]


