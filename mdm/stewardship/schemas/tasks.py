"""Review tasks and decisions (``/tasks``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from mdm.stewardship.schemas.common import Integer, Page, Reason, Timestamp, examples, strictly
from mdm.stewardship.tasks import Task

# --- tasks ----------------------------------------------------------------------------

class TaskPublic(BaseModel):
    model_config = examples(task_id=7, status="open", band="review", created_at="2026-01-05T10:00:00+00:00", run_id=1,
                            unique_id_l="crm:C0100010", unique_id_r="legacy:10079", cluster_l="crm:C0100010",
                            cluster_r="legacy:10079", match_probability=0.91, match_weight=3.4, version=1,
                            assignee=None, decision=None, reason=None, decided_by=None, decided_at=None)
    task_id: int
    status: Literal["open", "decided"]
    band: str = Field(description="the pair's band in the latest run: match | review | low | unscored")
    created_at: Timestamp
    run_id: int | None
    unique_id_l: str
    unique_id_r: str
    cluster_l: str | None
    cluster_r: str | None
    match_probability: float | None
    match_weight: float | None
    version: int = Field(description="send it back with a change; a stale version gets 409")
    assignee: str | None
    decision: Literal["match", "no_match"] | None
    reason: str | None
    decided_by: str | None
    decided_at: Timestamp | None

    @classmethod
    def of(cls, t: Task) -> TaskPublic:
        return cls(task_id=t.task_id, status=t.status,  # type: ignore[arg-type]
                   band=t.band, created_at=t.created_at, run_id=t.run_id, unique_id_l=t.unique_id_l,
                   unique_id_r=t.unique_id_r, cluster_l=t.cluster_l, cluster_r=t.cluster_r,
                   match_probability=t.match_probability, match_weight=t.match_weight, version=t.version,
                   assignee=t.assignee, decision=t.decision,  # type: ignore[arg-type]
                   reason=t.reason, decided_by=t.decided_by, decided_at=t.decided_at)


class TaskList(Page):
    tasks: list[TaskPublic]


class Contribution(BaseModel):
    comparison: str = Field(description="'prior' first, then one entry per comparison")
    level: str | None
    gamma: int | None
    bayes_factor: float | None
    weight: float | None = Field(description="log2 of the Bayes factor; the weights add up to the match weight")


class AttributeValues(BaseModel):
    raw: str | None
    standardised: str | None


class RecordSide(BaseModel):
    unique_id: str
    source: str
    source_id: str
    found: bool = Field(description="false when the record is no longer in the hub")
    updated_at: Timestamp | None
    attributes: dict[str, AttributeValues] = Field(description="PII is masked for readers")


class TaskDetail(BaseModel):
    model_config = examples(
        task={"task_id": 7, "status": "open", "band": "review", "created_at": "2026-01-05T10:00:00+00:00", "run_id": 1,
              "unique_id_l": "crm:C1", "unique_id_r": "web:W9", "cluster_l": "crm:C1", "cluster_r": "web:W9",
              "match_probability": 0.91, "match_weight": 3.4, "version": 1, "assignee": None, "decision": None,
              "reason": None, "decided_by": None, "decided_at": None},
        left={"unique_id": "crm:C1", "source": "crm", "source_id": "C1", "found": True, "updated_at": None,
              "attributes": {"last_name": {"raw": "Ortiz", "standardised": "ORTIZ"}}},
        right={"unique_id": "web:W9", "source": "web", "source_id": "W9", "found": True, "updated_at": None,
               "attributes": {"last_name": {"raw": "ortiz", "standardised": "ORTIZ"}}},
        explanation=[{"comparison": "prior", "level": "prior", "gamma": None, "bayes_factor": 0.004, "weight": -7.8},
                     {"comparison": "last_name", "level": "exact", "gamma": 6, "bayes_factor": 38.0,
                      "weight": 5.2}],
        masked=False)
    task: TaskPublic
    left: RecordSide
    right: RecordSide
    explanation: list[Contribution]
    masked: bool = Field(description="true when PII values were masked for the caller's role")


class DecisionCreate(BaseModel):
    model_config = strictly(decision="match", version=1, reason="same person: email and phone agree")
    decision: Literal["match", "no_match"]
    version: Integer = Field(ge=1, le=2**31 - 1, description="the task version you decided on")
    reason: Reason


class ReopenCreate(BaseModel):
    model_config = strictly(version=2, reason="decided on a shared household address; not one person")
    version: Integer = Field(ge=1, le=2**31 - 1, description="the task version you read")
    reason: Reason


class AssignmentUpdate(BaseModel):
    model_config = strictly(assignee="alice", version=1)
    assignee: str | None = Field(min_length=1, max_length=64, description="key name to assign to; null unassigns")
    version: Integer = Field(ge=1, le=2**31 - 1)


