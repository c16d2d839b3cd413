"""Real-time matching and record upserts (``/match``, ``/records``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from mdm.stewardship.schemas.common import Integer, RequestTimestamp, examples

# --- real-time matching ------------------------------------------------------------------

#: one raw attribute value: a string (as a source file would hold it) or null. Numbers and booleans
#: are refused rather than guessed at (``true`` is no postal code; ``78751`` loses a leading zero).
RecordValue = Annotated[StrictStr | None, Field(max_length=10_000, description="a raw value, as text, or null")]
#: attribute -> raw value: at most 100 attributes, names up to 100 characters
MatchRecord = Annotated[dict[Annotated[str, Field(min_length=1, max_length=100)], RecordValue],
                        Field(max_length=100, description="attribute -> raw value as text (dictionary attribute "
                              "names; others are ignored); at most 100 attributes, values up to 10,000 characters")]


class MatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"record": {"first_name": "Maria", "last_name": "Estrada", "email": "mariaestrada@horizonbakery.com",
                    "postal_code": "78751"}, "source": "crm", "limit": 5}]})
    record: MatchRecord
    source: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$",
                               description="standardise as this source would (its default phone region, dates)")
    limit: Integer = Field(default=10, ge=1, le=50)


class MatchCandidatePublic(BaseModel):
    golden_id: str
    match_probability: float
    match_weight: float
    band: str = Field(description="match | review | low, by the rules' thresholds")
    best_unique_id: str = Field(description="the member record that matched best (source:source_id)")
    members_matched: list[str]
    explanation: list[dict[str, Any]] = Field(description="per-comparison contributions; they sum to match_weight")


class MatchPublic(BaseModel):
    model_config = examples(candidates=[{"golden_id": "G0000000001", "match_probability": 0.9999,
                                         "match_weight": 17.2, "band": "match", "best_unique_id": "crm:C0100001",
                                         "members_matched": ["crm:C0100001"], "explanation": []}],
                            candidates_found=3, candidates_scored=3)
    candidates: list[MatchCandidatePublic] = Field(description="golden records, best first")
    candidates_found: int
    candidates_scored: int


class RecordUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"source": "web", "source_id": "W-1001", "record": {"first_name": "Maria", "last_name": "Estrada",
                                                            "email": "mariaestrada@horizonbakery.com"}}]})
    source: str = Field(max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", description="a configured source")
    source_id: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")
    record: MatchRecord
    updated_at: RequestTimestamp | None = Field(default=None, description=(
        "when the source last changed the record: RFC 3339 with an offset (a naive time or a number is refused); "
        "one no system can have written is flagged `updated_at.range` and not stored"))


class RecordResult(BaseModel):
    model_config = examples(unique_id="web:W-1001", action="attached", golden_id="G0000000001",
                            review_against=None, events=1, candidates=[])
    unique_id: str
    action: Literal["attached", "review", "created", "updated"]
    golden_id: str | None
    review_against: str | None = Field(description="review: the golden record a task now compares it with")
    events: int = Field(description="change events the upsert emitted")
    candidates: list[MatchCandidatePublic]
    ignored: list[str] = Field(default_factory=list, description="fields the dictionary does not define (not stored)")
