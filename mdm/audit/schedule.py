"""Scheduled jobs: ``schedules:`` in mdm.yaml, run by ``mdm serve`` on cron expressions.

```yaml
schedules:
  - {name: nightly-decay, job: decay_audit, cron: "0 2 * * *", options: {threshold: 0.75}}
  - {name: hourly-run,    job: run,         cron: "15 * * * *"}
  - {name: crm-publish,   job: publish,     cron: "30 2 * * *", options: {target: crm, out: exports/crm}}
```

The :class:`Scheduler` keeps each job's last and next run in the hub
(``schedule_state``). A run missed while the server was down runs **once** when it comes
back (not once per missed slot). Times are the server's local wall clock, as in cron.
What a job does is injected (``execute``) so the server decides how it reaches the hub.

The same jobs run from system cron instead, e.g. ``0 2 * * * cd /srv/mdm &&
.venv/bin/mdm audit decay --config mdm.yaml`` (see the README).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
from croniter import croniter

from mdm.config import Schedule

log = logging.getLogger("mdm.schedule")

Execute = Callable[[Schedule, dt.datetime], dict[str, Any]]


def next_fire(cron: str, after: dt.datetime) -> dt.datetime:
    value = croniter(cron, after).get_next(dt.datetime)
    assert isinstance(value, dt.datetime)
    return value


@dataclass
class JobState:
    name: str
    job: str
    cron: str
    last_run: dt.datetime | None
    last_status: str | None
    last_message: str | None
    next_run: dt.datetime | None


class Scheduler:
    """Decides which jobs are due and records what happened; thread-safe use is up to the caller
    (the server runs :meth:`tick` from one background thread)."""

    def __init__(self, schedules: tuple[Schedule, ...], con: duckdb.DuckDBPyConnection, execute: Execute) -> None:
        self.schedules = {s.name: s for s in schedules}
        self.con = con
        self.execute = execute

    def start(self, now: dt.datetime) -> list[str]:
        """Register the configured jobs; returns the names of jobs that missed a run while
        the server was down (they are due now, once)."""
        missed = []
        for s in self.schedules.values():
            state = self.state(s.name)
            if state is None:
                # a new job: first run at its next fire time, nothing was missed
                self.con.execute("INSERT INTO schedule_state VALUES (?, ?, ?, NULL, NULL, NULL, ?)",
                                 [s.name, s.job, s.cron, next_fire(s.cron, now)])
                continue
            if state.cron != s.cron or state.job != s.job:
                self.con.execute("UPDATE schedule_state SET job = ?, cron = ?, next_run = ? WHERE name = ?",
                                 [s.job, s.cron, next_fire(s.cron, now), s.name])
                continue
            if state.next_run is not None and state.next_run <= now:
                missed.append(s.name)
        return missed

    def due(self, now: dt.datetime) -> list[Schedule]:
        rows = self.con.execute("SELECT name FROM schedule_state WHERE next_run <= ? ORDER BY next_run, name",
                                [now]).fetchall()
        return [self.schedules[r[0]] for r in rows if r[0] in self.schedules]

    def tick(self, now: dt.datetime) -> list[tuple[str, str]]:
        """Run every due job once (a job that missed several slots runs once), record the
        outcome and its next fire time. Returns ``(name, status)`` per job run."""
        ran = []
        for s in self.due(now):
            try:
                result = self.execute(s, now)
                status, message = "succeeded", _short(result)
            except Exception as exc:  # a failing job must not stop the scheduler or other jobs
                log.exception("scheduled job %s failed", s.name)
                status, message = "failed", f"{type(exc).__name__}: {exc}"[:500]
            self.con.execute("""UPDATE schedule_state SET last_run = ?, last_status = ?, last_message = ?,
                                next_run = ? WHERE name = ?""",
                             [now, status, message, next_fire(s.cron, now), s.name])
            ran.append((s.name, status))
        return ran

    def state(self, name: str) -> JobState | None:
        row = self.con.execute("SELECT * FROM schedule_state WHERE name = ?", [name]).fetchone()
        return JobState(*row) if row else None

    def states(self) -> list[JobState]:
        rows = self.con.execute("SELECT * FROM schedule_state ORDER BY name").fetchall()
        return [JobState(*r) for r in rows if r[0] in self.schedules]


def _short(result: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in result.items() if isinstance(v, int | float | str))[:500]
