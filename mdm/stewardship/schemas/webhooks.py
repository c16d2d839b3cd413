"""Webhook subscriptions, dead letters and redrives (``/webhooks``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from mdm.stewardship.schemas.common import Integer, RequestId, examples, strictly
from mdm.stewardship.schemas.events import EventType

# --- webhooks -------------------------------------------------------------------------

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_URL_CHARS = r"A-Za-z0-9._~%!$&'()*+,;=:@-"
#: the webhook URLs the API takes (the router checks exactly this, so schema and server agree)
WEBHOOK_URL_PATTERN = (rf"^https?://(?:{_LABEL}\.)*{_LABEL}(?::{_PORT})?(?:/[{_URL_CHARS}]*)*"
                       rf"(?:\?[/?{_URL_CHARS}]*)?$")

class WebhookCreate(BaseModel):
    model_config = strictly(url="https://crm.example.com/mdm-hook", event_types=["created", "updated", "merged"],
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
    model_config = examples(subscription_id=3, url="https://crm.example.com/mdm-hook", event_types=["created"],
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
    model_config = examples(subscription_id=3, url="https://crm.example.com/mdm-hook", event_types=["created"],
                            max_attempts=8, active=True, cursor_seq=1042, pending=0, dead=0,
                            secret="u3C...shown-once")
    secret: str = Field(description="signs every delivery (X-MDM-Signature); shown only now, store it")


class WebhookList(BaseModel):
    webhooks: list[WebhookPublic]


class DeadLetterPublic(BaseModel):
    model_config = examples(delivery_id=77, subscription_id=3, seq=1042, golden_id="g-000123", attempts=8,
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
    model_config = strictly(delivery_ids=[77, 78])
    delivery_ids: list[RequestId] | None = Field(
        default=None, max_length=10000, description="only these dead letters (default: all of this subscription's)")


class RedriveResult(BaseModel):
    model_config = examples(redriven=2)
    redriven: int = Field(description="dead letters put back in the queue")


