"""The server's background worker, in-process with frozen clocks: webhook rounds never wait
for a busy hub, and the scheduler runs a missed job once, a ``run`` job through the run manager."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from mdm.config import Schedule
from mdm.hub import transaction
from mdm.publish.webhooks import WebhookWorker, subscribe
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.runs import RunJob
from mdm.stewardship.worker import SCHEDULER, BackgroundWorker

NOW = dt.datetime(2026, 3, 10, 12, 0)


@pytest.fixture
def access(tmp_path: Path) -> Iterator[HubAccess]:
    a = HubAccess.open(tmp_path / "hub.duckdb", ["first_name"])
    yield a
    a.close()


def _event(access: HubAccess, seq: int, golden_id: str) -> None:
    with access.cursor() as cur, transaction(cur):
        cur.execute("INSERT INTO golden_event VALUES (?, 'created', ?, ?, 1, 'pipeline', '{}', ?, '{}')",
                    [seq, golden_id, NOW, json.dumps({"first_name": "Ann"})])


class FakeRuns:
    def __init__(self) -> None:
        self.started: list[str] = []

    def start(self, by: Any, *, retrain: bool = False) -> RunJob:
        self.started.append(by.name)
        return self.get(len(self.started))

    def wait(self, timeout: float | None = None) -> None:
        pass

    def get(self, job_id: int) -> RunJob:
        return RunJob(job_id, "succeeded", "scheduler", False, NOW, NOW, "finished", {}, None, None)


def _worker(access: HubAccess, schedules: tuple[Schedule, ...] = (), sent: list[httpx.Request] | None = None,
            runs: FakeRuns | None = None) -> BackgroundWorker:
    def handler(request: httpx.Request) -> httpx.Response:
        if sent is not None:
            sent.append(request)
        return httpx.Response(200)

    project = SimpleNamespace(schedules=schedules, hub=access.path)
    return BackgroundWorker(access, project, runs or FakeRuns(),  # type: ignore[arg-type]
                            client=httpx.Client(transport=httpx.MockTransport(handler)), clock=lambda: NOW,
                            schedule_interval=3600)


def test_webhook_round_delivers_while_a_run_holds_the_write_lock(access: HubAccess) -> None:
    sent: list[httpx.Request] = []
    worker = _worker(access, sent=sent)
    with access.cursor() as cur, transaction(cur):
        subscribe(cur, "http://127.0.0.1:9/hook", from_seq=1)
    _event(access, 1, "g1")
    with access.cursor() as cur:
        hooks = WebhookWorker(cur, worker.client, clock=lambda: NOW)
        assert worker.webhook_round(hooks) is True
        assert [r.headers["Idempotency-Key"] for r in sent] == ["1-1"]
        _event(access, 2, "g2")
        with access.write_lock:  # a pipeline run holds the lock: the round skips enqueueing, quickly
            started = time.monotonic()
            worker.webhook_round(hooks)
            assert time.monotonic() - started < 2
            assert len(sent) == 1
        assert worker.webhook_round(hooks) is True
        assert [r.headers["Idempotency-Key"] for r in sent] == ["1-1", "1-2"]


def test_missed_jobs_run_once_at_start_and_runs_go_through_the_run_manager(access: HubAccess) -> None:
    schedules = (Schedule(name="nightly-run", job="run", cron="0 2 * * *"),
                 Schedule(name="weekly-run", job="run", cron="0 3 * * 1"))
    with access.cursor() as cur, transaction(cur):
        cur.execute("INSERT INTO schedule_state VALUES ('nightly-run', 'run', '0 2 * * *', NULL, NULL, NULL, ?)",
                    [NOW - dt.timedelta(days=5)])
    runs = FakeRuns()
    worker = _worker(access, schedules, runs=runs)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            with access.cursor() as cur:
                row = cur.execute("SELECT last_status, next_run FROM schedule_state WHERE name = 'nightly-run'"
                                  ).fetchone()
            if row and row[0]:
                break
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        worker.stop()
    assert worker.missed == ["nightly-run"]
    assert runs.started == [SCHEDULER.name]  # once, not once per missed night; the weekly job was not due
    assert row == ("succeeded", dt.datetime(2026, 3, 11, 2, 0))
    assert not any(t.is_alive() for t in threading.enumerate() if t.name in ("mdm-webhooks", "mdm-scheduler"))
