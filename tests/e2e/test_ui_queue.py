"""A queue stewards can work through (issue 19.2), in a real headless Chromium: both sides
named in the list (masked for readers), filters by source / differing attribute / age, sorts,
keyboard shortcuts j/k/o/m/s from the page's own script (the CSP refuses nothing), the next
task after a decision, and a bulk no-match with one reason, checked against the hub."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from steward_e2e import Served
from test_ui import login, shot


@pytest.fixture(scope="module")
def queue_server(serve_copy: Callable[[str], Served]) -> Served:
    return serve_copy("queue-ui")


@pytest.fixture
def qpage(chromium: Browser, queue_server: Served) -> Iterator[Page]:
    context = chromium.new_context(base_url=queue_server.url, viewport={"width": 1280, "height": 900})
    refused: list[str] = []
    pg = context.new_page()
    pg.on("console", lambda m: refused.append(m.text) if "Refused" in m.text else None)
    yield pg
    context.close()
    assert refused == [], f"the page's CSP refused something: {refused}"


def _open_tasks(queue_server: Served) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = queue_server.client("steward").get(
        "/api/v1/tasks", params={"status": "open", "limit": 500}).json()["tasks"]
    return found


def _detail(queue_server: Served, task_id: int, role: str = "steward") -> dict[str, Any]:
    found: dict[str, Any] = queue_server.client(role).get(f"/api/v1/tasks/{task_id}").json()
    return found


def test_the_queue_names_both_sides_masked_for_readers(qpage: Page, queue_server: Served) -> None:
    first = _open_tasks(queue_server)[0]
    d = _detail(queue_server, first["task_id"])
    login(qpage, queue_server.keys["steward"])
    row = qpage.locator(f"tr[data-task-id='{first['task_id']}']")
    for side in ("left", "right"):
        name = d[side]["attributes"].get("last_name", {}).get("raw")
        if name:
            expect(row).to_contain_text(name)
    email = next((d[s]["attributes"]["email"]["raw"] for s in ("left", "right")
                  if d[s]["attributes"].get("email", {}).get("raw")), None)
    if email:
        expect(row).to_contain_text(email)
    expect(qpage.get_by_test_id("shortcuts")).to_contain_text("j")
    shot(qpage, "40-queue-named")
    qpage.get_by_role("button", name="Log out").click()
    login(qpage, queue_server.keys["reader"])
    row = qpage.locator(f"tr[data-task-id='{first['task_id']}']")
    expect(row).to_be_visible()
    if email:
        expect(row).not_to_contain_text(email)  # masked for readers
    expect(qpage.get_by_test_id("bulk-form")).to_have_count(0)


def test_filters_and_sorts(qpage: Page, queue_server: Served) -> None:
    tasks = _open_tasks(queue_server)
    login(qpage, queue_server.keys["steward"])
    source = tasks[0]["unique_id_l"].split(":", 1)[0]
    qpage.get_by_test_id("filter-source").select_option(source)
    qpage.get_by_role("button", name="Filter").click()
    expect(qpage).to_have_url(re.compile(rf"source={source}"))
    want = sum(1 for t in tasks if source in (t["unique_id_l"].split(":")[0], t["unique_id_r"].split(":")[0]))
    expect(qpage.get_by_test_id("total")).to_have_text(f"{want} task{'' if want == 1 else 's'}")

    qpage.goto("/ui/tasks?differs=first_name")
    ids = [int(i) for i in qpage.locator("tr[data-task-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.taskId)")]
    for task_id in ids[:5]:
        d = _detail(queue_server, task_id)
        left, right = (d[s]["attributes"].get("first_name", {}).get("standardised") for s in ("left", "right"))
        assert left and right and left != right, (task_id, left, right)
    every = {t["task_id"] for t in tasks}
    assert set(ids) <= every and len(ids) < len(every)

    qpage.goto("/ui/tasks?older_than=3650")
    expect(qpage.get_by_test_id("total")).to_have_text("0 tasks")  # the demo's tasks are all new
    for sort in ("age", "impact", "probability"):
        qpage.goto(f"/ui/tasks?sort={sort}")
        expect(qpage.get_by_test_id("total")).to_have_text(f"{len(tasks)} tasks")
    shot(qpage, "41-queue-sorted")


def test_keyboard_next_task_and_bulk(qpage: Page, queue_server: Served) -> None:
    api = queue_server.client("steward")
    login(qpage, queue_server.keys["steward"])
    rows = qpage.locator("tr[data-task-id]")
    second = int(rows.nth(1).get_attribute("data-task-id") or 0)
    qpage.keyboard.press("j")
    qpage.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("current"))
    qpage.keyboard.press("o")
    expect(qpage).to_have_url(re.compile(rf"/ui/tasks/{second}$"))
    expect(qpage.get_by_test_id("shortcuts")).to_contain_text("skip")

    qpage.keyboard.press("m")  # no reason yet: the reason field gets the focus, nothing is decided
    expect(qpage.locator("#reason")).to_be_focused()
    qpage.fill("#reason", "same person: e-mail and birth date agree")
    qpage.keyboard.press("Escape")
    qpage.keyboard.press("m")
    expect(qpage.get_by_test_id("task-notice")).to_contain_text(f"task {second} decided")
    expect(qpage).not_to_have_url(re.compile(rf"/ui/tasks/{second}\b"))
    decided = api.get(f"/api/v1/tasks/{second}").json()["task"]
    assert decided["status"] == "decided" and decided["decision"] == "match"
    assert decided["reason"] == "same person: e-mail and birth date agree"
    now = qpage.url
    qpage.keyboard.press("s")
    expect(qpage).not_to_have_url(now)
    shot(qpage, "42-task-next")

    qpage.goto("/ui/tasks")
    picked = [int(rows.nth(i).get_attribute("data-task-id") or 0) for i in (0, 2)]
    for task_id in picked:
        qpage.get_by_test_id(f"pick-{task_id}").check()
    qpage.fill("#bulk-reason", "different people sharing a household")
    qpage.get_by_test_id("bulk-no-match").click()
    expect(qpage.get_by_test_id("queue-notice")).to_contain_text("2 tasks decided: no match")
    for task_id in picked:
        t = api.get(f"/api/v1/tasks/{task_id}").json()["task"]
        assert (t["status"], t["decision"], t["reason"]) == ("decided", "no_match",
                                                             "different people sharing a household")
        expect(qpage.locator(f"tr[data-task-id='{task_id}']")).to_have_count(0)
    shot(qpage, "43-queue-bulk")
