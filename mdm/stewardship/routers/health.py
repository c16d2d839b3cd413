"""``GET /health``: no auth; 200 when the hub answers a query."""

from __future__ import annotations

from fastapi import APIRouter

from mdm.stewardship.deps import Cursor, Strict
from mdm.stewardship.schemas import ErrorResponse, Health

router = APIRouter(tags=["health"], dependencies=[Strict])


@router.get("/health", responses={422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
def health(cur: Cursor) -> Health:
    """Liveness and readiness in one: the hub must answer a trivial query."""
    cur.execute("SELECT 1").fetchone()
    return Health(status="ok")
