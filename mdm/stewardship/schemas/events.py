"""The change feed (``/events``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mdm.stewardship.schemas.common import Timestamp, examples

# --- change feed ----------------------------------------------------------------------

EventType = Literal["created", "updated", "merged", "split", "retired"]


class EventPublic(BaseModel):
    model_config = examples(seq=1042, type="updated", golden_id="g-000123", occurred_at="2026-01-05T10:00:00+00:00",
                            run_id=12, actor="pipeline",
                            changes={"email": {"before": "ann@old.io", "after": "ann@acme.io"}},
                            record={"first_name": "Ann", "email": "ann@acme.io"}, related={})
    seq: int = Field(description="strictly increasing over the whole feed")
    type: str = Field(description="created | updated | merged | split | retired")
    golden_id: str
    occurred_at: Timestamp | None
    run_id: int | None
    actor: str | None
    changes: dict[str, Any] = Field(description="attribute -> {before, after}")
    record: dict[str, Any] | None = Field(description="the full new golden record")
    related: dict[str, Any] = Field(description="e.g. merged_into, split_from, members")


class EventPage(BaseModel):
    model_config = examples(events=[{"seq": 1042, "type": "created", "golden_id": "g-000123",
                                     "occurred_at": "2026-01-05T10:00:00+00:00", "run_id": 12, "actor": "pipeline",
                                     "changes": {}, "record": {"first_name": "Ann"}, "related": {}}],
                            next_after=1042)
    events: list[EventPublic] = Field(description="in sequence order")
    next_after: int = Field(description="send as ``after`` to get the next page (equals ``after`` when there were "
                                        "no new events: poll again later)")


