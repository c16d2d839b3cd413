"""Runs inside the server: started over HTTP, followed to the end, decisions honoured by
the run; and the CLI refusing a hub the server holds, in one clear line."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from steward_e2e import Served


@pytest.fixture(scope="module")
def runs_server(serve_copy: Callable[[str], Served]) -> Served:
    return serve_copy("runs")


def _wait(served: Served, run_id: int, timeout: float = 180) -> dict[str, Any]:
    c = served.client("admin")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = c.get(f"/api/v1/runs/{run_id}").json()
        if run["status"] != "running":
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout}s")


def test_run_in_server_honours_decisions(runs_server: Served) -> None:
    admin, steward = runs_server.client("admin"), runs_server.client("steward")
    tasks = steward.get("/api/v1/tasks", params={"status": "open", "limit": 500}).json()["tasks"]
    together = next(t for t in tasks if t["cluster_l"] == t["cluster_r"])
    apart = next(t for t in tasks if t["cluster_l"] != t["cluster_r"])
    for task, decision in ((together, "no_match"), (apart, "match")):
        r = steward.post(f"/api/v1/tasks/{task['task_id']}/decision",
                         json={"decision": decision, "version": task["version"], "reason": "e2e"})
        assert r.status_code == 200, r.text

    started = admin.post("/api/v1/runs", json={"retrain": True})
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "running" and run["requested_by"] == "admin-1"
    second = admin.post("/api/v1/runs", json={})
    assert second.status_code == 409 and second.json()["error"]["code"] == "run.running"
    assert steward.get("/api/v1/tasks", params={"limit": 1}).status_code == 200, "reads go on during a run"

    done = _wait(runs_server, run["run_id"])
    assert done["status"] == "succeeded", done
    assert done["progress"] == "finished" and done["error"] is None
    assert done["summary"]["totals"]["rows_read"] == 0, "sources unchanged: nothing re-ingested"
    assert done["summary"]["records"] > 0 and done["summary"]["match"]["model_reused"] is False
    assert done["report"] and Path(done["report"]).is_file()
    listed = admin.get("/api/v1/runs").json()
    assert listed["total"] == 1 and listed["runs"][0]["run_id"] == run["run_id"]

    after = {t["task_id"]: t for t in admin.get("/api/v1/tasks", params={"limit": 500}).json()["tasks"]}
    split = after[together["task_id"]]
    assert split["cluster_l"] != split["cluster_r"], "the cannot-link was honoured by the run"
    joined = after[apart["task_id"]]
    assert joined["cluster_l"] == joined["cluster_r"], "the must-link was honoured by the run"
    assert [e["action"] for e in admin.get("/api/v1/audit", params={"target": f"run:{run['run_id']}"}
                                           ).json()["entries"]] == ["run.start"]
    assert admin.get("/api/v1/runs/999").json()["error"]["code"] == "run.not_found"


@pytest.mark.parametrize("args", [["run"], ["keys", "create", "--role", "reader", "--name", "x"]])
def test_cli_on_a_served_hub_fails_in_one_line(runs_server: Served, args: list[str]) -> None:
    res = subprocess.run([sys.executable, "-m", "mdm", *args, "--config", str(runs_server.config)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 3, (res.stdout, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert lines[0].startswith("error: hub ") and "is in use by another process" in lines[0]
    assert f"PID {runs_server.proc.pid}" in lines[0] and "POST /api/v1/runs" in lines[0]
