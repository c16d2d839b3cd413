"""The trends page charts a duplicate rate only where it means something (issue 20.3): for the
attributes the dictionary declares unique (ids, e-mail, phone), never gender or state. Real server,
real Chromium; a screenshot lands in test-artifacts/ui/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from steward_e2e import ARTIFACTS, Served

from mdm.config import load_project

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(server: Served) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make venv` installs it (apt-get install chromium)"
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.goto("/ui/trends")
        expect(pg).to_have_url(re.compile(r"/ui/login\?next="))
        pg.fill("#api_key", server.keys["reader"])
        pg.click("button[type=submit]")
        expect(pg).to_have_url(re.compile(r"/ui/trends$"))
        yield pg
        browser.close()


def legend(page: Page, caption: str) -> set[str]:
    figure = page.locator("figure", has=page.locator("figcaption", has_text=caption))
    expect(figure).to_have_count(1)
    # each entry is the series name (a text node), then a muted note (its latest value)
    names: list[str] = figure.locator("ul.legend li").evaluate_all(
        "els => els.map(e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim())")
    return set(names)


def test_duplicate_rate_only_for_unique_attributes(page: Page, server: Served) -> None:
    dictionary = load_project(server.config).dictionary
    unique = dictionary.unique
    assert {"email", "phone", "national_id"} <= unique and not {"gender", "state"} & unique
    completeness = legend(page, "Completeness per attribute")
    duplicates = legend(page, "Duplicate rate per attribute")
    assert {"gender", "state"} <= completeness, "every attribute has a completeness trend"
    assert duplicates and duplicates <= unique, duplicates
    assert not {"gender", "state"} & duplicates
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trends-duplicate-rate.png"), full_page=True)

    page.goto("/ui/trends?attribute=gender")
    expect(page.locator("figcaption").first).to_have_text("gender: completeness and validity, day by day")
    assert legend(page, "gender: completeness") == {"Completeness", "Validity"}
    page.goto("/ui/trends?attribute=email")
    assert legend(page, "email: completeness") == {"Completeness", "Validity", "Duplicate rate"}
