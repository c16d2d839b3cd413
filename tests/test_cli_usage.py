"""Command-line mistakes as a new user makes them, on the real entry point in a subprocess:
one line on stderr naming what was wrong, exit 2, never a traceback; help, version, keys."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.test_cli import MAPPING


def mdm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mdm", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "shop.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "shop.csv").write_text("id,name,mail,upd\n1,Ann,ann@acme.io,2024-01-01\n", encoding="utf-8")
    (tmp_path / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: shop.yaml, path: shop.csv}\n",
                                       encoding="utf-8")
    return tmp_path


def one_line_error(res: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


@pytest.mark.parametrize(("args", "fragments"), [
    (["run", "--bogus"], ["--bogus", "mdm run --help"]),
    (["bogus"], ["bogus", "mdm --help"]),
    (["profile"], ["file", "mdm profile --help"]),
    (["profile", "shop.csv"], ["--source", "mdm profile --help"]),
    (["validate", "shop.csv", "--source"], ["--source", "requires an argument"]),
    (["audit", "decay", "--threshold", "high"], ["--threshold", "number"]),
    (["audit", "nope"], ["nope", "mdm audit --help"]),
    (["serve", "--port", "70000"], ["--port", "65535"]),
    (["export", "golden"], ["--out"]),
    (["keys", "revoke"], ["key_id", "mdm keys revoke --help"]),
    (["keys", "revoke", "abc"], ["key_id", "integer"]),
    (["keys", "create", "--name", "x"], ["--role"]),
    (["cleanse", "x.csv"], ["--mapping"]),
    (["publish", "--target", "crm", "--bogus"], ["--bogus"]),
])
def test_usage_mistakes_are_one_line_exit_2(project: Path, args: list[str], fragments: list[str]) -> None:
    res = mdm(*args, cwd=project)
    assert res.returncode == 2, (res.stdout, res.stderr)
    line = one_line_error(res)
    for fragment in fragments:
        assert fragment in line, line


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["run", "-h"], ["keys", "-h"], ["keys", "revoke", "-h"],
                                  ["audit", "decay", "-h"]])
def test_short_help_works_like_long_help(project: Path, args: list[str]) -> None:
    res = mdm(*args, cwd=project)
    assert res.returncode == 0, res.stderr
    assert "Usage:" in res.stdout and res.stderr == ""
    long = mdm(*[a if a != "-h" else "--help" for a in args], cwd=project)
    assert long.stdout == res.stdout


def test_no_arguments_shows_the_help(project: Path) -> None:
    res = mdm(cwd=project)
    assert res.returncode == 0 and "Usage:" in res.stdout and "Traceback" not in res.stderr


def test_version(project: Path) -> None:
    res = mdm("--version", cwd=project)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"mdm {version('mdm')}"


def test_missing_source_file_in_config_is_one_line(project: Path) -> None:
    (project / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: shop.yaml, path: gone.csv}\n",
                                      encoding="utf-8")
    res = mdm("run", cwd=project)
    assert res.returncode == 2
    line = one_line_error(res)
    assert "gone.csv: not found" in line and "sources.0.path" in line
    assert not (project / "hub.duckdb").exists(), "nothing is created for a run that cannot start"


@pytest.mark.parametrize(("out", "fmt", "fragment"), [
    ("golden.xlsx", None, ".xlsx files are not written"),
    ("golden.pdf", None, ".pdf files are not written"),
    ("golden.parquet", "csv", "make them agree"),
    ("golden.csv", "xlsx", "unknown export format 'xlsx'"),
])
def test_export_refuses_a_file_name_it_would_not_honour(project: Path, out: str, fmt: str | None,
                                                        fragment: str) -> None:
    res = mdm("export", "golden", "--out", out, *(["--format", fmt] if fmt else []), cwd=project)
    assert res.returncode == 2
    assert fragment in one_line_error(res)
    assert not (project / out).exists()


def test_busy_port_is_not_a_busy_hub(project: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        res = mdm("serve", "--port", str(port), cwd=project)
    assert res.returncode == 4, (res.stdout, res.stderr)
    line = one_line_error(res)
    assert f"127.0.0.1:{port}" in line and "--port" in line
    assert "serving" not in res.stdout + res.stderr


def test_keys_create_list_revoke(project: Path) -> None:
    created = mdm("keys", "create", "--role", "reader", "--name", "bi tool", cwd=project)
    assert created.returncode == 0, created.stderr
    key_id = created.stderr.split(" key ")[1].split()[0]
    listed = mdm("keys", "list", cwd=project)
    assert listed.returncode == 0 and f"{key_id}\t" in listed.stdout and "active" in listed.stdout
    revoked = mdm("keys", "revoke", key_id, cwd=project)
    assert revoked.returncode == 0, revoked.stderr
    assert f"revoked reader key {key_id}" in revoked.stdout
    listed = mdm("keys", "list", cwd=project)
    assert "revoked " in listed.stdout and "active" not in listed.stdout
    again = mdm("keys", "revoke", key_id, cwd=project)
    assert again.returncode != 0 and "already revoked" in one_line_error(again)
    missing = mdm("keys", "revoke", "999", cwd=project)
    assert missing.returncode != 0 and "no API key with id 999" in one_line_error(missing)


def test_pipe_gets_the_summary_only_unwrapped_and_json_for_schedulers(project: Path) -> None:
    long_name = "shop-" + "x" * 90 + ".csv"
    (project / long_name).write_text((project / "shop.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (project / "mdm.yaml").write_text(f"hub: hub.duckdb\nsources:\n  - {{mapping: shop.yaml, path: {long_name}}}\n",
                                      encoding="utf-8")
    first = mdm("run", "--json", cwd=project)
    assert first.returncode == 0 and first.stderr == "", first.stderr
    summary = json.loads(first.stdout)
    assert summary["totals"]["rows_read"] == 1 and summary["sources"][0]["source"] == "shop"
    assert (project / "logs" / "mdm.log").read_text(encoding="utf-8"), "sub-steps are logged beside the hub"
    quiet = mdm("run", "--quiet", cwd=project)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    piped = mdm("run", cwd=project)
    assert piped.returncode == 0 and piped.stderr == "", "no progress, no library warnings on a pipe"
    report = next(ln for ln in piped.stdout.splitlines() if ln.startswith("report: "))
    assert len(report) > 80, "the tmp path makes this line longer than a default console"
    assert Path(report.removeprefix("report: ")).is_file(), "a long line is one line, not cut at 80 columns"


def test_cleanse_prints_no_library_warnings(project: Path) -> None:
    res = mdm("cleanse", "shop.csv", "--mapping", "shop.yaml", "--out", "out", cwd=project)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    verbose = mdm("-v", "cleanse", "shop.csv", "--mapping", "shop.yaml", "--out", "out2", cwd=project)
    assert verbose.returncode == 0 and "mdm.resolve" not in verbose.stdout
    assert "matching" in verbose.stderr, "-v shows the log records"
