"""The stewards' web UI in a real headless Chromium (Debian's, driven by Playwright):
log in with a key, see the queue, open a task, read its waterfall, decide it, and see it
leave the open queue. Screenshots of each page land in test-artifacts/ui/."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from steward_e2e import ARGS, ARTIFACTS, CHROMIUM, Served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make venv` installs it (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: Served) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    offsite: list[str] = []
    context.on("request", lambda req: offsite.append(req.url) if not req.url.startswith(server.url) else None)
    pg = context.new_page()
    yield pg
    context.close()
    assert offsite == [], f"the UI fetched from outside the server: {offsite}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page: Page, key: str, landing: str = "/ui/tasks") -> None:
    page.goto(landing)
    expect(page).to_have_url(re.compile(r"/ui/login\?next="))
    page.fill("#api_key", key)
    page.click("button[type=submit]")


def test_steward_reviews_and_decides_a_task(page: Page, server: Served,
                                             open_task: Callable[[], dict[str, Any]]) -> None:
    task = open_task()
    detail = server.client("steward").get(f"/api/v1/tasks/{task['task_id']}").json()
    login(page, "mdm_wrong00000_" + "x" * 30)
    expect(page.get_by_test_id("login-error")).to_contain_text("unknown API key")
    shot(page, "01-login-error")

    page.fill("#api_key", server.keys["steward"])
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ui/tasks$"))
    expect(page.get_by_test_id("who")).to_have_text("steward-1 · steward")
    row = page.locator(f"tr[data-task-id='{task['task_id']}']")
    expect(row).to_be_visible()
    expect(page.get_by_test_id("total")).to_contain_text("task")
    shot(page, "02-queue")

    row.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/ui/tasks/{task['task_id']}$"))
    records = page.get_by_test_id("records")
    expect(records).to_contain_text(detail["left"]["source_id"])
    expect(records).to_contain_text(detail["right"]["source_id"])
    email = detail["left"]["attributes"].get("email", {}).get("raw")
    if email:
        expect(records).to_contain_text(email)  # stewards see PII unmasked
    chart = page.get_by_test_id("waterfall")
    expect(chart).to_be_visible()
    bars = chart.locator("g.bar")
    expect(bars).to_have_count(len(detail["explanation"]) + 1)  # every comparison, then the total
    expect(chart.locator("g.bar[data-comparison='prior'] rect")).to_have_count(1)
    total = chart.locator("g.bar.total text.value").text_content() or ""
    assert math.isclose(float(total), task["match_weight"], abs_tol=0.006)
    shot(page, "03-task")

    page.click("[data-testid=decide-match]")  # without a reason the browser refuses to submit
    expect(page).to_have_url(re.compile(rf"/ui/tasks/{task['task_id']}$"))
    page.fill("#reason", "same phone, address and name")
    page.click("[data-testid=decide-match]")
    expect(page.get_by_test_id("task-notice")).to_contain_text(f"task {task['task_id']} decided")  # the next task
    expect(page).to_have_url(re.compile(r"/ui/tasks/\d+\?notice="))
    page.goto("/ui/tasks")
    expect(page.locator(f"tr[data-task-id='{task['task_id']}']")).to_have_count(0)
    shot(page, "04-queue-after-decision")

    after = server.client("admin").get(f"/api/v1/tasks/{task['task_id']}").json()["task"]
    assert after["decision"] == "match" and after["decided_by"] == "steward-1"
    assert after["reason"] == "same phone, address and name"
    page.goto("/ui/tasks?status=decided")
    expect(page.locator(f"tr[data-task-id='{task['task_id']}']")).to_contain_text("match")


def test_reader_sees_masked_pii_and_no_buttons(page: Page, server: Served,
                                               open_task: Callable[[], dict[str, Any]]) -> None:
    task = open_task()
    login(page, server.keys["reader"], f"/ui/tasks/{task['task_id']}")
    expect(page).to_have_url(re.compile(rf"/ui/tasks/{task['task_id']}$"))  # back where the login was asked for
    expect(page.get_by_text("PII masked for your role")).to_be_visible()
    expect(page.locator("[data-testid=decide-match]")).to_have_count(0)
    plain = server.client("steward").get(f"/api/v1/tasks/{task['task_id']}").json()
    email = plain["left"]["attributes"].get("email", {}).get("raw")
    if email:
        expect(page.get_by_test_id("records")).not_to_contain_text(email)
    shot(page, "05-task-as-reader")


def test_system_role_is_refused_and_logout_ends_the_session(page: Page, server: Served) -> None:
    login(page, server.keys["system"])
    expect(page.get_by_test_id("error-message")).to_contain_text("role system may not")
    page.goto("/ui/login")
    page.fill("#api_key", server.keys["steward"])
    page.click("button[type=submit]")
    expect(page.get_by_test_id("who")).to_be_visible()
    page.click("text=Log out")
    expect(page).to_have_url(re.compile(r"/ui/login$"))
    page.goto("/ui/tasks")
    expect(page).to_have_url(re.compile(r"/ui/login\?next="))


def test_forged_posts_are_refused(server: Served, open_task: Callable[[], dict[str, Any]]) -> None:
    """A cross-site form post carries no CSRF token: refused, the task stays open."""
    task = open_task()
    c = server.client()
    form = c.get("/ui/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token
    assert c.post("/ui/login", data={"api_key": server.keys["steward"], "csrf": "forged"}).status_code == 403
    c.post("/ui/login", data={"api_key": server.keys["steward"], "csrf": token.group(1)})
    forged = c.post(f"/ui/tasks/{task['task_id']}/decision", data={"decision": "match", "version": "1",
                                                                    "reason": "x", "csrf": "forged"})
    assert forged.status_code == 403 and "auth.csrf" in forged.text
    still = server.client("admin").get(f"/api/v1/tasks/{task['task_id']}").json()["task"]
    assert still["status"] == "open"
    cookie = next(c for c in c.cookies.jar if c.name == "mdm_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/ui"
