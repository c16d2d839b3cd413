"""Golden-record pages in a real headless Chromium: from a task to its golden records, the
golden page (lineage, members, history), an override made and reverted from the UI,
search and the conflicts page. Screenshots land in test-artifacts/ui/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from steward_e2e import Served
from test_ui import login, shot


@pytest.fixture(scope="module")
def ui_server(serve_copy: Callable[[str], Served]) -> Served:
    return serve_copy("golden-ui")


@pytest.fixture
def gpage(chromium: Browser, ui_server: Served) -> Iterator[Page]:
    context = chromium.new_context(base_url=ui_server.url, viewport={"width": 1280, "height": 900})
    offsite: list[str] = []
    context.on("request", lambda req: offsite.append(req.url) if not req.url.startswith(ui_server.url) else None)
    pg = context.new_page()
    yield pg
    context.close()
    assert offsite == [], f"the UI fetched from outside the server: {offsite}"


def test_task_links_to_golden_page_and_an_override_round_trips(gpage: Page, ui_server: Served) -> None:
    api = ui_server.client("steward")
    task = api.get("/api/v1/tasks", params={"status": "open", "limit": 1}).json()["tasks"][0]
    login(gpage, ui_server.keys["steward"], f"/ui/tasks/{task['task_id']}")
    expect(gpage).to_have_url(re.compile(rf"/ui/tasks/{task['task_id']}$"))
    gpage.get_by_test_id("golden-left").click()
    expect(gpage).to_have_url(re.compile(r"/ui/golden/G\d+$"))
    gid = gpage.get_by_test_id("golden-id").inner_text()
    before = api.get(f"/api/v1/golden/{gid}").json()
    attrs = gpage.get_by_test_id("attributes")
    lineage = before["lineage"][0]
    row = attrs.locator(f"tr[data-attribute='{lineage['attribute']}']")
    expect(row).to_contain_text(lineage["rule"])
    expect(row).to_contain_text(lineage["source"])
    expect(gpage.get_by_test_id("members")).to_contain_text(before["members"][0]["source_id"])
    expect(gpage.get_by_test_id("history")).to_contain_text("created")
    shot(gpage, "10-golden")

    gpage.select_option("#attribute", "job_title")
    gpage.fill("#value", "Head of Testing")
    gpage.fill("#override-reason", "confirmed on the phone")
    gpage.get_by_test_id("override-submit").click()
    expect(gpage.get_by_test_id("golden-notice")).to_contain_text("job_title overridden")
    expect(attrs.locator("tr[data-attribute='job_title'] td.value")).to_have_text("Head of Testing")
    expect(attrs.locator("tr[data-attribute='job_title']")).to_contain_text("steward_override")
    expect(gpage.get_by_test_id("golden-version")).to_have_text(str(before["version"] + 1))
    shot(gpage, "11-golden-override")
    after = api.get(f"/api/v1/golden/{gid}").json()
    assert after["record"]["job_title"] == "Head of Testing"

    gpage.get_by_test_id(f"revert-{after['overrides'][0]['override_id']}").click()
    expect(gpage.get_by_test_id("golden-notice")).to_contain_text("reverted")
    assert api.get(f"/api/v1/golden/{gid}").json()["record"]["job_title"] == before["record"]["job_title"]


def test_reader_searches_and_sees_conflicts_masked(gpage: Page, ui_server: Served) -> None:
    api = ui_server.client("steward")
    target = next(g for g in api.get("/api/v1/golden", params={"limit": 500}).json()["golden"]
                  if g["record"].get("last_name") and g["record"].get("email"))
    login(gpage, ui_server.keys["reader"], "/ui/golden")
    gpage.get_by_test_id("nav-golden").click()
    gpage.fill("input[name=name]", target["record"]["last_name"])
    gpage.click("[data-testid=search-form] button[type=submit]")
    row = gpage.locator(f"tr[data-golden-id='{target['golden_id']}']")
    expect(row).to_be_visible()
    expect(row).not_to_contain_text(target["record"]["email"])  # readers see PII masked
    shot(gpage, "12-golden-search")
    row.locator("a").click()
    expect(gpage.get_by_test_id("golden-id")).to_have_text(target["golden_id"])
    expect(gpage.get_by_test_id("override-form")).to_have_count(0)  # readers may not override
    gpage.get_by_test_id("nav-conflicts").click()
    expect(gpage.get_by_test_id("conflicts")).to_be_visible()
    expect(gpage.get_by_test_id("total")).not_to_have_text("0 conflicts")
    shot(gpage, "13-conflicts")
    expect(gpage.get_by_role("button", name="Use this value")).to_have_count(0)  # nor use a member's value


def test_steward_uses_a_members_value_and_a_bad_override_is_refused(gpage: Page, ui_server: Served) -> None:
    """Issue 19.5 in the browser: "use this value" on the conflicts page makes that member's own
    value the golden value (an override, in lineage); a value the dictionary refuses is refused
    with its reason and changes nothing."""
    api = ui_server.client("steward")
    conflicts = api.get("/api/v1/golden/conflicts", params={"attribute": "first_name", "limit": 50}).json()
    chosen = next((c, v) for c in conflicts["conflicts"] for v in c["values"]
                  if v["raw"] and api.get(f"/api/v1/golden/{c['golden_id']}").json()["record"]["first_name"]
                  != v["raw"])
    conflict, value = chosen
    gid = conflict["golden_id"]
    login(gpage, ui_server.keys["steward"], "/ui/conflicts?attribute=first_name")
    gpage.goto("/ui/conflicts?attribute=first_name")
    index = conflict["values"].index(value) + 1
    gpage.get_by_test_id(f"use-{gid}-first_name-{index}").click()
    expect(gpage).to_have_url(re.compile(rf"/ui/golden/{gid}\?"))
    expect(gpage.get_by_test_id("golden-notice")).to_contain_text("first_name overridden")
    after = api.get(f"/api/v1/golden/{gid}").json()
    assert after["record"]["first_name"] == value["raw"]
    assert next(e for e in after["lineage"] if e["attribute"] == "first_name")["rule"] == "steward_override"
    shot(gpage, "14-use-this-value")

    gpage.select_option("#attribute", "birth_date")
    gpage.fill("#value", "not a date")
    gpage.fill("#override-reason", "typed in the wrong field")
    gpage.get_by_test_id("override-submit").click()
    expect(gpage.get_by_test_id("golden-error")).to_contain_text("not a valid date")
    shot(gpage, "15-override-refused")
    again = api.get(f"/api/v1/golden/{gid}").json()
    assert again["record"]["birth_date"] == after["record"]["birth_date"] and again["version"] == after["version"]
