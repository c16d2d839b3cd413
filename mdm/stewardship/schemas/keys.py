"""API keys and the caller (``/keys``, ``/me``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from mdm.roles import Role
from mdm.stewardship.auth import KeyRow, Principal
from mdm.stewardship.schemas.common import Timestamp, examples, strictly

# --- keys -----------------------------------------------------------------------------

class KeyCreate(BaseModel):
    model_config = strictly(name="alice", role="steward")
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._@-]*$",
                      description="who uses the key (a person or an integration)")
    role: Role = Field(strict=False)  # one of the enum's strings (strict would want a Role object)


class KeyPublic(BaseModel):
    model_config = examples(key_id=3, prefix="a1b2c3d4e5", name="alice", role="steward",
                            created_at="2026-01-05T10:00:00+00:00", created_by="admin (key 1, admin)", revoked_at=None)
    key_id: int
    prefix: str = Field(description="the public part of the key (mdm_<prefix>_...)")
    name: str
    role: Role
    created_at: Timestamp
    created_by: str | None
    revoked_at: Timestamp | None

    @classmethod
    def of(cls, row: KeyRow) -> KeyPublic:
        return cls(key_id=row.key_id, prefix=row.prefix, name=row.name, role=row.role, created_at=row.created_at,
                   created_by=row.created_by, revoked_at=row.revoked_at)


class KeyCreated(KeyPublic):
    model_config = examples(key_id=3, prefix="a1b2c3d4e5", name="alice", role="steward",
                            created_at="2026-01-05T10:00:00+00:00", created_by="admin (key 1, admin)", revoked_at=None,
                            key="mdm_a1b2c3d4e5_kX9...")
    key: str = Field(description="the key itself: shown this once, only its hash is stored")


class KeyList(BaseModel):
    keys: list[KeyPublic]


class Me(BaseModel):
    model_config = examples(key_id=3, name="alice", role="steward", sees_pii=True)
    key_id: int
    name: str
    role: Role
    sees_pii: bool

    @classmethod
    def of(cls, p: Principal) -> Me:
        return cls(key_id=p.key_id, name=p.name, role=p.role, sees_pii=p.sees_pii)


