"""``GET /health``: no auth; 200 when the hub answers a query."""

from __future__ import annotations

from fastapi import APIRouter

from mdm.stewardship.deps import Cursor
from mdm.stewardship.schemas import ErrorResponse, Health

# lenient on purpose: probes and load balancers may add cache-busting query parameters
router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"model": ErrorResponse}})
def health(cur: Cursor) -> Health:
    """Liveness and readiness in one: the hub must answer a trivial query."""
    cur.execute("SELECT 1").fetchone()
    return Health(status="ok")
