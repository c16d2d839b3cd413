"""The change feed and webhooks against a real ``mdm serve``: paging never skips or repeats,
a real receiver on 127.0.0.1 gets signed deliveries, dead letters are re-drivable, non-http
URLs are refused, and a server restart mid-delivery loses nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from steward_e2e import Served, free_port, start_server, stop_server
from webhook_receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def wait_for(check: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def all_events(c: httpx.Client, limit: int = 1000, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        page = c.get("/api/v1/events", params={"after": after, "limit": limit, **params})
        assert page.status_code == 200, page.text
        body = page.json()
        if not body["events"]:
            assert body["next_after"] == after
            return out
        out.extend(body["events"])
        assert body["next_after"] == body["events"][-1]["seq"]
        after = body["next_after"]


def test_feed_pages_in_order_without_gaps_or_repeats(server: Served) -> None:
    c = server.client("system")
    whole = c.get("/api/v1/events", params={"after": 0, "limit": 1000}).json()["events"]
    assert whole, "the demo run should have produced events"
    paged = all_events(c, limit=7)
    assert [e["seq"] for e in paged] == [e["seq"] for e in whole] or len(whole) == 1000
    seqs = [e["seq"] for e in paged]
    assert seqs == sorted(set(seqs)), "strictly increasing, no repeats"
    assert {"seq", "type", "golden_id", "changes", "record"} <= set(paged[0])
    created = all_events(c, limit=50, type="created")
    assert created and all(e["type"] == "created" for e in created)
    assert [e["seq"] for e in created] == [e["seq"] for e in paged if e["type"] == "created"]
    for bad_type in ("deleted", "created,,merged", "created,deleted"):
        bad = c.get("/api/v1/events", params={"type": bad_type})
        assert bad.status_code == 422 and "type" in bad.json()["error"]["message"], bad.text
    assert server.client("admin").get("/api/v1/events", params={"limit": 1}).status_code == 200
    assert server.client("reader").get("/api/v1/events").status_code == 403


def test_paging_during_a_run_never_skips_or_repeats(serve_copy: Callable[[str], Served]) -> None:
    served = serve_copy("feed-run")
    admin = served.client("admin")
    before = all_events(admin)
    assert admin.post("/api/v1/runs", json={"retrain": False}).status_code == 202
    seen: list[int] = []
    after = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a consumer paging while the run commits its events
        body = admin.get("/api/v1/events", params={"after": after, "limit": 25}).json()
        seen.extend(e["seq"] for e in body["events"])
        after = body["next_after"]
        if not body["events"] and admin.get("/api/v1/runs/1").json()["status"] != "running":
            body = admin.get("/api/v1/events", params={"after": after, "limit": 1000}).json()
            seen.extend(e["seq"] for e in body["events"])
            break
    assert seen == [e["seq"] for e in all_events(admin)]
    assert len(seen) == len(set(seen)) and len(seen) >= len(before)


def test_signed_deliveries_reach_a_real_receiver(server: Served, receiver: Receiver) -> None:
    admin = server.client("admin")
    events = all_events(admin)
    start = events[-5]["seq"]
    created = admin.post("/api/v1/webhooks", json={"url": receiver.url, "event_types": ["created", "updated",
                                                                                        "merged", "split", "retired"],
                                                   "from_seq": start})
    assert created.status_code == 201, created.text
    hook = created.json()
    secret, sid = hook["secret"], hook["subscription_id"]
    wait_for(lambda: len(receiver.accepted()) >= 5, what="5 deliveries")
    got = receiver.accepted()
    assert [d.event["seq"] for d in got] == [e["seq"] for e in events[-5:]]
    assert [d.key for d in got] == [f"{sid}-{e['seq']}" for e in events[-5:]]
    assert all(d.event["idempotency_key"] == d.key for d in got)
    assert receiver.all_signed_by(secret)
    assert not receiver.all_signed_by("not-the-secret")
    listed = admin.get("/api/v1/webhooks").json()["webhooks"]
    mine = next(w for w in listed if w["subscription_id"] == sid)
    assert "secret" not in mine and secret not in admin.get("/api/v1/webhooks").text
    assert admin.delete(f"/api/v1/webhooks/{sid}").status_code == 204
    assert next(w for w in admin.get("/api/v1/webhooks").json()["webhooks"] if w["subscription_id"] == sid)[
        "active"] is False
    actions = [e["action"] for e in admin.get("/api/v1/audit", params={"target": f"webhook:{sid}"}).json()["entries"]]
    assert actions == ["webhook.create", "webhook.delete"]
    assert admin.delete("/api/v1/webhooks/999999").status_code == 404


def test_dead_letters_and_redrive(server: Served, receiver: Receiver) -> None:
    admin = server.client("admin")
    events = all_events(admin)
    receiver.up = False
    sid = admin.post("/api/v1/webhooks", json={"url": receiver.url, "max_attempts": 1,
                                               "from_seq": events[-3]["seq"]}).json()["subscription_id"]
    wait_for(lambda: len(admin.get(f"/api/v1/webhooks/{sid}/dead-letters").json()["dead_letters"]) == 3,
             what="3 dead letters")
    dead = admin.get(f"/api/v1/webhooks/{sid}/dead-letters").json()["dead_letters"]
    assert [d["seq"] for d in dead] == [e["seq"] for e in events[-3:]] and dead[0]["last_status_code"] == 503
    receiver.up = True
    resp = admin.post(f"/api/v1/webhooks/{sid}/redrive", json={"delivery_ids": [dead[0]["delivery_id"]]})
    assert resp.json() == {"redriven": 1}
    assert admin.post(f"/api/v1/webhooks/{sid}/redrive").json() == {"redriven": 2}
    wait_for(lambda: len(receiver.accepted()) == 3, what="re-driven deliveries")
    assert admin.get(f"/api/v1/webhooks/{sid}/dead-letters").json()["dead_letters"] == []
    actions = [e["action"] for e in admin.get("/api/v1/audit", params={"target": f"webhook:{sid}"}).json()["entries"]]
    assert actions == ["webhook.create", "webhook.redrive", "webhook.redrive"]
    admin.delete(f"/api/v1/webhooks/{sid}")


@pytest.mark.parametrize("url", ["ftp://crm.example.com/hook", "file:///etc/passwd", "javascript:alert(1)",
                                 "crm.example.com/hook", "http://[::1"])
def test_non_http_urls_are_refused(server: Served, url: str) -> None:
    resp = server.client("admin").post("/api/v1/webhooks", json={"url": url})
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "webhook.url" and "http://" in error["message"]
    assert server.client("steward").post("/api/v1/webhooks", json={"url": "https://ok.example"}).status_code == 403


def _relaunch(served: Served) -> Served:
    """Start ``mdm serve`` again on the same project (same hub, same keys)."""
    port = free_port()
    with served.log.open("ab") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "mdm", "serve", "--config", str(served.config),
                                 "--host", "127.0.0.1", "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    again = Served(url=url, workdir=served.workdir, keys=served.keys, proc=proc, log=served.log)
    try:
        wait_for(lambda: _healthy(url) or proc.poll() is not None, timeout=60, what="the server to restart")
    except AssertionError:
        proc.kill()
        raise
    assert proc.poll() is None, served.log_text()[-2000:]
    return again


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_restart_mid_delivery_loses_nothing(demo_dir: Path, tmp_path: Path, receiver: Receiver) -> None:
    workdir = tmp_path / "demo"
    shutil.copytree(demo_dir, workdir)
    served = start_server(workdir)
    try:
        admin = served.client("admin")
        events = all_events(admin)
        receiver.accept_limit = max(1, len(events) // 4)  # then it fails: deliveries pile up, pending
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url, "from_seq": 1, "max_attempts": 50}).json()
        sid, secret = hook["subscription_id"], hook["secret"]
        wait_for(lambda: receiver.failed() >= 3, what="failing deliveries")
    finally:
        stop_server(served)  # the server stops while deliveries are pending and failing
    assert len(receiver.accepted()) < len(events)
    receiver.accept_limit = None
    served = _relaunch(served)
    try:
        wait_for(lambda: len({d.key for d in receiver.accepted()}) >= len(events), timeout=40,
                 what="every event after the restart")
        time.sleep(1.5)  # a late duplicate would show up here
        got = receiver.accepted()
        keys = [d.key for d in got]
        assert sorted(keys) == sorted(f"{sid}-{e['seq']}" for e in events), "every event, exactly once per key"
        by_golden: dict[str, list[int]] = {}
        for d in got:
            by_golden.setdefault(d.event["golden_id"], []).append(d.event["seq"])
        assert all(s == sorted(s) for s in by_golden.values()), "in order per golden record"
        assert receiver.all_signed_by(secret)
        hooks = served.client("admin").get("/api/v1/webhooks").json()["webhooks"]
        assert next(w for w in hooks if w["subscription_id"] == sid)["pending"] == 0
    finally:
        stop_server(served)
