"""The audit log and its verification (``/audit``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mdm.stewardship.audit import Entry, Verification
from mdm.stewardship.schemas.common import Timestamp, examples

# --- audit ----------------------------------------------------------------------------

class AuditEntryPublic(BaseModel):
    model_config = examples(seq=12, at="2026-01-05T10:00:00+00:00", actor="alice (key 3, steward)",
                            action="task.decide.match", target="task:7", before={"status": "open", "version": 1},
                            after={"status": "decided", "version": 2}, prev_hash="9f2c...", hash="41ab...")
    seq: int
    at: Timestamp
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: Entry) -> AuditEntryPublic:
        return cls(seq=e.seq, at=e.at, actor=e.actor, action=e.action, target=e.target, before=e.before,
                   after=e.after, prev_hash=e.prev_hash, hash=e.hash)


class AuditList(BaseModel):
    entries: list[AuditEntryPublic]


class AuditVerification(BaseModel):
    model_config = examples(ok=True, entries=42, head="41ab...", broken_at=None, problem=None)
    ok: bool
    entries: int
    head: str = Field(description="hash of the last intact entry; keep it elsewhere to detect a truncated log")
    broken_at: int | None
    problem: str | None

    @classmethod
    def of(cls, v: Verification) -> AuditVerification:
        return cls(ok=v.ok, entries=v.entries, head=v.head, broken_at=v.broken_at, problem=v.problem)


