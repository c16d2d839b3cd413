"""Webhooks: change-feed events pushed to subscribers' URLs, signed, in order, retried.

- **Subscriptions** (admin API): URL (http or https only), event types, a secret,
  ``max_attempts``. The secret signs every delivery and is never returned or logged.
- **Enqueue**: each subscription has a cursor (the last event seq it was given); new
  matching events become ``webhook_delivery`` rows, in the hub, so a restart loses nothing.
- **Deliver**: ``POST`` of the event JSON with headers ``X-MDM-Timestamp``,
  ``X-MDM-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`` and
  ``Idempotency-Key: <subscription>-<seq>`` (the same on every retry of one event).
  A 2xx is delivered; anything else is retried with exponential backoff (base x 2^n, capped)
  until ``max_attempts``, then moved to the dead-letter list (status ``dead``), which
  :meth:`WebhookWorker.redrive` puts back in the queue.
- **Order per golden record**: an event waits while an earlier event of the same golden
  record to the same subscriber is still pending.
- **Masking**: a delivery is the event as the subscription's role sees it, by the one policy
  of :mod:`mdm.pii`. That role is :data:`~mdm.pii.WEBHOOK_ROLE`
  (``system``, the role of integrations), never the creating admin's: the receiver is an
  integration, the same audience as a ``system`` key reading ``/api/v1/events``, and only admins
  create subscriptions, so their role would send every PII value in clear to an outside URL. A
  worker given no policy masks every attribute (fail closed); the server passes the dictionary's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import duckdb
import httpx

from mdm.errors import InputError, NotFoundError
from mdm.hub import transaction
from mdm.pii import WEBHOOK_ROLE, Masker, MaskingPolicy
from mdm.publish.feed import event_dict
from mdm.roles import Role

log = logging.getLogger("mdm.webhooks")

EVENT_TYPES = ("created", "updated", "merged", "split", "retired")
SIGNATURE_HEADER = "X-MDM-Signature"
TIMESTAMP_HEADER = "X-MDM-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: dt.datetime | None = None,
           tolerance_s: int = 300) -> bool:
    """For receivers: the signature matches and the timestamp is recent (replay protection)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = int((now or dt.datetime.now(dt.UTC)).timestamp())
    return abs(current - sent) <= tolerance_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.hostname:
        raise InputError(f"webhook url {url!r} must be an absolute http:// or https:// URL", code="webhook.url")
    return url


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    url: str
    event_types: tuple[str, ...]
    max_attempts: int
    active: bool
    cursor_seq: int


def subscribe(con: duckdb.DuckDBPyConnection, url: str, event_types: tuple[str, ...] = EVENT_TYPES, *,
              secret: str | None = None, max_attempts: int = 8, from_seq: int | None = None,
              created_by: str | None = None) -> tuple[Subscription, str]:
    """Register a subscription; returns it and its secret (shown once). Events from
    ``from_seq`` on (default: only events after now)."""
    check_url(url)
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown or not event_types:
        raise InputError(f"unknown event type {unknown[0] if unknown else '(none)'}; use {', '.join(EVENT_TYPES)}",
                         code="webhook.event_type")
    if not 1 <= max_attempts <= 50:
        raise InputError("max_attempts must be between 1 and 50", code="webhook.max_attempts")
    secret = secret or secrets.token_urlsafe(32)
    if from_seq is None:
        row = con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
        cursor = int(row[0]) if row else 0
    else:
        cursor = max(0, from_seq - 1)
    row = con.execute("SELECT nextval('webhook_id_seq')").fetchone()
    sid = int(row[0]) if row else 0
    con.execute("INSERT INTO webhook_subscription VALUES (?, ?, ?, ?, ?, true, ?, now(), ?)",
                [sid, url, list(event_types), secret, max_attempts, cursor, created_by])
    return Subscription(sid, url, tuple(event_types), max_attempts, True, cursor), secret


def subscriptions(con: duckdb.DuckDBPyConnection) -> list[Subscription]:
    rows = con.execute("""SELECT subscription_id, url, event_types, max_attempts, active, cursor_seq
                          FROM webhook_subscription ORDER BY subscription_id""").fetchall()
    return [Subscription(int(r[0]), r[1], tuple(r[2]), int(r[3]), bool(r[4]), int(r[5])) for r in rows]


class WebhookWorker:
    """Moves events into deliveries and deliveries to subscribers; the server runs
    :meth:`step` from its background thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection, client: httpx.Client | None = None, *,
                 clock: Callable[[], dt.datetime] = dt.datetime.now, base_delay: float = 2.0,
                 max_delay: float = 600.0, batch: int = 100, masking: MaskingPolicy | None = None) -> None:
        self.con = con
        #: None: every attribute value is masked in deliveries (fail closed)
        self.masking = masking
        self.client = client or httpx.Client(timeout=10.0, follow_redirects=False)
        self.clock = clock
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.batch = batch

    def enqueue(self) -> int:
        """New matching events -> pending deliveries; moves each subscription's cursor."""
        added = 0
        with transaction(self.con):
            now = self.clock()
            for sub in subscriptions(self.con):
                if not sub.active:
                    continue
                rows = self.con.execute(
                    """SELECT seq, golden_id FROM golden_event WHERE seq > ? AND list_contains(?, type)
                       ORDER BY seq""", [sub.cursor_seq, list(sub.event_types)]).fetchall()
                head = self.con.execute("SELECT coalesce(max(seq), 0) FROM golden_event").fetchone()
                for seq, golden_id in rows:
                    self.con.execute(
                        """INSERT INTO webhook_delivery VALUES (nextval('delivery_id_seq'), ?, ?, ?, ?, 'pending', 0,
                                   ?, NULL, NULL, ?, NULL)""",
                        [sub.subscription_id, seq, golden_id, f"{sub.subscription_id}-{seq}", now, now])
                added += len(rows)
                self.con.execute("UPDATE webhook_subscription SET cursor_seq = ? WHERE subscription_id = ?",
                                 [int(head[0]) if head else sub.cursor_seq, sub.subscription_id])
        return added

    def due(self) -> list[tuple[int, int, int, str, str, int, int, str, str]]:
        """Pending deliveries whose time has come and that no earlier pending event of the
        same golden record (same subscriber) holds back."""
        return self.con.execute(
            """SELECT d.delivery_id, d.subscription_id, d.seq, d.golden_id, d.idempotency_key, d.attempts,
                      s.max_attempts, s.url, s.secret
               FROM webhook_delivery d JOIN webhook_subscription s USING (subscription_id)
               WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND s.active
                 AND NOT EXISTS (SELECT 1 FROM webhook_delivery e
                                 WHERE e.subscription_id = d.subscription_id AND e.golden_id = d.golden_id
                                   AND e.status = 'pending' AND e.seq < d.seq)
               ORDER BY d.seq, d.subscription_id LIMIT ?""", [self.clock(), self.batch]).fetchall()

    def view(self, role: Role) -> Masker:
        """What a delivery to a subscription of ``role`` shows."""
        return self.masking.view(role) if self.masking is not None else Masker.hiding_all()

    def deliver_due(self) -> dict[str, int]:
        counts = {"delivered": 0, "retry": 0, "dead": 0}
        for delivery_id, _sid, seq, _gid, key, attempts, max_attempts, url, secret in self.due():
            row = self.con.execute(
                """SELECT seq, type, golden_id, occurred_at, run_id, actor, CAST(changes AS VARCHAR),
                          CAST(record AS VARCHAR), CAST(related AS VARCHAR) FROM golden_event WHERE seq = ?""",
                [seq]).fetchone()
            if row is None:
                continue
            body = json.dumps({**self.view(WEBHOOK_ROLE).event(event_dict(row)), "idempotency_key": key},
                              sort_keys=True).encode()
            stamp = str(int(dt.datetime.now(dt.UTC).timestamp()))
            headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: stamp,
                       SIGNATURE_HEADER: sign(secret, stamp, body), "Idempotency-Key": key,
                       "X-MDM-Event-Seq": str(seq)}
            code: int | None = None
            error: str | None = None
            try:
                response = self.client.post(url, content=body, headers=headers)
                code = response.status_code
                ok = 200 <= code < 300
                if not ok:
                    error = f"HTTP {code}"
            except httpx.HTTPError as exc:
                ok, error = False, f"{type(exc).__name__}: {exc}"[:300]
            now = self.clock()
            with transaction(self.con):
                if ok:
                    self.con.execute("""UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1,
                                        last_status_code = ?, last_error = NULL, delivered_at = ?
                                        WHERE delivery_id = ?""", [code, now, delivery_id])
                    counts["delivered"] += 1
                    continue
                tries = attempts + 1
                dead = tries >= max_attempts
                delay = min(self.max_delay, self.base_delay * 2 ** (tries - 1))
                self.con.execute("""UPDATE webhook_delivery SET status = ?, attempts = ?, last_status_code = ?,
                                    last_error = ?, next_attempt_at = ? WHERE delivery_id = ?""",
                                 ["dead" if dead else "pending", tries, code, error,
                                  now + dt.timedelta(seconds=delay), delivery_id])
                counts["dead" if dead else "retry"] += 1
            log.info("webhook delivery %s to subscription %s failed (%s)", delivery_id, _sid, error)
        return counts

    def step(self) -> dict[str, int]:
        """One round: enqueue new events, then deliver what is due."""
        enqueued = self.enqueue()
        return {"enqueued": enqueued, **self.deliver_due()}

    def redrive(self, delivery_ids: list[int] | None = None, subscription_id: int | None = None) -> int:
        """Dead-lettered deliveries back into the queue (all, some ids, or one subscriber's)."""
        sql = "UPDATE webhook_delivery SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE status = 'dead'"
        params: list[Any] = [self.clock()]
        if delivery_ids is not None:
            sql += " AND list_contains(?, delivery_id)"
            params.append([int(i) for i in delivery_ids])
        if subscription_id is not None:
            sql += " AND subscription_id = ?"
            params.append(int(subscription_id))
        with transaction(self.con):
            before = self.con.execute("SELECT count(*) FROM webhook_delivery WHERE status = 'dead'").fetchone()
            self.con.execute(sql, params)
            after = self.con.execute("SELECT count(*) FROM webhook_delivery WHERE status = 'dead'").fetchone()
        return (int(before[0]) if before else 0) - (int(after[0]) if after else 0)


def dead_letters(con: duckdb.DuckDBPyConnection, subscription_id: int | None = None) -> list[dict[str, Any]]:
    sql = """SELECT delivery_id, subscription_id, seq, golden_id, attempts, last_status_code, last_error
             FROM webhook_delivery WHERE status = 'dead'"""
    params: list[Any] = []
    if subscription_id is not None:
        sql += " AND subscription_id = ?"
        params.append(subscription_id)
    cur = con.execute(sql + " ORDER BY seq", params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def unsubscribe(con: duckdb.DuckDBPyConnection, subscription_id: int) -> None:
    row = con.execute("UPDATE webhook_subscription SET active = false WHERE subscription_id = ? RETURNING 1",
                      [subscription_id]).fetchone()
    if row is None:
        raise NotFoundError(f"webhook subscription {subscription_id} not found", code="webhook.not_found")
