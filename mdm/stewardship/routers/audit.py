"""``/api/v1/audit``: read and verify the append-only audit log (admin).

Entries keep golden records in their ``before``/``after``; those are shown through the one
masking policy (:mod:`mdm.pii`), so a role that sees PII masked elsewhere would
see it masked here too. ``hash`` covers the stored entry, not a masked view of it."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Query

from mdm.pii import MaskingPolicy
from mdm.stewardship import audit
from mdm.stewardship.deps import AuditReader, Cursor, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import AuditEntryPublic, AuditList, AuditVerification

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", responses=errors())
def list_entries(
    admin: AuditReader, cur: Cursor, state: State,
    after: Annotated[int, Query(ge=0, le=2**62, description="entries with seq greater than this")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    target: Annotated[str | None, Query(max_length=200, description="e.g. task:7, key:3, run:2")] = None,
    action: Annotated[str | None, Query(max_length=100, description="e.g. task.decide.match")] = None,
) -> AuditList:
    """Entries in order; page on with ``after`` = the last seq you saw."""
    rows = audit.entries(cur, after_seq=after, limit=limit, target=target, action=action)
    view = MaskingPolicy.from_pii(state.pii).view(admin.role)
    return AuditList(entries=[AuditEntryPublic.of(dataclasses.replace(e, before=view.tree(e.before),
                                                                      after=view.tree(e.after))) for e in rows])


@router.get("/verify", responses=errors())
def verify(admin: AuditReader, cur: Cursor) -> AuditVerification:
    """Check the hash chain over the whole log; names the first entry that was altered or removed."""
    return AuditVerification.of(audit.verify(cur))
