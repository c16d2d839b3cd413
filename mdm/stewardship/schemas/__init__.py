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

One module per resource (:mod:`.keys`, :mod:`.tasks`, :mod:`.golden`, ...), shared types in
:mod:`.common`; everything is importable from here.
"""

from __future__ import annotations

from mdm.stewardship.schemas.audit import (
    AuditEntryPublic,
    AuditList,
    AuditVerification,
)
from mdm.stewardship.schemas.audits import (
    AuditSummaryList,
    AuditSummaryPublic,
    DecayAuditCreate,
    DecayAuditResult,
    QualityHistory,
    ScheduleList,
    SchedulePublic,
)
from mdm.stewardship.schemas.common import (
    DATE_PATTERN,
    DATE_TIME_PATTERN,
    MAX_ID,
    VISIBLE_PATTERN,
    ErrorDetail,
    ErrorResponse,
    Health,
    Integer,
    Page,
    Reason,
    RequestDate,
    RequestId,
    RequestTimestamp,
    Timestamp,
)
from mdm.stewardship.schemas.events import (
    EventPage,
    EventPublic,
    EventType,
)
from mdm.stewardship.schemas.golden import (
    ConflictList,
    ConflictPublic,
    ConflictValue,
    GoldenChange,
    GoldenDetail,
    GoldenEventPublic,
    GoldenList,
    GoldenSummary,
    GoldenVersion,
    GoldenVersionPublic,
    LineagePublic,
    MemberPublic,
    MergeCreate,
    OverrideCreate,
    OverridePublic,
    SplitCreate,
    UnmergeCreate,
    XrefHistory,
    XrefPublic,
)
from mdm.stewardship.schemas.keys import (
    KeyCreate,
    KeyCreated,
    KeyList,
    KeyPublic,
    Me,
)
from mdm.stewardship.schemas.matching import (
    MatchCandidatePublic,
    MatchCreate,
    MatchPublic,
    MatchRecord,
    RecordResult,
    RecordUpsert,
    RecordValue,
)
from mdm.stewardship.schemas.runs import (
    RunCreate,
    RunList,
    RunPublic,
)
from mdm.stewardship.schemas.tasks import (
    AssignmentUpdate,
    AttributeValues,
    Contribution,
    DecisionCreate,
    RecordSide,
    ReopenCreate,
    TaskDetail,
    TaskList,
    TaskPublic,
)
from mdm.stewardship.schemas.webhooks import (
    WEBHOOK_URL_PATTERN,
    DeadLetterList,
    DeadLetterPublic,
    RedriveCreate,
    RedriveResult,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookPublic,
)

__all__ = [
    "DATE_PATTERN",
    "DATE_TIME_PATTERN",
    "MAX_ID",
    "VISIBLE_PATTERN",
    "WEBHOOK_URL_PATTERN",
    "AssignmentUpdate",
    "AttributeValues",
    "AuditEntryPublic",
    "AuditList",
    "AuditSummaryList",
    "AuditSummaryPublic",
    "AuditVerification",
    "ConflictList",
    "ConflictPublic",
    "ConflictValue",
    "Contribution",
    "DeadLetterList",
    "DeadLetterPublic",
    "DecayAuditCreate",
    "DecayAuditResult",
    "DecisionCreate",
    "ErrorDetail",
    "ErrorResponse",
    "EventPage",
    "EventPublic",
    "EventType",
    "GoldenChange",
    "GoldenDetail",
    "GoldenEventPublic",
    "GoldenList",
    "GoldenSummary",
    "GoldenVersion",
    "GoldenVersionPublic",
    "Health",
    "Integer",
    "KeyCreate",
    "KeyCreated",
    "KeyList",
    "KeyPublic",
    "LineagePublic",
    "MatchCandidatePublic",
    "MatchCreate",
    "MatchPublic",
    "MatchRecord",
    "Me",
    "MemberPublic",
    "MergeCreate",
    "OverrideCreate",
    "OverridePublic",
    "Page",
    "QualityHistory",
    "Reason",
    "RecordResult",
    "RecordSide",
    "RecordUpsert",
    "RecordValue",
    "RedriveCreate",
    "RedriveResult",
    "ReopenCreate",
    "RequestDate",
    "RequestId",
    "RequestTimestamp",
    "RunCreate",
    "RunList",
    "RunPublic",
    "ScheduleList",
    "SchedulePublic",
    "SplitCreate",
    "TaskDetail",
    "TaskList",
    "TaskPublic",
    "Timestamp",
    "UnmergeCreate",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookList",
    "WebhookPublic",
    "XrefHistory",
    "XrefPublic",
]
