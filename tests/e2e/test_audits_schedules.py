"""Decay audits, quality history, the trends page and scheduled jobs against a real ``mdm serve``."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from pathlib import Path

import httpx
from steward_e2e import Served, start_server, stop_server

from mdm.config import load_project
from mdm.hub import open_hub, transaction


def _ui_login(server: Served, role: str) -> httpx.Client:
    c = server.client()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/login").text)
    assert token
    resp = c.post("/ui/login", data={"api_key": server.keys[role], "csrf": token.group(1), "next": "/ui/trends"})
    assert resp.status_code == 303, resp.text
    return c


def test_decay_audit_via_api_writes_files_and_shows_in_history(server: Served) -> None:
    admin = server.client("admin")
    resp = admin.post("/api/v1/audits/decay", json={"as_of": "2027-06-30", "threshold": 0.8})
    assert resp.status_code == 201, resp.text
    result = resp.json()
    worklist, report = Path(result["worklist"]), Path(result["report"])
    assert worklist.parent == load_project(server.config).hub.parent / "audits"
    assert worklist.read_text().startswith("priority,golden_id,attribute")
    assert "<svg" in report.read_text()
    assert result["summary"]["values"] > 0 and result["as_of"] == "2027-06-30" and result["threshold"] == 0.8
    listed = admin.get("/api/v1/audits").json()
    assert listed["audits"][0]["audit_id"] == result["audit_id"] and listed["total"] >= 1
    history = server.client("reader").get("/api/v1/quality/history", params={"attribute": "email"}).json()
    mine = [a for a in history["audits"] if a["audit_id"] == result["audit_id"]]
    assert len(mine) == 1 and mine[0]["attribute"] == "email" and 0 <= mine[0]["stale_share"] <= 1
    assert history["scorecards"] and all(s["attribute"] == "email" for s in history["scorecards"])
    bad = admin.get("/api/v1/quality/history", params={"attribute": "shoe_size"})
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "quality.attribute"
    assert admin.post("/api/v1/audits/decay", json={"threshold": 1.5}).status_code == 422
    assert server.client("steward").post("/api/v1/audits/decay", json={}).status_code == 403
    entries = admin.get("/api/v1/audit", params={"action": "audit.decay"}).json()["entries"]
    assert any(e["target"] == f"audit:{result['audit_id']}" for e in entries)
    # the trends page draws it
    ui = _ui_login(server, "reader")
    page = ui.get("/ui/trends")
    assert page.status_code == 200 and page.text.count('data-testid="trend-chart"') == 4
    assert "<svg" in page.text and 'href="/ui/trends"' in page.text
    one = ui.get("/ui/trends", params={"attribute": "email"})
    assert one.status_code == 200 and "email: stale share" in one.text and "2027-06-30" in one.text


def test_missed_scheduled_run_fires_once_on_start(demo_dir: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    shutil.copytree(demo_dir, workdir)
    config = workdir / "mdm.yaml"
    cron = "0 2 * * *"
    config.write_text(config.read_text() + "\nschedules:\n"
                      f'  - {{name: nightly-decay, job: decay_audit, cron: "{cron}"}}\n'
                      f'  - {{name: nightly-run, job: run, cron: "{cron}"}}\n'
                      '  - {name: monthly-publish, job: publish, cron: "0 3 1 * *", options: {target: crm}}\n')
    project = load_project(config)
    missed = dt.datetime.now().replace(hour=2, minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    with open_hub(project.hub, project.dictionary.names) as hub, transaction(hub.con):
        # the server was down over three 02:00 slots: the job must run once, not three times
        for name, job in (("nightly-decay", "decay_audit"), ("nightly-run", "run")):
            hub.con.execute("INSERT INTO schedule_state VALUES (?, ?, ?, ?, 'succeeded', NULL, ?)",
                            [name, job, cron, missed - dt.timedelta(days=1), missed])
    served = start_server(workdir)
    try:
        admin = served.client("admin")
        deadline = time.monotonic() + 40
        while True:
            jobs = {j["name"]: j for j in admin.get("/api/v1/schedules").json()["schedules"]}
            if all(jobs[n]["last_status"] and jobs[n]["last_run"] > missed.isoformat()
                   for n in ("nightly-decay", "nightly-run")):
                break
            assert time.monotonic() < deadline, jobs
            time.sleep(0.2)
        for name in ("nightly-decay", "nightly-run"):
            assert jobs[name]["last_status"] == "succeeded", jobs[name]
            assert dt.datetime.fromisoformat(jobs[name]["next_run"]).replace(tzinfo=None) > dt.datetime.now()
        new = jobs["monthly-publish"]
        assert new["last_run"] is None and new["next_run"]  # a new job: nothing was missed
        audits = admin.get("/api/v1/audits").json()
        assert audits["total"] == 1, audits  # once, not once per missed slot
        assert (project.hub.parent / "audits" / f"decay-{dt.date.today().isoformat()}.csv").exists()
        runs = admin.get("/api/v1/runs").json()["runs"]  # the run job went through the server's run manager
        assert [(r["requested_by"], r["status"]) for r in runs] == [("scheduler", "succeeded")]
        assert served.client("reader").get("/api/v1/schedules").status_code == 403
    finally:
        stop_server(served)
