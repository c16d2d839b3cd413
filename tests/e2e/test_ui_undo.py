"""Undo anything from the web UI (issue 19.1), in a real headless Chromium against a real
server: unmerge a member, split picked members off, merge two golden records, reopen a decided
task, and unmerge from the task page. Each goes through a confirmation page that shows the
effect, then the test checks what the page shows and what the hub holds (xref, audit log,
change feed), and that a pipeline run afterwards keeps every decision. Screenshots land in
test-artifacts/ui/."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from steward_e2e import Served
from test_ui import login, shot


@pytest.fixture(scope="module")
def undo_server(serve_copy: Callable[[str], Served]) -> Served:
    return serve_copy("undo-ui")


@pytest.fixture
def upage(chromium: Browser, undo_server: Served) -> Iterator[Page]:
    context = chromium.new_context(base_url=undo_server.url, viewport={"width": 1280, "height": 900})
    offsite: list[str] = []
    context.on("request", lambda req: offsite.append(req.url) if not req.url.startswith(undo_server.url) else None)
    pg = context.new_page()
    yield pg
    context.close()
    assert offsite == [], f"the UI fetched from outside the server: {offsite}"


def _xref(api: httpx.Client, uid: str) -> str:
    source, source_id = uid.split(":", 1)
    r = api.get(f"/api/v1/xref/{source}/{source_id}")
    assert r.status_code == 200, r.text
    return str(r.json()["golden_id"])


def _goldens(api: httpx.Client, members: int) -> list[dict[str, Any]]:
    found = api.get("/api/v1/golden", params={"limit": 500}).json()["golden"]
    return [g for g in found if g["member_count"] >= members]


def _audit(admin: httpx.Client, action: str) -> list[dict[str, Any]]:
    found = admin.get("/api/v1/audit", params={"action": action, "limit": 1000})
    entries: list[dict[str, Any]] = found.json()["entries"]
    return entries


def _events_after(admin: httpx.Client, seq: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while page := admin.get("/api/v1/events", params={"after": seq, "limit": 500}).json()["events"]:
        out += page
        seq = page[-1]["seq"]
    return out


_used: set[str] = set()


def _fresh(api: httpx.Client, members: int) -> dict[str, Any]:
    for g in _goldens(api, members):
        if g["golden_id"] not in _used:
            _used.add(g["golden_id"])
            detail: dict[str, Any] = api.get(f"/api/v1/golden/{g['golden_id']}").json()
            return detail
    raise AssertionError(f"the demo has no unused golden record with {members}+ members")


def test_unmerge_split_and_merge_from_the_golden_page(upage: Page, undo_server: Served) -> None:
    api, admin = undo_server.client("steward"), undo_server.client("admin")
    g = _fresh(api, 2)
    gid, record = g["golden_id"], g["members"][-1]["unique_id"]
    seq = _events_after(admin, 0)[-1]["seq"]
    login(upage, undo_server.keys["steward"], f"/ui/golden/{gid}")
    upage.get_by_test_id(f"unmerge-{record}").click()
    expect(upage.get_by_test_id("confirm-title")).to_have_text(f"Unmerge {record} from {gid}")
    summary = upage.get_by_test_id("effect-summary")
    expect(summary).to_contain_text(f"{gid} goes from {len(g['members'])} to {len(g['members']) - 1}")
    expect(summary).to_contain_text(f"loses {record}")
    expect(upage.get_by_test_id("effect-after")).to_contain_text(record)
    shot(upage, "30-confirm-unmerge")
    assert _xref(api, record) == gid, "the confirmation page changed nothing"
    upage.get_by_test_id("confirm-submit").click()
    expect(upage.locator("#confirm-reason:invalid")).to_have_count(1)  # a reason is required
    upage.fill("#confirm-reason", "a different person at the same address")
    upage.get_by_test_id("confirm-submit").click()
    expect(upage).to_have_url(re.compile(rf"/ui/golden/{gid}\?notice="))
    expect(upage.get_by_test_id("golden-notice")).to_contain_text(f"{record} unmerged")
    expect(upage.locator(f"tr[data-member='{record}']")).to_have_count(0)
    shot(upage, "31-golden-after-unmerge")
    moved = _xref(api, record)
    assert moved != gid
    [entry] = [e for e in _audit(admin, "golden.unmerge") if e["target"] == f"golden:{gid}"]
    assert entry["actor"].startswith("steward-1") and entry["before"]["reason"] == \
        "a different person at the same address"
    events = _events_after(admin, seq)
    assert {e["golden_id"] for e in events} >= {gid, moved}

    # merge it back from the golden page: the confirmation names the survivor
    upage.fill("#merge-other", moved)
    upage.get_by_test_id("merge-submit").click()
    expect(upage.get_by_test_id("confirm-title")).to_have_text(f"Merge {moved} into {gid}")
    expect(upage.get_by_test_id("effect-summary")).to_contain_text(f"gains {record}")
    shot(upage, "32-confirm-merge")
    upage.fill("#confirm-reason", "the same person after all")
    upage.get_by_test_id("confirm-submit").click()
    expect(upage.get_by_test_id("golden-notice")).to_contain_text("merged into")
    assert _xref(api, record) == _xref(api, g["members"][0]["unique_id"])
    assert _audit(admin, "golden.merge")


def test_split_picked_members_and_a_refused_merge(upage: Page, undo_server: Served) -> None:
    api = undo_server.client("steward")
    g = _fresh(api, 2)
    gid, members = g["golden_id"], [m["unique_id"] for m in g["members"]]
    login(upage, undo_server.keys["steward"], f"/ui/golden/{gid}")
    upage.get_by_test_id("split-submit").click()  # nothing picked: the server says so
    expect(upage.get_by_test_id("error-message")).to_contain_text("records")
    upage.go_back()
    for uid in members[1:]:
        upage.get_by_test_id(f"pick-{uid}").check()
    upage.get_by_test_id("split-submit").click()
    expect(upage.get_by_test_id("confirm-title")).to_contain_text(f"off {gid}")
    expect(upage.get_by_test_id("effect-after").locator(".pill")).to_have_count(1)  # one new golden record
    shot(upage, "33-confirm-split")
    upage.fill("#confirm-reason", "two households")
    upage.get_by_test_id("confirm-submit").click()
    expect(upage.get_by_test_id("golden-notice")).to_contain_text("split:")
    picked = {_xref(api, u) for u in members[1:]}
    assert len(picked) == 1, "the picked records stay together"
    assert _xref(api, members[0]) not in picked

    # merging with itself is refused on the confirmation page, before anything is asked
    upage.goto(f"/ui/golden/{gid}/merge?other={gid}")
    expect(upage.get_by_test_id("effect-error")).to_contain_text("cannot be merged with itself")
    expect(upage.get_by_test_id("confirm-form")).to_have_count(0)


def test_reopen_and_unmerge_from_the_task_page(upage: Page, undo_server: Served) -> None:
    api, admin = undo_server.client("steward"), undo_server.client("admin")
    tasks = api.get("/api/v1/tasks", params={"status": "open", "limit": 500}).json()["tasks"]
    merged: list[dict[str, Any]] = []
    for t in tasks:  # two wrong matches, on golden records no other test touched
        goldens = {_xref(api, t["unique_id_l"]), _xref(api, t["unique_id_r"])}
        if len(goldens) < 2 or goldens & _used or t["assignee"] is not None:
            continue
        r = api.post(f"/api/v1/tasks/{t['task_id']}/decision",
                     json={"decision": "match", "version": t["version"], "reason": "looked alike"})
        assert r.status_code == 200, r.text
        _used.update(goldens)
        if _xref(api, t["unique_id_l"]) == _xref(api, t["unique_id_r"]):  # clustering may keep them apart
            merged.append(t)
        if len(merged) == 2:
            break
    first, second = merged

    login(upage, undo_server.keys["steward"], f"/ui/tasks/{first['task_id']}")
    upage.get_by_test_id("reopen").click()
    expect(upage.get_by_test_id("confirm-title")).to_contain_text(f"Reopen task #{first['task_id']} (match by")
    expect(upage.get_by_test_id("effect-after")).to_contain_text(first["unique_id_r"])
    shot(upage, "34-confirm-reopen")
    upage.fill("#confirm-reason", "the match was wrong: different birth dates")
    upage.get_by_test_id("confirm-submit").click()
    expect(upage.get_by_test_id("task-notice")).to_contain_text("reopened")
    expect(upage.get_by_test_id("decide-match")).to_be_visible()  # open again, decidable
    reopened = api.get(f"/api/v1/tasks/{first['task_id']}").json()["task"]
    assert reopened["status"] == "open" and reopened["decision"] is None
    assert _xref(api, first["unique_id_l"]) != _xref(api, first["unique_id_r"])
    assert [e for e in _audit(admin, "task.reopen") if e["target"] == f"task:{first['task_id']}"]

    # the second wrong match: unmerge one side from the task page, and come back to the task
    upage.goto(f"/ui/tasks/{second['task_id']}")
    upage.get_by_test_id("unmerge-right").click()
    expect(upage.get_by_test_id("confirm-title")).to_contain_text(f"Unmerge {second['unique_id_r']}")
    upage.fill("#confirm-reason", "not the same customer")
    upage.get_by_test_id("confirm-submit").click()
    expect(upage).to_have_url(re.compile(rf"/ui/tasks/{second['task_id']}\?notice="))
    expect(upage.get_by_test_id("task-notice")).to_contain_text("unmerged")
    expect(upage.get_by_test_id("merge-goldens")).to_be_visible()  # now apart: merging is one click away
    shot(upage, "35-task-after-unmerge")
    assert _xref(api, second["unique_id_l"]) != _xref(api, second["unique_id_r"])

    # a run afterwards honours both decisions (the reopened pair is clustered on its evidence)
    started = admin.post("/api/v1/runs", json={})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 180
    while (run := admin.get(f"/api/v1/runs/{started.json()['run_id']}").json())["status"] == "running":
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.3)
    assert run["status"] == "succeeded", run
    assert _xref(api, second["unique_id_l"]) != _xref(api, second["unique_id_r"])
    assert _xref(api, first["unique_id_l"]) != _xref(api, first["unique_id_r"])


def test_readers_get_no_undo(upage: Page, undo_server: Served) -> None:
    api = undo_server.client("reader")
    g = _goldens(api, 2)[0]
    login(upage, undo_server.keys["reader"], f"/ui/golden/{g['golden_id']}")
    expect(upage.get_by_test_id("members")).to_be_visible()
    expect(upage.get_by_test_id("split-form")).to_have_count(0)
    expect(upage.locator("[data-testid^=unmerge-]")).to_have_count(0)
    upage.goto(f"/ui/golden/{g['golden_id']}/unmerge?record=x:1")
    expect(upage.get_by_test_id("error-message")).to_contain_text("may not")
