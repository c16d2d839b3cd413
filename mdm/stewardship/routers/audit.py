"""``/api/v1/audit``: read and verify the append-only audit log (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from mdm.stewardship import audit
from mdm.stewardship.deps import AuditReader, Cursor
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import AuditEntryPublic, AuditList, AuditVerification

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", responses=errors())
def list_entries(
    admin: AuditReader, cur: Cursor,
    after: Annotated[int, Query(ge=0, le=2**62, description="entries with seq greater than this")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    target: Annotated[str | None, Query(max_length=200, description="e.g. task:7, key:3, run:2")] = None,
    action: Annotated[str | None, Query(max_length=100, description="e.g. task.decide.match")] = None,
) -> AuditList:
    """Entries in order; page on with ``after`` = the last seq you saw."""
    rows = audit.entries(cur, after_seq=after, limit=limit, target=target, action=action)
    return AuditList(entries=[AuditEntryPublic.of(e) for e in rows])


@router.get("/verify", responses=errors())
def verify(admin: AuditReader, cur: Cursor) -> AuditVerification:
    """Check the hash chain over the whole log; names the first entry that was altered or removed."""
    return AuditVerification.of(audit.verify(cur))
