"""``/api/v1/webhooks``: subscriptions, their dead letters and re-drive (admin).

The secret of a subscription is returned once, when it is created, and never again. Every
change is recorded in the audit log (without the secret). Deliveries themselves are made by
the server's background worker (:mod:`mdm.stewardship.worker`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import duckdb
import httpx
from fastapi import APIRouter, Depends, Path, Response

from mdm.errors import HubBusyError, InputError, NotFoundError
from mdm.hub import transaction
from mdm.publish import webhooks
from mdm.publish.webhooks import Subscription, WebhookWorker
from mdm.stewardship import audit
from mdm.stewardship.auth import Permission, Principal
from mdm.stewardship.deps import Cursor, RoleCheck, State
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import (
    MAX_ID,
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

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

WebhookAdmin = Annotated[Principal, Depends(RoleCheck(Permission.webhooks_manage))]
WebhookId = Annotated[int, Path(ge=1, le=MAX_ID, description="the subscription's id")]
_URL = re.compile(WEBHOOK_URL_PATTERN)


def _counts(cur: duckdb.DuckDBPyConnection) -> dict[int, dict[str, int]]:
    rows = cur.execute("""SELECT subscription_id, count(*) FILTER (WHERE status = 'pending'),
                                 count(*) FILTER (WHERE status = 'dead')
                          FROM webhook_delivery GROUP BY subscription_id""").fetchall()
    return {int(sid): {"pending": int(p), "dead": int(d)} for sid, p, d in rows}


def _public(sub: Subscription, counts: dict[int, dict[str, int]]) -> WebhookPublic:
    c = counts.get(sub.subscription_id, {"pending": 0, "dead": 0})
    return WebhookPublic(subscription_id=sub.subscription_id, url=sub.url, event_types=list(sub.event_types),
                         max_attempts=sub.max_attempts, active=sub.active, cursor_seq=sub.cursor_seq, **c)


def _find(cur: duckdb.DuckDBPyConnection, subscription_id: int) -> Subscription:
    for sub in webhooks.subscriptions(cur):
        if sub.subscription_id == subscription_id:
            return sub
    raise NotFoundError(f"webhook subscription {subscription_id} not found (GET /api/v1/webhooks lists them)",
                        code="webhook.not_found")


@contextmanager
def _locked(access: HubAccess, what: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor holding the write lock but no transaction, for library calls that open their own."""
    if not access.write_lock.acquire(timeout=access.write_timeout):
        raise HubBusyError(f"the hub is busy (a pipeline run is writing it); retry {what} when the run has "
                           "finished (GET /api/v1/runs)")
    try:
        with access.cursor() as cur:
            yield cur
    finally:
        access.write_lock.release()


def _check_url(url: str) -> None:
    """Exactly what the schema's ``pattern`` says (http(s), a host name or IPv4 address, optional
    port, path and query), so a URL the OpenAPI document refuses is refused here too."""
    if not _URL.fullmatch(url):
        raise InputError(f"webhook url {url[:200]!r} must be an absolute http:// or https:// URL: a host name or "
                         "IPv4 address, an optional port, path and query, no user info or fragment",
                         code="webhook.url")
    try:
        webhooks.check_url(url)
    except ValueError:  # urlsplit refuses e.g. a broken IPv6 host
        raise InputError(f"webhook url {url[:200]!r} must be an absolute http:// or https:// URL",
                         code="webhook.url") from None


@router.post("", status_code=201, responses=errors(503))
def create_webhook(body: WebhookCreate, admin: WebhookAdmin, state: State) -> WebhookCreated:
    """Subscribe a URL to golden-record events. The answer carries the signing secret, **once**.

    Deliveries are `POST`s of the event JSON with `X-MDM-Timestamp`, `X-MDM-Signature:
    sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` and `Idempotency-Key` (the same on
    every retry of one event); they come in order per golden record. A URL that is not
    http(s) is refused (422, code `webhook.url`)."""
    _check_url(body.url)
    with state.access.writer(what="creating a webhook") as cur:
        sub, secret = webhooks.subscribe(cur, body.url, tuple(body.event_types), max_attempts=body.max_attempts,
                                         from_seq=body.from_seq, created_by=admin.name)
        audit.append(cur, actor=admin.actor, action="webhook.create", target=f"webhook:{sub.subscription_id}",
                     before=None, after={"url": sub.url, "event_types": list(sub.event_types),
                                         "max_attempts": sub.max_attempts, "from_seq": body.from_seq})
    return WebhookCreated(**_public(sub, {}).model_dump(), secret=secret)


@router.get("", responses=errors())
def list_webhooks(admin: WebhookAdmin, cur: Cursor) -> WebhookList:
    """Every subscription (deleted ones with ``active: false``) and its queue; never the secret."""
    counts = _counts(cur)
    return WebhookList(webhooks=[_public(s, counts) for s in webhooks.subscriptions(cur)])


@router.delete("/{webhook_id}", status_code=204, responses=errors(404, 503))
def delete_webhook(webhook_id: WebhookId, admin: WebhookAdmin, state: State) -> Response:
    """Stop delivering to this subscription (kept, inactive, with its delivery history)."""
    with state.access.cursor() as cur:  # an unknown id is a 404 at once, not a wait for a running pipeline
        _find(cur, webhook_id)
    with state.access.writer(what="deleting a webhook") as cur:
        sub = _find(cur, webhook_id)
        webhooks.unsubscribe(cur, webhook_id)
        audit.append(cur, actor=admin.actor, action="webhook.delete", target=f"webhook:{webhook_id}",
                     before={"url": sub.url, "active": sub.active}, after={"active": False})
    return Response(status_code=204)


@router.get("/{webhook_id}/dead-letters", responses=errors(404))
def list_dead_letters(webhook_id: WebhookId, admin: WebhookAdmin, cur: Cursor) -> DeadLetterList:
    """Deliveries that failed ``max_attempts`` times, in event order."""
    _find(cur, webhook_id)
    return DeadLetterList(dead_letters=[DeadLetterPublic(**d) for d in webhooks.dead_letters(cur, webhook_id)])


@router.post("/{webhook_id}/redrive", responses=errors(404, 503))
def redrive(webhook_id: WebhookId, admin: WebhookAdmin, state: State,
            body: RedriveCreate | None = None) -> RedriveResult:
    """Put dead letters back in the queue (all of this subscription's, or the ``delivery_ids`` given);
    they are tried again from their first attempt."""
    ids = body.delivery_ids if body is not None else None
    with state.access.cursor() as cur:  # an unknown id is a 404 at once, not a wait for a running pipeline
        _find(cur, webhook_id)
    with _locked(state.access, "re-driving dead letters") as cur:
        _find(cur, webhook_id)
        with httpx.Client() as unused:  # re-driving sends nothing
            count = WebhookWorker(cur, unused).redrive(ids, subscription_id=webhook_id)
        # the library commits the re-drive in its own transaction; the entry follows under the same lock
        with transaction(cur):
            audit.append(cur, actor=admin.actor, action="webhook.redrive", target=f"webhook:{webhook_id}",
                         before=None, after={"delivery_ids": ids, "redriven": count})
    return RedriveResult(redriven=count)
