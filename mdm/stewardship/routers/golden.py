"""``/api/v1/golden``: golden records (read, search, conflicts) and steward changes (merge,
split, override).

A merged-away id answers ``GET /api/v1/golden/{id}`` with a **307 redirect** to its
survivor's URL (query string kept), so clients and caches learn the new id; ``as_of``
reads are not redirected (they show the id as it was then).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse

from mdm.pii import MaskingPolicy
from mdm.pipeline.scoped import rebuild_for
from mdm.stewardship import golden
from mdm.stewardship.auth import Principal
from mdm.stewardship.deps import Cursor, GoldenReader, GoldenSteward, State
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import (
    ConflictList,
    ConflictPublic,
    GoldenChange,
    GoldenDetail,
    GoldenList,
    GoldenSummary,
    MergeCreate,
    OverrideCreate,
    SplitCreate,
    UnmergeCreate,
)
from mdm.survivorship import resolve_golden_id

router = APIRouter(prefix="/api/v1/golden", tags=["golden"])

GoldenId = Annotated[str, Path(min_length=1, max_length=200, description="a golden id, e.g. G0000000002")]
Text = Annotated[str | None, Query(max_length=200)]


def _masked(state: State, reader: Principal) -> bool:
    """Whether the caller's role sees the dictionary's PII attributes masked (the one policy)."""
    return MaskingPolicy.from_pii(state.pii).view(reader.role).masked


@router.get("", responses=errors())
def search_golden(
    reader: GoldenReader, state: State, cur: Cursor,
    q: Annotated[str | None, Query(max_length=200, description="words found in any value of the golden record or "
                                                               "its member records, ids included (whole words, "
                                                               "or the start of one from 3 characters)")] = None,
    name: Annotated[str | None, Query(max_length=200, description="words found in the names (nickname-aware: "
                                                                  "Bill finds William)")] = None,
    email: Annotated[str | None, Query(max_length=320, description="an address, or its start (case-insensitive)")
                     ] = None,
    phone: Annotated[str | None, Query(max_length=40, pattern=r"^[-+0-9 ().]*[0-9][-+0-9 ().]*$",
                                       description="by its digits; the number's end matches")] = None,
    postal_code: Annotated[str | None, Query(max_length=20, description="prefix, spaces and case ignored")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> GoldenList:
    """Active golden records matching every given filter, ranked (exact before prefix, names and ids
    before other values, the golden record's own values before its members'), paged. Served by the
    hub's search index (``search_token``), not a scan."""
    found, total = golden.search(cur, attributes=state.attributes, pii=state.pii, masked=_masked(state, reader),
                                 q=q, name=name, email=email, phone=phone, postal_code=postal_code,
                                 limit=limit, offset=offset)
    return GoldenList(golden=[GoldenSummary.model_validate(g) for g in found], total=total, limit=limit,
                      offset=offset)


@router.get("/conflicts", responses=errors())
def list_conflicts(
    reader: GoldenReader, state: State, cur: Cursor,
    attribute: Annotated[str | None, Query(max_length=100, description="only this attribute")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> ConflictList:
    """Golden records whose member records disagree on an attribute: each value and who asserts it."""
    found, total = golden.conflicts(cur, attributes=state.attributes, pii=state.pii, masked=_masked(state, reader),
                                    attribute=attribute, limit=limit, offset=offset)
    return ConflictList(conflicts=[ConflictPublic.model_validate(c) for c in found], total=total, limit=limit,
                        offset=offset)


@router.get("/{golden_id}", responses={**errors(404), 307: {"description": "a merged-away id: redirect to the "
                                                                            "survivor's URL"}})
def get_golden(golden_id: GoldenId, request: Request, reader: GoldenReader, state: State, cur: Cursor,
               as_of: Annotated[dt.datetime | None, Query(description="show the record as it was then")] = None,
               ) -> GoldenDetail:
    """Attributes, per-attribute lineage, member source records, versions and events."""
    if as_of is None:
        survivor = resolve_golden_id(cur, golden_id)
        if survivor != golden_id:
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"/api/v1/golden/{quote(survivor, safe='')}{query}",  # type: ignore[return-value]
                                    status_code=307)
    if as_of is not None and as_of.tzinfo is not None:
        as_of = as_of.astimezone().replace(tzinfo=None)  # the hub keeps naive local times
    return GoldenDetail.model_validate(golden.detail(cur, golden_id, as_of=as_of, attributes=state.attributes,
                                                     pii=state.pii, masked=_masked(state, reader)))


@router.post("/{golden_id}/merge", responses=errors(404, 409, 503))
def merge_golden(golden_id: GoldenId, body: MergeCreate, steward: GoldenSteward, state: State) -> GoldenChange:
    """Merge another golden record into this one (a must-link between them; the older id survives).

    Undo it with a split (which removes the must-link)."""
    with state.access.writer(what="merging golden records") as cur:
        return GoldenChange.of(golden.merge(cur, golden_id, body.other, version=body.version, reason=body.reason,
                                            by=steward, rebuild=rebuild_for(state.settings.project)))


@router.post("/{golden_id}/split", responses=errors(404, 409, 503))
def split_golden(golden_id: GoldenId, body: SplitCreate, steward: GoldenSteward, state: State) -> GoldenChange:
    """Split member records off into a golden record of their own (cannot-links to the rest).

    Undo it with a merge (which removes the cannot-links)."""
    with state.access.writer(what="splitting the golden record") as cur:
        return GoldenChange.of(golden.split(cur, golden_id, body.records, version=body.version, reason=body.reason,
                                            by=steward, rebuild=rebuild_for(state.settings.project)))


@router.post("/{golden_id}/unmerge", responses=errors(404, 409, 503))
def unmerge_golden(golden_id: GoldenId, body: UnmergeCreate, steward: GoldenSteward, state: State) -> GoldenChange:
    """Take one member record out: it becomes its own golden record, or rejoins the one its evidence
    (auto-matching pairs) supports; cannot-links keep it apart from the rest in every later run.

    ``split_off`` names where the record went. Undo it with a merge."""
    with state.access.writer(what="unmerging the record") as cur:
        return GoldenChange.of(golden.unmerge(cur, golden_id, body.record, version=body.version, reason=body.reason,
                                              by=steward, rebuild=rebuild_for(state.settings.project)))


@router.post("/{golden_id}/overrides", status_code=201, responses=errors(404, 409, 503))
def add_override(golden_id: GoldenId, body: OverrideCreate, steward: GoldenSteward, state: State) -> GoldenChange:
    """Override one attribute's value (it wins over every source until the override is deleted)."""
    with state.access.writer(what="overriding the attribute") as cur:
        return GoldenChange.of(golden.add_override(cur, golden_id, attribute=body.attribute, value=body.value,
                                                   version=body.version, reason=body.reason, by=steward,
                                                   rebuild=rebuild_for(state.settings.project)))


@router.delete("/{golden_id}/overrides/{override_id}", responses=errors(404, 409, 503))
def delete_override(golden_id: GoldenId, steward: GoldenSteward, state: State,
                    override_id: Annotated[int, Path(ge=1, le=2**62)],
                    version: Annotated[int, Query(ge=1, le=2**31 - 1, description="the golden version you read")],
                    ) -> GoldenChange:
    """Revert an override: the survivorship rules choose the value again."""
    with state.access.writer(what="deleting the override") as cur:
        return GoldenChange.of(golden.delete_override(cur, golden_id, override_id, version=version, by=steward,
                                                      rebuild=rebuild_for(state.settings.project)))
