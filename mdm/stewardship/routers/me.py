"""``GET /api/v1/me``: who the presented key belongs to (every role)."""

from __future__ import annotations

from fastapi import APIRouter

from mdm.stewardship.deps import Whoami
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import Me

router = APIRouter(prefix="/api/v1/me", tags=["auth"])


@router.get("", responses=errors())
def whoami(principal: Whoami) -> Me:
    """The key's name and role, and whether PII is shown to it."""
    return Me.of(principal)
