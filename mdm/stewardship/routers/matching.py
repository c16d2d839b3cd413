"""``/api/v1/match`` (score a record against the hub) and ``/api/v1/records``
(search-before-create for integrations); see :mod:`mdm.stewardship.realtime`."""

from __future__ import annotations

from fastapi import APIRouter

from mdm.stewardship.deps import Cursor, MatchCaller, RecordWriter, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import MatchCandidatePublic, MatchCreate, MatchPublic, RecordResult, RecordUpsert

router = APIRouter(prefix="/api/v1", tags=["matching"])


@router.post("/match", responses=errors(404, 409))
def match_record(body: MatchCreate, caller: MatchCaller, state: State, cur: Cursor) -> MatchPublic:
    """Standardise one record as batch does and return the golden records it may belong to, best
    first, each with its probability, match weight and per-comparison explanation."""
    result = state.realtime.match(cur, dict(body.record), source=body.source, limit=body.limit)
    return MatchPublic(candidates=[MatchCandidatePublic.model_validate(c) for c in result["candidates"]],
                       candidates_found=result["candidates_found"], candidates_scored=result["candidates_scored"])


@router.post("/records", responses=errors(404, 409, 503))
def upsert_record(body: RecordUpsert, writer: RecordWriter, state: State) -> RecordResult:
    """Upsert a source record: attach it to a golden record at or above ``auto_match``, open a
    review task in the review band, else create a golden record. An existing id is updated."""
    out = state.realtime.upsert(writer, body.source, body.source_id, dict(body.record), body.updated_at)
    return RecordResult(unique_id=out["unique_id"], action=out["action"], golden_id=out["golden_id"],
                        review_against=out["review_against"], events=out["events"],
                        candidates=[MatchCandidatePublic.model_validate(c) for c in out["candidates"]],
                        ignored=out["ignored"])
