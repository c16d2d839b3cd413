"""``/api/v1/keys``: create, list, revoke API keys and change their role (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from mdm.roles import Role
from mdm.stewardship import auth
from mdm.stewardship.deps import Cursor, KeyAdmin, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import KeyCreate, KeyCreated, KeyList, KeyPublic

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])

KeyId = Annotated[int, Path(ge=1, le=2**62, description="the key's id")]


class KeyRoleChange(BaseModel):
    """A key's new role (the only thing about a key that changes)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{"role": "reader"}]})
    role: Role = Field(strict=False)  # one of the enum's strings (strict would want a Role object)


@router.post("", status_code=201, responses=errors())
def create_key(body: KeyCreate, admin: KeyAdmin, state: State) -> KeyCreated:
    """Create a key; the response carries the key itself, this once (only its hash is stored)."""
    with state.access.writer(what="creating a key") as cur:
        key, row = auth.create_key(cur, name=body.name, role=body.role, created_by=admin.actor)
    return KeyCreated(**KeyPublic.of(row).model_dump(), key=key)


@router.get("", responses=errors())
def list_keys(admin: KeyAdmin, cur: Cursor,
              include_revoked: Annotated[bool, Query(description="list revoked keys too")] = True) -> KeyList:
    """Every key's public part (prefix, name, role, dates); never a key or its hash."""
    return KeyList(keys=[KeyPublic.of(k) for k in auth.list_keys(cur, include_revoked=include_revoked)])


@router.patch("/{key_id}", responses=errors(404, 409, 503))
def change_role(key_id: KeyId, body: KeyRoleChange, admin: KeyAdmin, state: State) -> KeyPublic:
    """Give a key another role: its API calls get the new role's rights at once and its web sessions
    end (log in again). A key cannot change its own role; the role it already has changes nothing."""
    with state.access.writer(what="changing the key's role") as cur:
        before = auth.get_key(cur, key_id)
        row = auth.change_role(cur, key_id, body.role, by=admin)
    if row.role != before.role:
        state.sessions.end_key(key_id, reason=auth.ROLE_CHANGED)
    return KeyPublic.of(row)


@router.delete("/{key_id}", responses=errors(404, 409, 503))
def revoke_key(key_id: KeyId, admin: KeyAdmin, state: State) -> KeyPublic:
    """Revoke a key at once: its API calls get 401 and its web sessions end."""
    with state.access.writer(what="revoking a key") as cur:
        row = auth.revoke_key(cur, key_id, by=admin)
    state.sessions.end_key(key_id, reason=auth.KEY_REVOKED)
    return KeyPublic.of(row)
