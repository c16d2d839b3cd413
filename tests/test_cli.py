"""The command line as users run it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MAPPING = """source: shop
trust: 60
id_column: id
updated_at_column: upd
quarantine_tolerance: 0.2
columns:
  first_name: name
  email: mail
"""


def mdm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mdm", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "shop.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "shop.csv").write_text("id,name,mail,upd\n1,Ann,ann@acme.io,2024-01-01\n2,Bob,bob@,2024-02-01\n"
                                       "3,Cy,cy@acme.io,\n4,Di,di@acme.io,2024-03-01\n", encoding="utf-8")
    (tmp_path / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: shop.yaml, path: shop.csv}\n",
                                       encoding="utf-8")
    return tmp_path


def test_profile_json_to_stdout(project: Path) -> None:
    res = mdm("profile", "shop.csv", "--source", "shop", cwd=project)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["summary"]["rows_read"] == 4
    email = next(a for a in doc["profile"]["attributes"] if a["attribute"] == "email")
    # one invalid value, listed once under all its codes ("a+b"), so the reasons add up to the count
    assert email["invalid"] == 1 and len(email["invalid_reasons"]) == 1
    codes, n = email["invalid_reasons"][0]
    assert n == 1 and "email.format" in codes.split("+")
    assert ["ann@acme.io", 1] in email["top_values"], "the user's own file is profiled in clear"
    masked = json.loads(mdm("profile", "shop.csv", "--source", "shop", "--mask", cwd=project).stdout)
    email = next(a for a in masked["profile"]["attributes"] if a["attribute"] == "email")
    assert email["top_values"] and all(v[0] != "ann@acme.io" for v in email["top_values"]), "--mask masks PII"
    assert {s["attribute"] for s in doc["scorecard"]} == {"first_name", "email"}


def test_profile_html_report(project: Path) -> None:
    res = mdm("profile", "shop.csv", "--source", "shop", "--out", "r.html", cwd=project)
    assert res.returncode == 0, res.stderr
    html = (project / "r.html").read_text(encoding="utf-8")
    assert "<svg" in html and "email" in html


def test_validate_exit_codes(project: Path) -> None:
    ok = mdm("validate", "shop.csv", "--source", "shop", cwd=project)
    assert ok.returncode == 0, ok.stderr
    assert "4 rows read, 4 accepted, 0 quarantined" in ok.stdout
    (project / "bad.csv").write_text("id,name,mail,upd\n1,A,,\n1,B,,\n,C,,\n2,D,,\n", encoding="utf-8")
    bad = mdm("validate", "bad.csv", "--source", "shop", cwd=project)
    assert bad.returncode == 1
    assert "id.duplicate 1" in bad.stdout and "id.missing 1" in bad.stdout
    assert "exceeds the tolerance 20.0%" in bad.stderr


def test_run_ingests_and_reruns_are_noops(project: Path) -> None:
    first = mdm("run", cwd=project)
    assert first.returncode == 0, first.stderr
    assert "report:" in first.stdout and (project / "hub.duckdb").exists()
    second = mdm("run", cwd=project)
    assert second.returncode == 0 and "unchanged" in second.stdout


@pytest.mark.parametrize(("args", "setup", "fragment", "code"), [
    (["run", "--config", "missing.yaml"], None, "missing.yaml: file not found", 2),
    (["run"], ("mdm.yaml", "hub: x\nsorces: []\n"), "did you mean 'sources'", 2),
    (["run"], ("shop.yaml", MAPPING.replace("trust: 60", "trust: 101")), "key 'trust' has invalid value 101", 2),
    (["profile", "shop.csv", "--source", "shoop"], None, "no source named 'shoop' (did you mean 'shop'?)", 2),
    (["profile", "nope.csv", "--source", "shop"], None, "nope.csv: file not found", 2),
    (["profile", "shop.csv", "--source", "shop", "--out", "r.pdf"], None, "use a .html or .json", 2),
    (["run"], ("shop.csv", "id,nmae,mail,upd\n1,a,b,c\n"), "'name' (did you mean 'nmae'?)", 2),
    (["run"], ("shop.csv", b"\x00\x01\x02 binary \xff\xfe junk\n"), "shop.csv", 2),
])
def test_user_errors_are_one_line(project: Path, args: list[str], setup: tuple[str, str | bytes] | None,
                                  fragment: str, code: int) -> None:
    if setup:
        name, content = setup
        target = project / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    res = mdm(*args, cwd=project)
    assert res.returncode == code, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert fragment in lines[0]


def test_hub_in_use_is_clear(project: Path) -> None:
    code = "import duckdb, sys; c = duckdb.connect('hub.duckdb'); print('ready', flush=True); sys.stdin.readline()"
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=project, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        res = mdm("run", cwd=project)
        assert res.returncode == 3
        assert "is in use by another process" in res.stderr and "Traceback" not in res.stderr
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize("kind", ["match", "survivorship"])
def test_a_broken_rules_file_fails_before_anything_is_ingested(project: Path, kind: str) -> None:
    (project / "rules.yaml").write_text("version: 1\nthresholds: {auto_match: 2.5}\n" if kind == "match"
                                        else "version: 1\nattributes: {email: {strategy: coin_toss}}\n",
                                        encoding="utf-8")
    config = (project / "mdm.yaml").read_text(encoding="utf-8")
    (project / "mdm.yaml").write_text(config + f"rules:\n  {kind}: rules.yaml\n", encoding="utf-8")
    for command in (["run"], ["serve", "--port", "65431"]):
        res = mdm(*command, cwd=project)
        assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr
        [line] = res.stderr.strip().splitlines()
        assert "rules.yaml" in line, line
        assert not (project / "hub.duckdb").exists(), "nothing was ingested: the hub was never opened"
