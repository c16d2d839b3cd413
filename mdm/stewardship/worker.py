"""The server's background worker: webhook deliveries and scheduled jobs.

Two daemon threads, each on its own hub cursor:

- **webhooks** (every ``webhook_interval`` s, sooner while there is work):
  :meth:`WebhookWorker.enqueue` under the server's write lock (a short transaction; skipped
  for this round when the lock is busy, e.g. during a pipeline run), then
  :meth:`WebhookWorker.deliver_due` *without* the lock: it makes HTTP calls and only
  updates its own ``webhook_delivery`` rows, so API writes never wait on a slow receiver.
  Pending deliveries live in the hub, so a restart loses nothing.
- **scheduler**: :meth:`Scheduler.start` at startup (under the write lock), then
  :meth:`Scheduler.tick` at once (a run missed while the server was down runs once) and
  every ``schedule_interval`` s. Jobs that write the hub (``decay_audit``, ``publish``) hold
  the write lock while they work; a ``run`` job goes through the server's
  :class:`~mdm.stewardship.runs.RunManager` (which takes the lock itself) and waits for it,
  so the server stays the hub's only writer. Only this thread writes ``schedule_state``.

:meth:`BackgroundWorker.stop` ends both threads (they finish the round they are in).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

import duckdb
import httpx

from mdm.audit.schedule import Execute, Scheduler
from mdm.config import Project, Schedule
from mdm.jobs import make_executor
from mdm.pii import MaskingPolicy
from mdm.publish.webhooks import WebhookWorker
from mdm.roles import Role
from mdm.stewardship.auth import Principal
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.runs import RunManager

log = logging.getLogger("mdm.stewardship.worker")

#: who the audit log and run list name for runs the scheduler starts
SCHEDULER = Principal(key_id=0, name="scheduler", role=Role.system, prefix="")


class BackgroundWorker:
    """Webhook delivery and the scheduler, in threads of the server."""

    def __init__(self, access: HubAccess, project: Project, runs: RunManager, *,
                 webhook_interval: float = 1.0, schedule_interval: float = 30.0,
                 client: httpx.Client | None = None, clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        self.access = access
        self.project = project
        self.runs = runs
        self.webhook_interval = webhook_interval
        self.schedule_interval = schedule_interval
        self.client = client or httpx.Client(timeout=5.0, follow_redirects=False)
        self.clock = clock
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self.missed: list[str] = []

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        hooks = self._cursor()
        # deliveries are masked by the dictionary's PII flags; a stand-in project without a
        # dictionary gets the worker's fail-closed default (every attribute masked)
        dictionary = getattr(self.project, "dictionary", None)
        webhooks = WebhookWorker(hooks, self.client, clock=self.clock,
                                 masking=MaskingPolicy.of(dictionary) if dictionary is not None else None)
        self._spawn("mdm-webhooks", lambda: self._webhook_loop(webhooks))
        if self.project.schedules:
            con = self._cursor()
            scheduler = Scheduler(self.project.schedules, con, self._executor(con))
            with self.access.writer(what="registering scheduled jobs") as cur:
                scheduler.con = cur
                self.missed = scheduler.start(self.clock())
            scheduler.con = con
            if self.missed:
                log.info("scheduled jobs that missed a run while the server was down (running once now): %s",
                         ", ".join(self.missed))
            self._spawn("mdm-scheduler", lambda: self._schedule_loop(scheduler))

    def stop(self, timeout: float = 20.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("background thread %s did not stop within %.0f s", thread.name, timeout)
        self._threads.clear()
        for cur in self._cursors:
            with contextlib.suppress(duckdb.Error):
                cur.close()
        self._cursors.clear()
        self.client.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.access.hub.con.cursor()
        self._cursors.append(cur)
        return cur

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    # --- webhooks -------------------------------------------------------------------------

    def _webhook_loop(self, worker: WebhookWorker) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.webhook_round(worker)
            except Exception:  # a hub hiccup or a bug must not end deliveries for good
                log.exception("webhook round failed; retrying")
            self._stop.wait(0.05 if busy else self.webhook_interval)

    def webhook_round(self, worker: WebhookWorker) -> bool:
        """One round; True when it did something (then the next round comes soon)."""
        enqueued = 0
        if self.access.write_lock.acquire(timeout=0.5):
            try:
                enqueued = worker.enqueue()
            finally:
                self.access.write_lock.release()
        counts = worker.deliver_due()
        return enqueued > 0 or sum(counts.values()) > 0

    # --- scheduler ------------------------------------------------------------------------

    def _schedule_loop(self, scheduler: Scheduler) -> None:
        while not self._stop.is_set():
            try:
                for name, status in scheduler.tick(self.clock()):
                    log.info("scheduled job %s: %s", name, status)
            except Exception:
                log.exception("scheduler tick failed; retrying")
            self._stop.wait(self.schedule_interval)

    def _executor(self, con: duckdb.DuckDBPyConnection) -> Execute:
        base = make_executor(self.project, con, self._run_pipeline)

        def execute(schedule: Schedule, now: dt.datetime) -> dict[str, Any]:
            if schedule.job == "run":
                return base(schedule, now)  # RunManager takes the write lock itself
            while not self.access.write_lock.acquire(timeout=1.0):
                if self._stop.is_set():
                    raise RuntimeError("the server stopped before the hub was free")
            try:
                return base(schedule, now)
            finally:
                self.access.write_lock.release()

        return execute

    def _run_pipeline(self) -> dict[str, Any]:
        job = self.runs.start(SCHEDULER)
        self.runs.wait()
        done = self.runs.get(job.job_id)
        if done.status != "succeeded":
            raise RuntimeError(f"run {job.job_id} {done.status}: {done.error}")
        return {"run_id": job.job_id, "status": done.status}
