"""Scheduled jobs with a frozen clock: firing, catch-up of a missed run (once), failures
recorded without stopping other jobs, and the standard executors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mdm.audit.schedule import Scheduler
from mdm.config import Schedule
from mdm.errors import ConfigError
from mdm.hub import open_hub
from mdm.jobs import make_executor

NIGHTLY = Schedule(name="nightly", job="decay_audit", cron="0 2 * * *")
HOURLY = Schedule(name="hourly", job="run", cron="15 * * * *")


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_hub(tmp_path / "hub.duckdb") as hub:
        yield hub.con


def recorder(fail: set[str] | None = None) -> tuple[list[tuple[str, dt.datetime]], Any]:
    calls: list[tuple[str, dt.datetime]] = []

    def execute(s: Schedule, now: dt.datetime) -> dict[str, Any]:
        calls.append((s.name, now))
        if fail and s.name in fail:
            raise RuntimeError("source file missing")
        return {"ok": 1}

    return calls, execute


def test_jobs_fire_at_their_cron_times(con: duckdb.DuckDBPyConnection) -> None:
    calls, execute = recorder()
    sched = Scheduler((NIGHTLY, HOURLY), con, execute)
    start = dt.datetime(2026, 3, 1, 1, 0)
    assert sched.start(start) == []                        # new jobs: nothing missed
    assert sched.tick(start) == []
    assert sched.tick(dt.datetime(2026, 3, 1, 1, 15)) == [("hourly", "succeeded")]
    assert sched.tick(dt.datetime(2026, 3, 1, 1, 16)) == []
    assert sched.tick(dt.datetime(2026, 3, 1, 2, 0)) == [("nightly", "succeeded")]
    state = sched.state("nightly")
    assert state is not None and state.last_run == dt.datetime(2026, 3, 1, 2, 0)
    assert state.next_run == dt.datetime(2026, 3, 2, 2, 0)
    assert [name for name, _ in calls] == ["hourly", "nightly"]


def test_a_run_missed_during_downtime_runs_once_on_start(con: duckdb.DuckDBPyConnection) -> None:
    calls, execute = recorder()
    Scheduler((NIGHTLY,), con, execute).start(dt.datetime(2026, 3, 1, 1, 0))  # next run: 1 March 02:00
    # the server is down from 1 March to 5 March 09:00: four nightly slots missed
    back = dt.datetime(2026, 3, 5, 9, 0)
    sched = Scheduler((NIGHTLY,), con, execute)
    assert sched.start(back) == ["nightly"]
    assert sched.tick(back) == [("nightly", "succeeded")]
    assert sched.tick(back + dt.timedelta(minutes=1)) == []
    assert calls == [("nightly", back)]
    state = sched.state("nightly")
    assert state is not None and state.next_run == dt.datetime(2026, 3, 6, 2, 0)


def test_a_failing_job_is_recorded_and_others_still_run(con: duckdb.DuckDBPyConnection) -> None:
    calls, execute = recorder(fail={"hourly"})
    sched = Scheduler((NIGHTLY, Schedule(name="hourly", job="run", cron="0 * * * *")), con, execute)
    sched.start(dt.datetime(2026, 3, 1, 1, 30))
    assert sorted(sched.tick(dt.datetime(2026, 3, 1, 2, 0))) == [("hourly", "failed"), ("nightly", "succeeded")]
    state = sched.state("hourly")
    assert state is not None and state.last_status == "failed" and "source file missing" in (state.last_message or "")
    assert state.next_run == dt.datetime(2026, 3, 1, 3, 0)
    assert sorted(name for name, _ in calls) == ["hourly", "nightly"]


def test_changed_cron_reschedules(con: duckdb.DuckDBPyConnection) -> None:
    _, execute = recorder()
    Scheduler((NIGHTLY,), con, execute).start(dt.datetime(2026, 3, 1, 1, 0))
    weekly = Schedule(name="nightly", job="decay_audit", cron="0 3 * * 1")
    sched = Scheduler((weekly,), con, execute)
    assert sched.start(dt.datetime(2026, 3, 4, 12, 0)) == []
    state = sched.state("nightly")
    assert state is not None and state.cron == "0 3 * * 1" and state.next_run == dt.datetime(2026, 3, 9, 3, 0)


def test_bad_cron_in_mdm_yaml_is_a_config_error(tmp_path: Path) -> None:
    from mdm.config import load_project

    path = tmp_path / "mdm.yaml"
    path.write_text("schedules:\n  - {name: n, job: decay_audit, cron: '61 * * * *'}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_project(path)
    assert "cron" in err.value.message and "mdm.yaml" in err.value.message


def test_the_decay_audit_job_writes_an_audit(tmp_path: Path) -> None:
    from mdm import pipeline
    from mdm.config import load_project
    from mdm.demo.generator import generate
    from tests.test_golden_pipeline import write_project

    sample = tmp_path / "sample"
    generate(sample, n_records=200, seed=2)
    project = load_project(write_project(tmp_path / "p", sample, ("crm",)))
    pipeline.run(project)
    with open_hub(project.hub) as hub:
        sched = Scheduler((NIGHTLY,), hub.con, make_executor(project, hub.con))
        sched.start(dt.datetime(2026, 3, 1, 1, 0))
        assert sched.tick(dt.datetime(2026, 3, 1, 2, 0)) == [("nightly", "succeeded")]
        assert hub.con.execute("SELECT as_of FROM audit").fetchall() == [(dt.date(2026, 3, 1),)]
    assert (project.hub.parent / "audits" / "decay-2026-03-01.html").exists()
