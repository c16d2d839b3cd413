"""Reports say where, and say the same thing: one flagged count across profile, validate, run and
``mdm export flags``; reasons that add up; the user's own file in clear; the cleanse report."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.test_cli import MAPPING, mdm

ROWS = ("id,name,mail,upd\n1,Ann,ann@acme.io,2024-01-01\n2,Bob,bob@,2024-02-01\n3,Cy,cy@@acme..io,2024-01-05\n"
        "4,Di,di@acme.io,2999-03-01\n5,Ed,not an email,2024-01-01\n5,Dup,dup@acme.io,2024-01-01\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "shop.yaml").write_text(MAPPING.replace("0.2", "0.5"), encoding="utf-8")
    (tmp_path / "shop.csv").write_text(ROWS, encoding="utf-8")
    (tmp_path / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: shop.yaml, path: shop.csv}\n",
                                       encoding="utf-8")
    return tmp_path


def test_one_flagged_count_everywhere(project: Path) -> None:
    prof = mdm("profile", "shop.csv", "--source", "shop", cwd=project)
    assert prof.returncode == 0, prof.stderr
    doc = json.loads(prof.stdout)
    flagged = doc["summary"]["flagged"]
    assert flagged > 0
    for a in doc["profile"]["attributes"]:
        assert sum(n for _, n in a["invalid_reasons"]) == (a["invalid"] or 0), a
    val = mdm("validate", "shop.csv", "--source", "shop", cwd=project)
    assert f"{flagged} values flagged" in val.stdout, val.stdout
    run = mdm("run", "--json", cwd=project)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["totals"]["flagged"] == flagged
    exp = mdm("export", "flags", "--out", "flags.csv", cwd=project)
    assert exp.returncode == 0, exp.stderr
    with (project / "flags.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"source", "source_id", "attribute", "value", "reason_code", "message"} <= set(rows[0])
    assert len({(r["source_id"], r["attribute"]) for r in rows}) == flagged, "one row per reason, same values"
    assert any(r["source_id"] == "2" and r["attribute"] == "email" and r["value"] == "bob@" for r in rows)


def test_cleanse_report_is_a_cleanse_report(project: Path) -> None:
    res = mdm("cleanse", "shop.csv", "--mapping", "shop.yaml", "--out", "out", cwd=project)
    assert res.returncode == 0, res.stderr
    html = (project / "out" / "report.html").read_text(encoding="utf-8")
    recon = json.loads((project / "out" / "reconciliation.json").read_text(encoding="utf-8"))
    assert "<title>mdm cleanse report: shop.csv</title>" in html
    assert 'id="reconciliation"' in html and "open review tasks" not in html
    section = html[html.index('id="reconciliation"'):html.index("</section>", html.index('id="reconciliation"'))]
    cells = re.findall(r'<td class="num">([\d,]+)</td>', section)
    assert [int(c.replace(",", "")) for c in cells[:3]] == [recon["rows_in"], recon["golden_members"],
                                                            recon["quarantined"]]
    assert "-0.0%" not in html


def test_profile_names_the_worst_values_and_their_records(project: Path) -> None:
    doc = json.loads(mdm("profile", "shop.csv", "--source", "shop", cwd=project).stdout)
    email = next(a for a in doc["profile"]["attributes"] if a["attribute"] == "email")
    by_value = {w[0]: w for w in email["worst_values"]}
    assert {"bob@", "not an email"} <= set(by_value)
    _, codes, n, example = by_value["bob@"]
    assert n == 1 and example == "2" and all(c.startswith("email.") for c in codes.split("+"))
    assert sum(w[2] for w in email["worst_values"]) == email["invalid"]
    res = mdm("profile", "shop.csv", "--source", "shop", "--out", "r.html", cwd=project)
    assert res.returncode == 0, res.stderr
    html = (project / "r.html").read_text(encoding="utf-8")
    table = html[html.index("Worst values: where to fix"):html.index("<h3>Attributes</h3>")]
    anchor = re.search(r'<a href="#([^"]+)">email</a>', table)
    assert anchor and f'id="{anchor.group(1)}"' in html, "each worst value links to its attribute's details"
    assert "bob@" in table and "<code>2</code>" in table
