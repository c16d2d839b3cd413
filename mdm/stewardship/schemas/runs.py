"""Pipeline runs (``/runs``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mdm.stewardship.runs import RunJob
from mdm.stewardship.schemas.common import Page, Timestamp, examples, strictly

# --- runs -----------------------------------------------------------------------------

class RunCreate(BaseModel):
    model_config = strictly(retrain=False)
    retrain: bool = Field(default=False, description="train the match model again")


class RunPublic(BaseModel):
    model_config = examples(run_id=2, status="succeeded", requested_by="admin", retrain=False,
                            started_at="2026-01-05T10:00:00+00:00", finished_at="2026-01-05T10:00:09+00:00",
                            progress="finished",
                            summary={"totals": {"rows_read": 300, "accepted": 291}},
                            report="/srv/mdm/reports/run-20260105-100009.html", error=None)
    run_id: int
    status: Literal["running", "succeeded", "failed"]
    requested_by: str
    retrain: bool
    started_at: Timestamp
    finished_at: Timestamp | None
    progress: str | None = Field(description="the pipeline's latest progress message")
    summary: dict[str, Any] | None
    report: str | None = Field(description="path of the HTML run report on the server")
    error: str | None

    @classmethod
    def of(cls, j: RunJob) -> RunPublic:
        return cls(run_id=j.job_id, status=j.status,  # type: ignore[arg-type]
                   requested_by=j.requested_by, retrain=j.retrain, started_at=j.started_at,
                   finished_at=j.finished_at, progress=j.progress, summary=j.summary, report=j.report,
                   error=j.error)


class RunList(Page):
    runs: list[RunPublic]


