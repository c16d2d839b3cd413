"""``/api/v1/runs``: start a pipeline run inside the server and follow it (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from mdm.stewardship.deps import RunAdmin, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import MAX_ID, RunCreate, RunList, RunPublic

router = APIRouter(prefix="/api/v1/runs", tags=["runs"])

RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="the run's id")]


@router.post("", status_code=202, responses=errors(409, 503))
def start_run(body: RunCreate, admin: RunAdmin, state: State) -> RunPublic:
    """Start ``mdm run`` in the background; follow it with GET /api/v1/runs/{run_id}."""
    return RunPublic.of(state.runs.start(admin, retrain=body.retrain))


@router.get("", responses=errors())
def list_runs(admin: RunAdmin, state: State,
              limit: Annotated[int, Query(ge=1, le=500)] = 20,
              offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> RunList:
    """Runs started through the server, newest first."""
    runs, total = state.runs.list(limit=limit, offset=offset)
    return RunList(runs=[RunPublic.of(r) for r in runs], total=total, limit=limit, offset=offset)


@router.get("/{run_id}", responses=errors(404))
def get_run(run_id: RunId, admin: RunAdmin, state: State) -> RunPublic:
    """Status, latest progress message, summary and report path of one run."""
    return RunPublic.of(state.runs.get(run_id))
