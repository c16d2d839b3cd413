"""Request and response models of the API: Create/Update models in, Public models out.

Table rows never leave the server as they are: each Public model is built from a domain
object by a ``of`` class method, so adding a column to a table changes no response.
Every model carries an example for the OpenAPI document.

Request models are strict, and their JSON schema says exactly what they accept, so a
client (or a fuzzer) reading ``/openapi.json`` and the server agree:

- no silent coercion: ``true``, ``0`` or ``"1"`` are not accepted where the schema says
  string, boolean or integer (pydantic's lax mode would read ``{"retrain": 0}`` as false);
- date-times are RFC 3339 strings **with** an offset (``Z`` or ``+hh:mm``); a naive
  date-time or a number (``0``, a 1970 epoch) is refused with 422. Dates are ``YYYY-MM-DD``;
- a ``reason`` must hold at least one visible character: white space, control and
  zero-width characters alone are refused, and the schema's ``pattern`` says the same;
- response date-times always carry their offset (the hub keeps naive local times).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, WithJsonSchema

from mdm.stewardship.audit import Entry, Verification
from mdm.stewardship.auth import KeyRow, Principal, Role
from mdm.stewardship.runs import RunJob
from mdm.stewardship.tasks import Task


def _aware(value: dt.datetime) -> dt.datetime:
    """The hub keeps naive local timestamps; the API speaks RFC 3339, with the offset."""
    if value.tzinfo is None:
        try:
            return value.astimezone()
        except (OverflowError, ValueError, OSError):  # 0001-01-01 west of the local zone: read as UTC
            return value.replace(tzinfo=dt.UTC)
    return value


#: a point in time with its UTC offset (RFC 3339 date-time), in responses: naive hub times
#: (whether a datetime or a string read back from JSON) get the server's local offset
Timestamp = Annotated[dt.datetime, AfterValidator(_aware)]

#: years 0001-9999 (RFC 3339 allows 0000, which no date type here can hold)
_YEAR = r"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
DATE_PATTERN = rf"^{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
DATE_TIME_PATTERN = (rf"^{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]"
                     r":[0-5][0-9](?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$")
_DATE_RE = re.compile(DATE_PATTERN)
_DATE_TIME_RE = re.compile(DATE_TIME_PATTERN)


def _request_date_time(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("a date-time is an RFC 3339 string such as 2026-01-05T10:00:00Z, not a number")
    if not _DATE_TIME_RE.fullmatch(value):
        raise ValueError(f"{value[:40]!r} is not an RFC 3339 date-time with an offset (e.g. 2026-01-05T10:00:00Z "
                         "or 2026-01-05T10:00:00+01:00); a time without Z or +hh:mm is ambiguous and refused")
    text = value.upper()
    if "." in text:  # Python reads at most 6 fraction digits: nanoseconds are cut to microseconds
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:  # 2026-02-30
        raise ValueError(f"{value[:40]!r} is not a real date-time") from None


def _request_date(value: Any) -> dt.date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError("a date is a YYYY-MM-DD string such as 2026-01-31")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        raise ValueError(f"{value!r} is not a real date") from None


#: a date-time a client sends: an RFC 3339 string with its offset; naive times and numbers get 422
RequestTimestamp = Annotated[dt.datetime, BeforeValidator(_request_date_time), WithJsonSchema({
    "type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN,
    "description": "RFC 3339 with an offset (Z or +hh:mm); a naive date-time or a number is refused (422)"})]
#: a date a client sends: YYYY-MM-DD
RequestDate = Annotated[dt.date, BeforeValidator(_request_date), WithJsonSchema({
    "type": "string", "format": "date", "pattern": DATE_PATTERN})]

def _json_integer(value: Any) -> Any:
    """JSON Schema's ``integer``: 3 and 3.0 are the same number; ``true`` and ``"3"`` are not numbers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # anything else meets the strict int check (bool, str and 3.5 are refused)


#: an integer in a request body: JSON's 3 or 3.0; never a boolean or a string
Integer = Annotated[int, BeforeValidator(_json_integer)]

#: characters that do not make a reason: white space (all that ``str.isspace`` knows), C0/C1
#: controls, zero-width characters and the byte-order mark. The same class is the schema's pattern.
_INVISIBLE = (r"\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff")
VISIBLE_PATTERN = f"[^{_INVISIBLE}]"
_VISIBLE_RE = re.compile(VISIBLE_PATTERN)


def _reason(v: str) -> str:
    if not _VISIBLE_RE.search(v):
        raise ValueError("reason must contain a visible character (white space or control characters alone are "
                         "not a reason)")
    return v.strip()


#: why a steward changed something: kept in the audit log; at least one visible character
Reason = Annotated[StrictStr, Field(min_length=1, max_length=2000, description="why; kept in the audit log",
                                    json_schema_extra={"pattern": VISIBLE_PATTERN}),
                   AfterValidator(_reason)]


#: the largest id or sequence number the API takes: 2**53 - 1, the largest integer every JSON reader
#: holds exactly (with 2**62, 4611686018427387999 reads as the bound itself in a double)
MAX_ID = 2**53 - 1
#: an id or sequence number in a request body (the bounds sit on the int, so the schema states them)
RequestId = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)], BeforeValidator(_json_integer)]


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


def _request(**example: Any) -> ConfigDict:
    """A request body: unknown fields refused, no type coercion (see the module docstring)."""
    return ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [example]})


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable reason code", examples=["task.version"])
    message: str = Field(description="one line for people: what went wrong and how to fix it")


class ErrorResponse(BaseModel):
    model_config = _example(error={"code": "task.version", "message": "task 7 changed since you read it (it is at "
                                   "version 3, you sent 2); reload it and try again"})
    error: ErrorDetail


class Health(BaseModel):
    model_config = _example(status="ok")
    status: Literal["ok"]


class Page(BaseModel):
    total: int = Field(ge=0, description="rows the filter selects, over all pages")
    limit: int
    offset: int


# --- keys -----------------------------------------------------------------------------

class KeyCreate(BaseModel):
    model_config = _request(name="alice", role="steward")
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._@-]*$",
                      description="who uses the key (a person or an integration)")
    role: Role = Field(strict=False)  # one of the enum's strings (strict would want a Role object)


class KeyPublic(BaseModel):
    model_config = _example(key_id=3, prefix="a1b2c3d4e5", name="alice", role="steward",
                            created_at="2026-01-05T10:00:00+00:00", created_by="admin (key 1, admin)", revoked_at=None)
    key_id: int
    prefix: str = Field(description="the public part of the key (mdm_<prefix>_...)")
    name: str
    role: Role
    created_at: Timestamp
    created_by: str | None
    revoked_at: Timestamp | None

    @classmethod
    def of(cls, row: KeyRow) -> KeyPublic:
        return cls(key_id=row.key_id, prefix=row.prefix, name=row.name, role=row.role, created_at=row.created_at,
                   created_by=row.created_by, revoked_at=row.revoked_at)


class KeyCreated(KeyPublic):
    model_config = _example(key_id=3, prefix="a1b2c3d4e5", name="alice", role="steward",
                            created_at="2026-01-05T10:00:00+00:00", created_by="admin (key 1, admin)", revoked_at=None,
                            key="mdm_a1b2c3d4e5_kX9...")
    key: str = Field(description="the key itself: shown this once, only its hash is stored")


class KeyList(BaseModel):
    keys: list[KeyPublic]


class Me(BaseModel):
    model_config = _example(key_id=3, name="alice", role="steward", sees_pii=True)
    key_id: int
    name: str
    role: Role
    sees_pii: bool

    @classmethod
    def of(cls, p: Principal) -> Me:
        return cls(key_id=p.key_id, name=p.name, role=p.role, sees_pii=p.sees_pii)


# --- tasks ----------------------------------------------------------------------------

class TaskPublic(BaseModel):
    model_config = _example(task_id=7, status="open", band="review", created_at="2026-01-05T10:00:00+00:00", run_id=1,
                            unique_id_l="crm:C0100010", unique_id_r="legacy:10079", cluster_l="crm:C0100010",
                            cluster_r="legacy:10079", match_probability=0.91, match_weight=3.4, version=1,
                            assignee=None, decision=None, reason=None, decided_by=None, decided_at=None)
    task_id: int
    status: Literal["open", "decided"]
    band: str = Field(description="the pair's band in the latest run: match | review | low | unscored")
    created_at: Timestamp
    run_id: int | None
    unique_id_l: str
    unique_id_r: str
    cluster_l: str | None
    cluster_r: str | None
    match_probability: float | None
    match_weight: float | None
    version: int = Field(description="send it back with a change; a stale version gets 409")
    assignee: str | None
    decision: Literal["match", "no_match"] | None
    reason: str | None
    decided_by: str | None
    decided_at: Timestamp | None

    @classmethod
    def of(cls, t: Task) -> TaskPublic:
        return cls(task_id=t.task_id, status=t.status,  # type: ignore[arg-type]
                   band=t.band, created_at=t.created_at, run_id=t.run_id, unique_id_l=t.unique_id_l,
                   unique_id_r=t.unique_id_r, cluster_l=t.cluster_l, cluster_r=t.cluster_r,
                   match_probability=t.match_probability, match_weight=t.match_weight, version=t.version,
                   assignee=t.assignee, decision=t.decision,  # type: ignore[arg-type]
                   reason=t.reason, decided_by=t.decided_by, decided_at=t.decided_at)


class TaskList(Page):
    tasks: list[TaskPublic]


class Contribution(BaseModel):
    comparison: str = Field(description="'prior' first, then one entry per comparison")
    level: str | None
    gamma: int | None
    bayes_factor: float | None
    weight: float | None = Field(description="log2 of the Bayes factor; the weights add up to the match weight")


class AttributeValues(BaseModel):
    raw: str | None
    standardised: str | None


class RecordSide(BaseModel):
    unique_id: str
    source: str
    source_id: str
    found: bool = Field(description="false when the record is no longer in the hub")
    updated_at: Timestamp | None
    attributes: dict[str, AttributeValues] = Field(description="PII is masked for readers")


class TaskDetail(BaseModel):
    model_config = _example(
        task={"task_id": 7, "status": "open", "band": "review", "created_at": "2026-01-05T10:00:00+00:00", "run_id": 1,
              "unique_id_l": "crm:C1", "unique_id_r": "web:W9", "cluster_l": "crm:C1", "cluster_r": "web:W9",
              "match_probability": 0.91, "match_weight": 3.4, "version": 1, "assignee": None, "decision": None,
              "reason": None, "decided_by": None, "decided_at": None},
        left={"unique_id": "crm:C1", "source": "crm", "source_id": "C1", "found": True, "updated_at": None,
              "attributes": {"last_name": {"raw": "Ortiz", "standardised": "ORTIZ"}}},
        right={"unique_id": "web:W9", "source": "web", "source_id": "W9", "found": True, "updated_at": None,
               "attributes": {"last_name": {"raw": "ortiz", "standardised": "ORTIZ"}}},
        explanation=[{"comparison": "prior", "level": "prior", "gamma": None, "bayes_factor": 0.004, "weight": -7.8},
                     {"comparison": "last_name", "level": "exact", "gamma": 6, "bayes_factor": 38.0,
                      "weight": 5.2}],
        masked=False)
    task: TaskPublic
    left: RecordSide
    right: RecordSide
    explanation: list[Contribution]
    masked: bool = Field(description="true when PII values were masked for the caller's role")


class DecisionCreate(BaseModel):
    model_config = _request(decision="match", version=1, reason="same person: email and phone agree")
    decision: Literal["match", "no_match"]
    version: Integer = Field(ge=1, le=2**31 - 1, description="the task version you decided on")
    reason: Reason


class ReopenCreate(BaseModel):
    model_config = _request(version=2, reason="decided on a shared household address; not one person")
    version: Integer = Field(ge=1, le=2**31 - 1, description="the task version you read")
    reason: Reason


class AssignmentUpdate(BaseModel):
    model_config = _request(assignee="alice", version=1)
    assignee: str | None = Field(min_length=1, max_length=64, description="key name to assign to; null unassigns")
    version: Integer = Field(ge=1, le=2**31 - 1)


# --- golden records -------------------------------------------------------------------

GoldenVersion = Annotated[Annotated[int, Field(ge=1, le=2**31 - 1)], BeforeValidator(_json_integer),
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
    model_config = _example(
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
    model_config = _example(golden=[{"golden_id": "G0000000002", "status": "active", "version": 3,
                                     "confidence": 0.998, "member_count": 2, "record": _GOLDEN_RECORD_EXAMPLE}],
                            total=1, limit=20, offset=0)
    golden: list[GoldenSummary]


class XrefHistory(BaseModel):
    golden_id: str
    valid_from: Timestamp
    valid_to: Timestamp | None


class XrefPublic(BaseModel):
    model_config = _example(source="crm", source_id="C1", golden_id="G0000000002", resolved_from=None,
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
    model_config = _example(conflicts=[{"golden_id": "G0000000002", "attribute": "first_name", "values": [
        {"value": "jen", "records": ["web:100119"]}, {"value": "jennifer", "records": ["crm:C0100003"]}]}],
        total=1, limit=50, offset=0)
    conflicts: list[ConflictPublic]


class MergeCreate(BaseModel):
    model_config = _request(other="G0000000188", version=3, reason="same person: national id and email agree")
    other: str = Field(min_length=1, max_length=200, description="the golden record to merge with this one")
    version: GoldenVersion
    reason: Reason


class SplitCreate(BaseModel):
    model_config = _request(records=["web:100119"], version=3, reason="a different person with the same name")
    records: list[Annotated[str, Field(min_length=3, max_length=300, pattern=r"^[^:]+:.+$")]] = Field(
        min_length=1, max_length=1000, description="member records to split off, as source:source_id")
    version: GoldenVersion
    reason: Reason


class UnmergeCreate(BaseModel):
    model_config = _request(record="web:100119", version=3, reason="a different person with the same address")
    record: str = Field(min_length=3, max_length=300, pattern=r"^[^:]+:.+$",
                        description="the member record to take out, as source:source_id")
    version: GoldenVersion
    reason: Reason


class OverrideCreate(BaseModel):
    model_config = _request(attribute="email", value="jen.watson@example.com", version=3,
                            reason="confirmed by phone with the customer")
    attribute: str = Field(min_length=1, max_length=100, description="a dictionary attribute")
    value: str | None = Field(max_length=2000, description="the value to use (null: the attribute is empty)")
    version: GoldenVersion
    reason: Reason


class GoldenChange(BaseModel):
    model_config = _example(golden_id="G0000000002", split_off=None, override_id=None,
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


# --- runs -----------------------------------------------------------------------------

class RunCreate(BaseModel):
    model_config = _request(retrain=False)
    retrain: bool = Field(default=False, description="train the match model again")


class RunPublic(BaseModel):
    model_config = _example(run_id=2, status="succeeded", requested_by="admin", retrain=False,
                            started_at="2026-01-05T10:00:00+00:00", finished_at="2026-01-05T10:00:09+00:00",
                            progress="finished",
                            summary={"totals": {"rows_read": 300, "accepted": 291}},
                            report="/srv/mdm/reports/run-20260105-100009.html", error=None)
    run_id: int
    status: Literal["running", "succeeded", "failed"]
    requested_by: str
    retrain: bool
    started_at: Timestamp
    finished_at: Timestamp | None
    progress: str | None = Field(description="the pipeline's latest progress message")
    summary: dict[str, Any] | None
    report: str | None = Field(description="path of the HTML run report on the server")
    error: str | None

    @classmethod
    def of(cls, j: RunJob) -> RunPublic:
        return cls(run_id=j.job_id, status=j.status,  # type: ignore[arg-type]
                   requested_by=j.requested_by, retrain=j.retrain, started_at=j.started_at,
                   finished_at=j.finished_at, progress=j.progress, summary=j.summary, report=j.report,
                   error=j.error)


class RunList(Page):
    runs: list[RunPublic]


# --- audit ----------------------------------------------------------------------------

class AuditEntryPublic(BaseModel):
    model_config = _example(seq=12, at="2026-01-05T10:00:00+00:00", actor="alice (key 3, steward)",
                            action="task.decide.match", target="task:7", before={"status": "open", "version": 1},
                            after={"status": "decided", "version": 2}, prev_hash="9f2c...", hash="41ab...")
    seq: int
    at: Timestamp
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: Entry) -> AuditEntryPublic:
        return cls(seq=e.seq, at=e.at, actor=e.actor, action=e.action, target=e.target, before=e.before,
                   after=e.after, prev_hash=e.prev_hash, hash=e.hash)


class AuditList(BaseModel):
    entries: list[AuditEntryPublic]


class AuditVerification(BaseModel):
    model_config = _example(ok=True, entries=42, head="41ab...", broken_at=None, problem=None)
    ok: bool
    entries: int
    head: str = Field(description="hash of the last intact entry; keep it elsewhere to detect a truncated log")
    broken_at: int | None
    problem: str | None

    @classmethod
    def of(cls, v: Verification) -> AuditVerification:
        return cls(ok=v.ok, entries=v.entries, head=v.head, broken_at=v.broken_at, problem=v.problem)


# --- change feed ----------------------------------------------------------------------

EventType = Literal["created", "updated", "merged", "split", "retired"]


class EventPublic(BaseModel):
    model_config = _example(seq=1042, type="updated", golden_id="g-000123", occurred_at="2026-01-05T10:00:00+00:00",
                            run_id=12, actor="pipeline",
                            changes={"email": {"before": "ann@old.io", "after": "ann@acme.io"}},
                            record={"first_name": "Ann", "email": "ann@acme.io"}, related={})
    seq: int = Field(description="strictly increasing over the whole feed")
    type: str = Field(description="created | updated | merged | split | retired")
    golden_id: str
    occurred_at: Timestamp | None
    run_id: int | None
    actor: str | None
    changes: dict[str, Any] = Field(description="attribute -> {before, after}")
    record: dict[str, Any] | None = Field(description="the full new golden record")
    related: dict[str, Any] = Field(description="e.g. merged_into, split_from, members")


class EventPage(BaseModel):
    model_config = _example(events=[{"seq": 1042, "type": "created", "golden_id": "g-000123",
                                     "occurred_at": "2026-01-05T10:00:00+00:00", "run_id": 12, "actor": "pipeline",
                                     "changes": {}, "record": {"first_name": "Ann"}, "related": {}}],
                            next_after=1042)
    events: list[EventPublic] = Field(description="in sequence order")
    next_after: int = Field(description="send as ``after`` to get the next page (equals ``after`` when there were "
                                        "no new events: poll again later)")


# --- webhooks -------------------------------------------------------------------------

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_URL_CHARS = r"A-Za-z0-9._~%!$&'()*+,;=:@-"
#: the webhook URLs the API takes (the router checks exactly this, so schema and server agree)
WEBHOOK_URL_PATTERN = (rf"^https?://(?:{_LABEL}\.)*{_LABEL}(?::{_PORT})?(?:/[{_URL_CHARS}]*)*"
                       rf"(?:\?[/?{_URL_CHARS}]*)?$")

class WebhookCreate(BaseModel):
    model_config = _request(url="https://crm.example.com/mdm-hook", event_types=["created", "updated", "merged"],
                            max_attempts=8)
    url: str = Field(min_length=1, max_length=2000, description="absolute http:// or https:// URL with a host name "
                     "or IPv4 address, optional port, path and query (no user info, no fragment); anything else is "
                     "refused with 422 (code `webhook.url`)", json_schema_extra={"pattern": WEBHOOK_URL_PATTERN})
    event_types: list[EventType] = Field(default=["created", "updated", "merged", "split", "retired"],
                                         min_length=1, max_length=5)
    max_attempts: Integer = Field(default=8, ge=1, le=50, description="attempts before a delivery is dead-lettered")
    from_seq: RequestId | None = Field(default=None,
                                 description="deliver events from this seq on (default: only events after now)")


class WebhookPublic(BaseModel):
    model_config = _example(subscription_id=3, url="https://crm.example.com/mdm-hook", event_types=["created"],
                            max_attempts=8, active=True, cursor_seq=1042, pending=0, dead=0)
    subscription_id: int
    url: str
    event_types: list[str]
    max_attempts: int
    active: bool = Field(description="false once deleted")
    cursor_seq: int = Field(description="the last event seq queued for this subscription")
    pending: int = Field(description="deliveries waiting or being retried")
    dead: int = Field(description="deliveries in the dead-letter list")


class WebhookCreated(WebhookPublic):
    model_config = _example(subscription_id=3, url="https://crm.example.com/mdm-hook", event_types=["created"],
                            max_attempts=8, active=True, cursor_seq=1042, pending=0, dead=0,
                            secret="u3C...shown-once")
    secret: str = Field(description="signs every delivery (X-MDM-Signature); shown only now, store it")


class WebhookList(BaseModel):
    webhooks: list[WebhookPublic]


class DeadLetterPublic(BaseModel):
    model_config = _example(delivery_id=77, subscription_id=3, seq=1042, golden_id="g-000123", attempts=8,
                            last_status_code=500, last_error="HTTP 500")
    delivery_id: int
    subscription_id: int
    seq: int
    golden_id: str
    attempts: int
    last_status_code: int | None
    last_error: str | None


class DeadLetterList(BaseModel):
    dead_letters: list[DeadLetterPublic]


class RedriveCreate(BaseModel):
    model_config = _request(delivery_ids=[77, 78])
    delivery_ids: list[RequestId] | None = Field(
        default=None, max_length=10000, description="only these dead letters (default: all of this subscription's)")


class RedriveResult(BaseModel):
    model_config = _example(redriven=2)
    redriven: int = Field(description="dead letters put back in the queue")


# --- audits, quality history, schedules -----------------------------------------------

class DecayAuditCreate(BaseModel):
    model_config = _request(as_of="2026-01-31", threshold=0.75)
    as_of: RequestDate | None = Field(default=None, description="audit date, YYYY-MM-DD (default: today)")
    threshold: float = Field(default=0.75, gt=0, lt=1, description="stale below this probability of still being valid")


class AuditSummaryPublic(BaseModel):
    model_config = _example(audit_id=4, kind="decay", as_of="2026-01-31", run_at="2026-01-31T02:00:00+00:00",
                            threshold=0.75, summary={"values": 2900, "stale": 310, "stale_share": 0.107})
    audit_id: int
    kind: str
    as_of: dt.date
    run_at: Timestamp
    threshold: float
    summary: dict[str, Any]


class DecayAuditResult(AuditSummaryPublic):
    model_config = _example(audit_id=4, kind="decay", as_of="2026-01-31", run_at="2026-01-31T02:00:00+00:00",
                            threshold=0.75, summary={"values": 2900, "stale": 310},
                            worklist="/srv/mdm/mdm-data/audits/decay-2026-01-31-4.csv",
                            report="/srv/mdm/mdm-data/audits/decay-2026-01-31-4.html")
    worklist: str = Field(description="path of the re-verification worklist (csv) on the server")
    report: str = Field(description="path of the HTML report on the server")


class AuditSummaryList(Page):
    audits: list[AuditSummaryPublic]


class QualityHistory(BaseModel):
    model_config = _example(
        scorecards=[{"batch_id": 1, "source": "crm", "computed_at": "2026-01-05T10:00:00", "attribute": "email",
                     "tier": "critical", "completeness": 0.97, "validity": 0.95, "duplicate_rate": 0.02,
                     "score": 0.93}],
        audits=[{"audit_id": 4, "as_of": "2026-01-31", "run_at": "2026-01-31T02:00:00", "attribute": "email",
                 "tier": "critical", "values": 290, "stale": 31, "stale_share": 0.107,
                 "mean_probability_valid": 0.86}])
    scorecards: list[dict[str, Any]] = Field(description="per batch and attribute, oldest first")
    audits: list[dict[str, Any]] = Field(description="per decay audit and attribute, oldest first")


class SchedulePublic(BaseModel):
    model_config = _example(name="nightly-decay", job="decay_audit", cron="0 2 * * *",
                            last_run="2026-01-31T02:00:00+00:00", last_status="succeeded",
                            last_message="audit_id=4, stale=310, values=2900", next_run="2026-02-01T02:00:00+00:00")
    name: str
    job: str
    cron: str
    last_run: Timestamp | None
    last_status: str | None = Field(description="succeeded | failed; null before the first run")
    last_message: str | None
    next_run: Timestamp | None


class ScheduleList(BaseModel):
    schedules: list[SchedulePublic]


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
    model_config = _example(candidates=[{"golden_id": "G0000000001", "match_probability": 0.9999,
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
    model_config = _example(unique_id="web:W-1001", action="attached", golden_id="G0000000001",
                            review_against=None, events=1, candidates=[])
    unique_id: str
    action: Literal["attached", "review", "created", "updated"]
    golden_id: str | None
    review_against: str | None = Field(description="review: the golden record a task now compares it with")
    events: int = Field(description="change events the upsert emitted")
    candidates: list[MatchCandidatePublic]
    ignored: list[str] = Field(default_factory=list, description="fields the dictionary does not define (not stored)")
