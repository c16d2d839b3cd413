"""Where to fix, by record (issue 20.3): the records with the most invalid values, with their reason
codes, in the profile and the run report, masked like the worst values; each attribute's chart bar
links to its examples; a duplicate rate only for attributes the dictionary declares unique.

Everything goes through the real CLI in a subprocess; the links are followed in a real Chromium.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.test_cli import mdm

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
ARTIFACTS = Path(os.environ.get("MDM_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "test-artifacts")) / "reports"

MAPPING = """source: shop
trust: 60
id_column: id
updated_at_column: upd
quarantine_tolerance: 0.5
columns:
  first_name: name
  email: mail
  birth_date: dob
  phone: tel
  gender: sex
  state: st
"""
ROWS = """id,name,mail,dob,tel,sex,st,upd
1,Ann,ann@acme.io,1980-01-02,+1 415 555 0101,F,CA,2024-01-01
2,Bob,bob@,1990-13-45,12,M,CA,2024-01-01
3,Cy,cy@acme.io,1985-03-04,+1 415 555 0102,M,CA,2024-01-01
4,Di,di@acme.io,1975-05-05,+1 415 555 0103,F,CA,2024-01-01
5,Ed,not an email,1970-01-01,+1 415 555 0104,M,NY,2024-01-01
6,Flo,flo@acme.io,1999-09-09,77,F,CA,2024-01-01
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "shop.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "shop.csv").write_text(ROWS, encoding="utf-8")
    (tmp_path / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: shop.yaml, path: shop.csv}\n",
                                       encoding="utf-8")
    return tmp_path


def profile(project: Path, *extra: str) -> dict[str, Any]:
    res = mdm("profile", "shop.csv", "--source", "shop", *extra, cwd=project)
    assert res.returncode == 0, res.stderr
    doc: dict[str, Any] = json.loads(res.stdout)
    return doc


def section(html: str, heading: str) -> str:
    start = html.index(heading)
    return html[start:html.index("<h3", start + len(heading))]


def test_worst_records_agree_with_the_flags_export(project: Path) -> None:
    worst = profile(project)["profile"]["worst_records"]
    assert worst[0]["source_id"] == "2", "the record with the most invalid values comes first"
    assert [r["flagged"] for r in worst] == sorted((r["flagged"] for r in worst), reverse=True)
    assert {r["source_id"] for r in worst} == {"2", "5", "6"}, "clean records are not listed"
    bob = worst[0]
    assert bob["flagged"] == len(bob["values"]) == 3 and not bob["quarantined"]
    assert {v["attribute"]: v["value"] for v in bob["values"]} == {"email": "bob@", "birth_date": "1990-13-45",
                                                                  "phone": "12"}
    # the same findings as the hub's flags, reached through a run and `mdm export flags`
    assert mdm("run", "--quiet", cwd=project).returncode == 0
    res = mdm("export", "flags", "--out", "flags.csv", cwd=project)
    assert res.returncode == 0, res.stderr
    with (project / "flags.csv").open(encoding="utf-8", newline="") as fh:
        flags: dict[tuple[str, str], set[str]] = {}
        for row in csv.DictReader(fh):
            if not row["reason_code"].endswith(".missing"):
                flags.setdefault((row["source_id"], row["attribute"]), set()).add(row["reason_code"])
    listed = {(r["source_id"], v["attribute"]): set(v["codes"].split("+")) for r in worst for v in r["values"]}
    assert listed == flags


def test_worst_records_are_masked_like_worst_values(project: Path) -> None:
    masked = profile(project, "--mask")["profile"]
    [email] = [a for a in masked["attributes"] if a["attribute"] == "email"]
    bob = masked["worst_records"][0]
    values = {v["attribute"]: v["value"] for v in bob["values"]}
    assert values["email"] != "bob@" and "*" in values["email"]
    assert values["email"] in {w[0] for w in email["worst_values"]}, "one masking for both lists"
    assert bob["source_id"] == "2", "ids stay in clear: they say where to fix"
    # the run report reads the hub, which keeps PII masked
    assert mdm("run", "--quiet", cwd=project).returncode == 0
    [report] = list(project.rglob("run-*.html"))
    table = section(report.read_text(encoding="utf-8"), "Worst records: where to fix")
    assert "<code>2</code>" in table and "bob@<" not in table and values["email"] in table


def test_duplicate_rate_only_for_attributes_declared_unique(project: Path) -> None:
    res = mdm("profile", "shop.csv", "--source", "shop", "--out", "r.html", cwd=project)
    assert res.returncode == 0, res.stderr
    html = (project / "r.html").read_text(encoding="utf-8")

    def details(attribute: str) -> str:
        start = html.index(f"<summary><code>{attribute}</code>")
        return html[start:html.index("</details>", start)]

    for repeated in ("gender", "state"):  # nearly every value repeats: no defect
        assert "duplicate rate" not in details(repeated) and "distinct" in details(repeated)
    for unique in ("email", "phone"):
        assert "duplicate rate" in details(unique)
    row = re.search(r'<tr data-attribute="gender".*?</tr>', html, re.S)
    assert row and "n/a" in row.group(0), "no uniqueness score for gender"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make venv` installs it (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_chart_bar_opens_the_attributes_examples(project: Path, browser: Browser) -> None:
    res = mdm("profile", "shop.csv", "--source", "shop", "--out", "r.html", cwd=project)
    assert res.returncode == 0, res.stderr
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((project / "r.html").as_uri())
        examples = page.locator("details.attr h4", has_text="Examples to fix")
        assert examples.count() == 6 and not any(examples.nth(i).is_visible() for i in range(6))
        bar = page.locator("figure.chart-stacked a.row-link", has_text="email")
        bar.click()
        assert page.url.endswith("-examples")
        opened = page.locator("details.attr[open]")
        assert opened.count() == 1 and "email" in opened.locator("summary").inner_text()
        body = opened.locator(".body")
        assert body.get_by_text("bob@", exact=True).first.is_visible()
        assert body.get_by_text("not an email", exact=True).first.is_visible()
        # the record links lead to the worst records table, which names every invalid value
        body.get_by_role("link", name="2", exact=True).click()
        target = page.locator("tr:target")
        assert target.is_visible() and "1990-13-45" in target.inner_text() and "12" in target.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "worst-records.png"), full_page=True)
    finally:
        page.close()
