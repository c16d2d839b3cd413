"""Side-by-side comparison in a real headless Chromium (issue 19.3): on the task page, values
that differ are marked at character level, values equal after standardisation are marked
equal, and the weights are explained in plain words; on the golden page, members' values are
compared the same way. Expectations come from the API's own record values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from steward_e2e import Served
from test_ui import login, shot


@pytest.fixture
def cpage(chromium: Browser, server: Served) -> Iterator[Page]:
    context = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def _states(detail: dict[str, Any]) -> dict[str, str]:
    """attribute -> differ | same_std for attributes both records hold, from the API's values."""
    out = {}
    left, right = detail["left"]["attributes"], detail["right"]["attributes"]
    for a in set(left) & set(right):
        lr, rr = left[a].get("raw"), right[a].get("raw")
        ls, rs = left[a].get("standardised"), right[a].get("standardised")
        if lr and rr and lr != rr:
            out[a] = "same_std" if ls and ls == rs else "differ"
    return out


def _task_with_both(server: Served) -> tuple[dict[str, Any], dict[str, str]]:
    c = server.client("steward")
    for t in c.get("/api/v1/tasks", params={"status": "open", "limit": 200}).json()["tasks"]:
        detail = c.get(f"/api/v1/tasks/{t['task_id']}").json()
        states = _states(detail)
        if {"differ", "same_std"} <= set(states.values()):
            return detail, states
    raise AssertionError("no open task with an attribute that differs and one equal after standardisation")


def test_task_page_marks_differences_and_explains_the_weights(cpage: Page, server: Served) -> None:
    detail, states = _task_with_both(server)
    task_id = detail["task"]["task_id"]
    login(cpage, server.keys["steward"], f"/ui/tasks/{task_id}")
    records = cpage.get_by_test_id("records")
    expect(records).to_be_visible()
    for a, state in states.items():
        row = records.locator(f"tr[data-attribute='{a}']")
        expect(row).to_have_attribute("data-state", state)
        marks = row.locator("mark.diff")
        if state == "same_std":
            expect(marks).to_have_count(0)
            expect(row).to_contain_text("equal after standardisation")
        else:
            assert marks.count() >= 1, a
            for i, side in enumerate(("left", "right")):
                raw = detail[side]["attributes"][a]["raw"]
                cell = row.locator("td").nth(i)
                assert cell.inner_text().startswith(raw), (a, raw)
                assert all(m in raw for m in cell.locator("mark.diff").all_inner_texts()), (a, raw)
    reasons = cpage.get_by_test_id("reasons").locator("li")
    assert reasons.count() >= 1
    text = " | ".join(reasons.all_inner_texts())
    for e in detail["explanation"]:
        if e["level"] == "anything else":
            assert e["comparison"].split("_")[0] in text and "differ" in text, (e, text)
        if e["level"] == "exact":
            assert "same " in text, (e, text)
    shot(cpage, "compare-task")


def test_golden_page_compares_its_members(cpage: Page, server: Served) -> None:
    c = server.client("steward")
    found = None
    for g in c.get("/api/v1/golden", params={"limit": 200}).json()["golden"]:
        if g["member_count"] < 2:
            continue
        d = c.get(f"/api/v1/golden/{g['golden_id']}").json()
        for a, v in d["record"].items():
            raws = [m["attributes"].get(a, {}).get("raw") for m in d["members"]]
            stds = {m["attributes"].get(a, {}).get("standardised") for m in d["members"]}
            if v is not None and all(raws) and len(set(raws)) > 1 and len(stds) > 1:
                found = (d, a, raws)
                break
        if found:
            break
    assert found, "no golden record whose members disagree on a value"
    d, a, raws = found
    login(cpage, server.keys["steward"], f"/ui/golden/{d['golden_id']}")
    cells = cpage.get_by_test_id("members").locator(f"td[data-attribute='{a}']")
    expect(cells).to_have_count(len(raws))
    assert cells.locator("mark.diff").count() >= 1
    for cell, raw in zip(cells.all(), raws, strict=True):
        assert cell.inner_text() == raw and all(m in raw for m in cell.locator("mark.diff").all_inner_texts())
    shot(cpage, "compare-golden")
