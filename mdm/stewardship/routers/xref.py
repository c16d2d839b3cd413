"""``/api/v1/xref``: which golden record a source record belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from mdm.stewardship import golden
from mdm.stewardship.deps import Cursor, GoldenReader
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import XrefPublic

router = APIRouter(prefix="/api/v1/xref", tags=["golden"])


@router.get("/{source}/{source_id}", responses=errors(404))
def get_xref(reader: GoldenReader, cur: Cursor,
             source: Annotated[str, Path(min_length=1, max_length=100, description="source system, e.g. crm")],
             source_id: Annotated[str, Path(min_length=1, max_length=300, description="the record's id there")],
             ) -> XrefPublic:
    """The current golden record of ``source:source_id`` (resolved through merges) and its history."""
    return XrefPublic.model_validate(golden.xref(cur, source, source_id))
