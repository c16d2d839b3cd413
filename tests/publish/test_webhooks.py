"""Webhooks against a real HTTP receiver on 127.0.0.1: signed deliveries, retries with
backoff, exactly-once per idempotency key and order per golden record, dead letters and
re-drive, and a worker restart that loses nothing. The clock is frozen and moved by hand."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from mdm.errors import InputError
from mdm.hub import open_hub, transaction
from mdm.publish.webhooks import WebhookWorker, dead_letters, subscribe, verify
from tests.survivorship.conftest import Build

SMITHS = ["crm:c1", "crm:c2", "web:w1"]
JONESES = ["crm:c3", "web:w2"]


class Receiver:
    """A real HTTP endpoint; ``fail_next`` requests answer 503, the rest 200."""

    def __init__(self) -> None:
        self.accepted: list[dict[str, Any]] = []
        self.attempts = 0
        self.fail_next = 0
        self.always_fail = False
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.attempts += 1
                    failing = receiver.always_fail or receiver.fail_next > 0
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                    if not failing:
                        receiver.accepted.append({"headers": dict(self.headers), "body": body})
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, 12, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def make_events(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    """created x5, then splits/moves/merges: several events per golden record."""
    build(hub, ["crm:c1"], ["crm:c2"], ["web:w1"], ["crm:c3"], ["web:w2"])
    build(hub, SMITHS, JONESES, now=dt.datetime(2025, 2, 1))
    build(hub, ["crm:c1", "crm:c2"], ["web:w1"], JONESES, now=dt.datetime(2025, 3, 1))


def drain(worker: WebhookWorker, clock: Clock, rounds: int = 40) -> None:
    for _ in range(rounds):
        worker.step()
        pending = worker.con.execute("SELECT count(*) FROM webhook_delivery WHERE status = 'pending'").fetchone()
        if pending and pending[0] == 0:
            return
        clock.advance(worker.max_delay)


def accepted_events(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(a["body"]) for a in receiver.accepted]


def test_deliveries_are_signed_and_complete(hub: duckdb.DuckDBPyConnection, build: Build,
                                            receiver: Receiver) -> None:
    with transaction(hub):
        sub, secret = subscribe(hub, receiver.url, from_seq=1)
    make_events(hub, build)
    clock = Clock()
    worker = WebhookWorker(hub, clock=clock)
    drain(worker, clock)
    total = hub.execute("SELECT count(*) FROM golden_event").fetchone()
    assert total is not None and len(receiver.accepted) == total[0] > 5
    for a in receiver.accepted:
        h = a["headers"]
        assert verify(secret, h["X-MDM-Timestamp"], a["body"], h["X-MDM-Signature"])
        assert not verify("wrong-secret", h["X-MDM-Timestamp"], a["body"], h["X-MDM-Signature"])
        assert h["Idempotency-Key"] == json.loads(a["body"])["idempotency_key"] == f"{sub.subscription_id}-" \
            + h["X-MDM-Event-Seq"]


def test_receiver_down_then_up_gets_each_event_once_in_order(hub: duckdb.DuckDBPyConnection, build: Build,
                                                             receiver: Receiver) -> None:
    with transaction(hub):
        subscribe(hub, receiver.url, from_seq=1, max_attempts=10)
    make_events(hub, build)
    receiver.fail_next = 12          # down for a while
    clock = Clock()
    worker = WebhookWorker(hub, clock=clock, base_delay=1, max_delay=60)
    drain(worker, clock)
    events = accepted_events(receiver)
    keys = [e["idempotency_key"] for e in events]
    assert len(keys) == len(set(keys))                             # exactly once per idempotency key
    seqs = {r[0] for r in hub.execute("SELECT seq FROM golden_event").fetchall()}
    assert {e["seq"] for e in events} == seqs                      # nothing lost
    assert receiver.attempts > len(events)                         # there were failed attempts
    by_golden: dict[str, list[int]] = {}
    for e in events:
        by_golden.setdefault(e["golden_id"], []).append(e["seq"])
    assert all(s == sorted(s) for s in by_golden.values())         # in order per golden record
    assert any(len(s) > 1 for s in by_golden.values())


def test_backoff_grows_exponentially(hub: duckdb.DuckDBPyConnection, build: Build, receiver: Receiver) -> None:
    with transaction(hub):
        subscribe(hub, receiver.url, from_seq=1, max_attempts=10)
    build(hub, SMITHS)
    receiver.always_fail = True
    clock = Clock()
    worker = WebhookWorker(hub, clock=clock, base_delay=2, max_delay=600)
    waits = []
    for _ in range(4):
        worker.step()
        row = hub.execute("SELECT next_attempt_at FROM webhook_delivery").fetchone()
        assert row is not None
        waits.append((row[0] - clock.now).total_seconds())
        clock.now = row[0]
    assert waits == [2, 4, 8, 16]


def test_a_receiver_that_always_fails_ends_in_dead_letters_and_can_be_redriven(
        hub: duckdb.DuckDBPyConnection, build: Build, receiver: Receiver) -> None:
    with transaction(hub):
        sub, _ = subscribe(hub, receiver.url, from_seq=1, max_attempts=3)
    build(hub, SMITHS, JONESES)
    receiver.always_fail = True
    clock = Clock()
    worker = WebhookWorker(hub, clock=clock, base_delay=1, max_delay=10)
    drain(worker, clock)
    dead = dead_letters(hub, sub.subscription_id)
    assert len(dead) == 2 and all(d["attempts"] == 3 and d["last_status_code"] == 503 for d in dead)
    assert receiver.accepted == []
    receiver.always_fail = False
    assert worker.redrive(subscription_id=sub.subscription_id) == 2
    drain(worker, clock)
    assert len(receiver.accepted) == 2 and dead_letters(hub) == []


def test_a_restart_mid_delivery_loses_nothing(tmp_path: Path, dictionary: Any, build: Build,
                                              receiver: Receiver) -> None:
    from tests.survivorship.conftest import make_hub

    con = make_hub(tmp_path, dictionary)
    with transaction(con):
        subscribe(con, receiver.url, from_seq=1)
    make_events(con, build)
    clock = Clock()
    WebhookWorker(con, clock=clock, batch=3).step()      # delivers 3, then the server "dies"
    assert len(receiver.accepted) == 3
    con.close()
    with open_hub(tmp_path / "hub.duckdb") as hub:      # a new process opens the same hub
        worker = WebhookWorker(hub.con, clock=clock, batch=3)
        drain(worker, clock)
        total = hub.con.execute("SELECT count(*) FROM golden_event").fetchone()
    keys = [e["idempotency_key"] for e in accepted_events(receiver)]
    assert total is not None and len(keys) == len(set(keys)) == total[0]


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "/relative", "http://", "file:///etc"])
def test_only_http_urls_can_subscribe(hub: duckdb.DuckDBPyConnection, url: str) -> None:
    with pytest.raises(InputError, match="http"):
        subscribe(hub, url)


def test_unreachable_receiver_is_retried_not_fatal(hub: duckdb.DuckDBPyConnection, build: Build) -> None:
    with transaction(hub):
        subscribe(hub, "http://127.0.0.1:9/nothing-listens", from_seq=1, max_attempts=2)
    build(hub, SMITHS)
    clock = Clock()
    worker = WebhookWorker(hub, httpx.Client(timeout=2.0), clock=clock, base_delay=1, max_delay=5)
    first = worker.step()
    assert first["retry"] == 1
    drain(worker, clock)
    assert len(dead_letters(hub)) == 1 and "Connect" in (dead_letters(hub)[0]["last_error"] or "")
