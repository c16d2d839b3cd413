"""``/api/v1/events``: the change feed of golden records, paged by sequence number (system, admin).

Events carry attribute values (``changes`` and the new ``record``); they are masked by the one
policy of :mod:`mdm.pii`, as on ``/api/v1/golden``: a ``system`` key sees PII
masked here too, an admin in clear."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from mdm.errors import InputError
from mdm.pii import MaskingPolicy
from mdm.publish.feed import MAX_PAGE, read_events
from mdm.publish.webhooks import EVENT_TYPES
from mdm.stewardship.auth import Permission, Principal
from mdm.stewardship.deps import Cursor, RoleCheck, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import EventPage, EventPublic

router = APIRouter(prefix="/api/v1/events", tags=["events"])

_ONE = "(" + "|".join(EVENT_TYPES) + ")"
TYPES_PATTERN = f"^{_ONE}(,{_ONE})*$"

FeedReader = Annotated[Principal, Depends(RoleCheck(Permission.events_read))]

PAGING = """Golden-record changes in sequence order.

**Paging**: start with `after=0` (or the last `seq` you stored), then send `after=next_after` of each
answer. `seq` is strictly increasing and an event only becomes visible after every smaller `seq` is
committed, so a consumer that stores `next_after` after processing a page never misses an event and
never reads one twice. An empty `events` list means you are up to date: poll again later with the same
`after`.

Example: `GET /api/v1/events?after=0&limit=2` → `{"events": [{"seq": 1, ...}, {"seq": 2, ...}],
"next_after": 2}`; then `GET /api/v1/events?after=2&limit=2` → `{"events": [{"seq": 3, ...}],
"next_after": 3}`; then `GET /api/v1/events?after=3&limit=2` → `{"events": [], "next_after": 3}`."""


def _types(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    types = tuple(dict.fromkeys(t.strip() for t in value.split(",") if t.strip()))
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown or not types:
        raise InputError(f"unknown event type {(unknown or [value])[0][:40]!r}; use one or more of "
                         f"{', '.join(EVENT_TYPES)}, comma separated", code="events.type")
    return types


def _public(event: dict[str, Any]) -> EventPublic:
    at = event.get("occurred_at")
    return EventPublic(**{**event, "occurred_at": dt.datetime.fromisoformat(at) if at else None})


@router.get("", responses=errors(), description=PAGING)
def list_events(
    reader: FeedReader, cur: Cursor, state: State,
    after: Annotated[int, Query(ge=0, le=2**62, description="events with seq greater than this; 0 = from the start",
                                openapi_examples={"start": {"summary": "from the beginning", "value": 0},
                                                  "resume": {"summary": "after the last seq you processed",
                                                             "value": 1042}})] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")] = 100,
    type: Annotated[str | None, Query(max_length=100, pattern=TYPES_PATTERN,
                                      description="only these event types, comma separated",
                                      openapi_examples={"merges": {"summary": "merges and splits",
                                                                   "value": "merged,split"}})] = None,
) -> EventPage:
    """Page through the change feed."""
    events = read_events(cur, after, limit, _types(type))
    view = MaskingPolicy.from_pii(state.pii).view(reader.role)
    return EventPage(events=[_public(view.event(e)) for e in events],
                     next_after=events[-1]["seq"] if events else after)
