"""``/api/v1/keys``: create, list and revoke API keys (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from mdm.stewardship import auth
from mdm.stewardship.deps import Cursor, KeyAdmin, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import KeyCreate, KeyCreated, KeyList, KeyPublic

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])

KeyId = Annotated[int, Path(ge=1, le=2**62, description="the key's id")]


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


@router.delete("/{key_id}", responses=errors(404, 409))
def revoke_key(key_id: KeyId, admin: KeyAdmin, state: State) -> KeyPublic:
    """Revoke a key at once: its API calls get 401 and its web sessions end."""
    with state.access.writer(what="revoking a key") as cur:
        return KeyPublic.of(auth.revoke_key(cur, key_id, by=admin))
