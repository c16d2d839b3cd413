"""Golden records, lineage, cross-references, conflicts and steward changes (``/golden``, ``/xref``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from mdm.stewardship.schemas.common import Page, Reason, Timestamp, examples, json_integer, strictly
from mdm.stewardship.schemas.tasks import RecordSide

# --- golden records -------------------------------------------------------------------

GoldenVersion = Annotated[Annotated[int, Field(ge=1, le=2**31 - 1)], BeforeValidator(json_integer),
                          Field(description="the golden record version you read; a stale one gets 409")]

_GOLDEN_RECORD_EXAMPLE = {"first_name": "JENNIFER", "last_name": "WATSON", "email": "jen@example.com"}


class LineagePublic(BaseModel):
    attribute: str
    value: str | None = Field(description="PII is masked for readers")
    source: str | None = Field(description="the source system the value came from ('steward' for an override)")
    source_id: str | None = Field(description="the record inside its source (the override id for an override)")
    rule: str = Field(description="the survivorship rule that chose the value")
    asserted_at: Timestamp | None = Field(description="when the source last asserted the value")


class MemberPublic(RecordSide):
    pass


class GoldenVersionPublic(BaseModel):
    version: int
    valid_from: Timestamp
    valid_to: Timestamp | None
    status: str
    merged_into: str | None
    confidence: float | None
    member_count: int | None


class GoldenEventPublic(BaseModel):
    seq: int
    type: str = Field(description="created | updated | merged | split | retired")
    occurred_at: Timestamp
    actor: str | None
    changes: dict[str, Any] | None = Field(description="attribute -> {before, after}")
    related: dict[str, Any] | None


class OverridePublic(BaseModel):
    override_id: int
    golden_id: str
    attribute: str
    value: str | None
    reason: str
    created_by: str | None
    created_at: Timestamp
    active: bool


class GoldenDetail(BaseModel):
    model_config = examples(
        golden_id="G0000000002", status="active", merged_into=None, version=3, confidence=0.998, member_count=2,
        created_at="2026-01-05T10:00:00+00:00", updated_at="2026-01-06T09:00:00+00:00", as_of=None, version_shown=3,
        record=_GOLDEN_RECORD_EXAMPLE,
        lineage=[{"attribute": "first_name", "value": "JENNIFER", "source": "crm", "source_id": "C1",
                  "rule": "most_trusted", "asserted_at": "2025-12-01T08:00:00+00:00"}],
        members=[{"unique_id": "crm:C1", "source": "crm", "source_id": "C1", "found": True, "updated_at": None,
                  "attributes": {"first_name": {"raw": "Jennifer", "standardised": "JENNIFER"}}}],
        members_total=2,
        versions=[{"version": 3, "valid_from": "2026-01-06T09:00:00+00:00", "valid_to": None, "status": "active",
                   "merged_into": None, "confidence": 0.998, "member_count": 2}],
        events=[{"seq": 191, "type": "updated", "occurred_at": "2026-01-06T09:00:00+00:00",
                 "actor": "alice (key 3, steward)", "changes": {"first_name": {"before": "JEN", "after": "JENNIFER"}},
                 "related": None}],
        overrides=[], masked=False)
    golden_id: str
    status: Literal["active", "merged", "retired"]
    merged_into: str | None
    version: int = Field(description="the current version: send it back with a merge, split or override")
    confidence: float | None
    member_count: int
    created_at: Timestamp
    updated_at: Timestamp
    as_of: Timestamp | None = Field(description="the time the record is shown at (null: now)")
    version_shown: int = Field(description="the version shown (differs from version with as_of)")
    record: dict[str, str | None] = Field(description="attribute -> value; PII masked for readers")
    lineage: list[LineagePublic]
    members: list[MemberPublic] = Field(description="the member source records (at most 200)")
    members_total: int
    versions: list[GoldenVersionPublic] = Field(description="version history, newest first")
    events: list[GoldenEventPublic] = Field(description="change events, newest first")
    overrides: list[OverridePublic] = Field(description="active steward overrides")
    masked: bool


class GoldenSummary(BaseModel):
    golden_id: str
    status: str
    version: int
    confidence: float | None
    member_count: int
    record: dict[str, str | None]


class GoldenList(Page):
    model_config = examples(golden=[{"golden_id": "G0000000002", "status": "active", "version": 3,
                                     "confidence": 0.998, "member_count": 2, "record": _GOLDEN_RECORD_EXAMPLE}],
                            total=1, limit=20, offset=0)
    golden: list[GoldenSummary]


class XrefHistory(BaseModel):
    golden_id: str
    valid_from: Timestamp
    valid_to: Timestamp | None


class XrefPublic(BaseModel):
    model_config = examples(source="crm", source_id="C1", golden_id="G0000000002", resolved_from=None,
                            history=[{"golden_id": "G0000000002", "valid_from": "2026-01-05T10:00:00+00:00",
                                      "valid_to": None}])
    source: str
    source_id: str
    golden_id: str = Field(description="the current golden record (resolved through merges)")
    resolved_from: str | None = Field(description="the merged-away id the xref row names, when it was resolved")
    history: list[XrefHistory] = Field(description="every golden id the record belonged to, newest first")


class ConflictValue(BaseModel):
    value: str | None = Field(description="the value as standardised (case, accents and spacing folded "
                                          "away when values are compared)")
    records: list[str] = Field(description="member records (source:source_id) asserting the value")
    spellings: list[str | None] = Field(default_factory=list,
                                        description="the standardised spellings folded into this value")
    raw: str | None = Field(default=None, description="the first asserting record's own value as its source "
                                                      "wrote it: what 'use this value' overrides the golden value with")


class ConflictPublic(BaseModel):
    golden_id: str
    version: int = Field(default=1, description="the golden record's version (for an override)")
    attribute: str
    values: list[ConflictValue]


class ConflictList(Page):
    model_config = examples(conflicts=[{"golden_id": "G0000000002", "attribute": "first_name", "values": [
        {"value": "jen", "records": ["web:100119"]}, {"value": "jennifer", "records": ["crm:C0100003"]}]}],
        total=1, limit=50, offset=0)
    conflicts: list[ConflictPublic]


class MergeCreate(BaseModel):
    model_config = strictly(other="G0000000188", version=3, reason="same person: national id and email agree")
    other: str = Field(min_length=1, max_length=200, description="the golden record to merge with this one")
    version: GoldenVersion
    reason: Reason


class SplitCreate(BaseModel):
    model_config = strictly(records=["web:100119"], version=3, reason="a different person with the same name")
    records: list[Annotated[str, Field(min_length=3, max_length=300, pattern=r"^[^:]+:.+$")]] = Field(
        min_length=1, max_length=1000, description="member records to split off, as source:source_id")
    version: GoldenVersion
    reason: Reason


class UnmergeCreate(BaseModel):
    model_config = strictly(record="web:100119", version=3, reason="a different person with the same address")
    record: str = Field(min_length=3, max_length=300, pattern=r"^[^:]+:.+$",
                        description="the member record to take out, as source:source_id")
    version: GoldenVersion
    reason: Reason


class OverrideCreate(BaseModel):
    model_config = strictly(attribute="email", value="jen.watson@example.com", version=3,
                            reason="confirmed by phone with the customer")
    attribute: str = Field(min_length=1, max_length=100, description="a dictionary attribute")
    value: str | None = Field(max_length=2000, description="the value to use (null: the attribute is empty)")
    version: GoldenVersion
    reason: Reason


class GoldenChange(BaseModel):
    model_config = examples(golden_id="G0000000002", split_off=None, override_id=None,
                            affected=["G0000000002", "G0000000188"],
                            counts={"updated": 1, "merged": 1, "created": 0, "split": 0, "retired": 0, "events": 2})
    golden_id: str = Field(description="the resulting golden record (the survivor of a merge)")
    split_off: str | None = Field(default=None, description="the record the split-off part now belongs to")
    override_id: int | None = None
    affected: list[str] = Field(description="golden ids the change touched")
    counts: dict[str, int] = Field(description="survivorship counts of the rebuild (created, updated, merged...)")

    @classmethod
    def of(cls, result: dict[str, Any]) -> GoldenChange:
        counts = {k: int(v) for k, v in result.get("counts", {}).items() if isinstance(v, int)}
        return cls(golden_id=result["golden_id"], split_off=result.get("split_off"),
                   override_id=result.get("override_id"), affected=result["affected"], counts=counts)


