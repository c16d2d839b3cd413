"""The whole run, ingest to golden records: idempotent re-runs, steward decisions that
survive re-runs, a run killed (SIGKILL) anywhere leaving the hub as it was, and exports."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from mdm import pipeline
from mdm.config import BUNDLED_ROOT, load_project
from mdm.demo.generator import generate


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, n_records=500, seed=7)
    return out


def write_project(folder: Path, sample: Path, sources: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["hub: hub.duckdb", "sources:"]
    for name in sources:
        data = next(p for p in sample.iterdir() if p.stem == name)
        shutil.copyfile(data, folder / data.name)
        shutil.copyfile(BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml", folder / f"{name}.yaml")
        lines += [f"  - mapping: {name}.yaml", f"    path: {data.name}"]
    (folder / "mdm.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "mdm.yaml"


def hub_state(hub: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, sorted: two equal states mean an identical hub."""
    con = duckdb.connect(str(hub))
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").fetchall()]
        return {t: sorted(map(tuple, con.execute(f'SELECT * FROM "{t}"').fetchall()), key=repr) for t in tables}
    finally:
        con.close()


def events(hub: Path) -> int:
    con = duckdb.connect(str(hub), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM golden_event").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def test_run_to_golden_records_then_rerun_changes_nothing(tmp_path: Path, sample: Path) -> None:
    config = write_project(tmp_path, sample, ("crm", "erp", "web", "legacy"))
    first = pipeline.run(load_project(config))
    golden = first.extra["golden"]
    assert golden["created"] == golden["golden_active"] > 0
    hub = tmp_path / "hub.duckdb"
    con = duckdb.connect(str(hub), read_only=True)
    records, members, xref = con.execute(
        """SELECT (SELECT count(*) FROM record), (SELECT sum(member_count) FROM golden WHERE status = 'active'),
                  (SELECT count(*) FROM xref WHERE valid_to IS NULL)""").fetchone() or (0, 0, 0)
    con.close()
    assert records == members == xref   # every accepted source record belongs to exactly one golden record
    assert first.report is not None
    html = first.report.read_text(encoding="utf-8")
    assert "Entity resolution" in html and f"{golden['golden_active']:,}" in html
    before = hub_state(hub)
    pipeline.run(load_project(config))
    after = hub_state(hub)
    for table in ("golden", "golden_version", "golden_attribute", "xref", "golden_event", "cluster_member"):
        assert after[table] == before[table], table


def test_steward_decisions_survive_a_rerun_on_grown_data(tmp_path: Path, sample: Path) -> None:
    config = write_project(tmp_path, sample, ("crm", "erp"))
    pipeline.run(load_project(config))
    hub = tmp_path / "hub.duckdb"
    con = duckdb.connect(str(hub))
    pair = con.execute("""SELECT list(unique_id ORDER BY unique_id)[1:2] FROM cluster_member
                          GROUP BY cluster_id HAVING count(*) >= 2 ORDER BY cluster_id LIMIT 1""").fetchone()
    assert pair is not None
    left, right = pair[0]
    single = con.execute("""SELECT c.unique_id, x.golden_id FROM cluster_member c
                            JOIN xref x ON x.source || ':' || x.source_id = c.unique_id AND x.valid_to IS NULL
                            WHERE c.cluster_id NOT IN (SELECT cluster_id FROM cluster_member WHERE unique_id IN (?, ?))
                            ORDER BY c.unique_id LIMIT 1""", [left, right]).fetchone()
    assert single is not None
    con.execute("INSERT INTO cannot_link VALUES (?, ?, now(), 'steward', 'different people', NULL)", [left, right])
    con.execute("INSERT INTO must_link VALUES (?, ?, now(), 'steward', 'same person', NULL)", [left, single[0]])
    con.execute("""INSERT INTO attribute_override VALUES (1, ?, 'job_title', 'Chief Steward', 'verified by phone',
                   'steward', now(), true)""", [single[1]])
    con.close()
    grown = write_project(tmp_path, sample, ("crm", "erp", "web", "legacy"))
    pipeline.run(load_project(grown))
    con = duckdb.connect(str(hub), read_only=True)
    cluster = dict(con.execute("SELECT unique_id, cluster_id FROM cluster_member").fetchall())
    assert cluster[left] != cluster[right]            # cannot-link honoured
    assert cluster[left] == cluster[single[0]]        # must-link honoured
    gid = con.execute("SELECT golden_id FROM xref WHERE source || ':' || source_id = ? AND valid_to IS NULL",
                      [single[0]]).fetchone()
    assert gid is not None
    value = con.execute("SELECT value, rule FROM golden_attribute WHERE golden_id = ? AND attribute = 'job_title'",
                        [gid[0]]).fetchone()
    assert value == ("Chief Steward", "steward_override")
    con.close()


def run_cli(config: Path, crash_at: str | None = None, kill_after: float | None = None) -> int:
    env = {**os.environ, "MDM_CRASH_AT": crash_at or ""}
    proc = subprocess.Popen([sys.executable, "-m", "mdm", "run", "--config", str(config)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=300)
    return proc.returncode


@pytest.mark.slow
def test_a_run_killed_anywhere_leaves_the_hub_as_it_was(tmp_path: Path, sample: Path) -> None:
    config = write_project(tmp_path, sample, ("crm", "erp"))
    assert run_cli(config) == 0
    hub = tmp_path / "hub.duckdb"
    before = hub_state(hub)
    assert before["golden"]
    grown = write_project(tmp_path, sample, ("crm", "erp", "web", "legacy"))
    for point in ("ingested", "resolved", "golden", "recorded"):
        assert run_cli(grown, crash_at=point) == -signal.SIGKILL, point
        assert hub_state(hub) == before, f"killed at {point}: the hub changed"
    assert run_cli(grown, kill_after=4.0) in (-signal.SIGKILL, 0)
    if hub_state(hub) != before:   # only acceptable if the run had already committed in full
        assert events(hub) > len(before["golden_event"])
    assert run_cli(grown) == 0
    after = hub_state(hub)
    assert len(after["record"]) > len(before["record"]) and len(after["golden_event"]) > len(before["golden_event"])


@pytest.fixture(scope="module")
def demo_hub(tmp_path_factory: pytest.TempPathFactory, sample: Path) -> Path:
    config = write_project(tmp_path_factory.mktemp("export"), sample, ("crm", "erp", "web", "legacy"))
    pipeline.run(load_project(config))
    return config


def export(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mdm", "export", *args, "--config", str(config)],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_export_golden_and_xref_in_every_format(demo_hub: Path, fmt: str, dictionary: object) -> None:
    from mdm.config import load_dictionary

    names = load_dictionary().names
    folder = demo_hub.parent
    for kind, first in (("golden", ["golden_id", *names]), ("xref", ["source", "source_id", "golden_id"])):
        out = folder / f"{kind}.{fmt}"
        res = export(demo_hub, kind, "--out", str(out))
        assert res.returncode == 0, res.stderr
        if fmt == "csv":
            with out.open(encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            header, n = rows[0], len(rows) - 1
        elif fmt == "parquet":
            table = pq.read_table(out)
            header, n = table.column_names, table.num_rows
        else:
            lines = out.read_text(encoding="utf-8").splitlines()
            header, n = list(json.loads(lines[0])), len(lines)
        assert header[:len(first)] == first
        con = duckdb.connect(str(folder / "hub.duckdb"), read_only=True)
        expected = con.execute("SELECT count(*) FROM golden WHERE status = 'active'" if kind == "golden" else
                               "SELECT count(*) FROM xref WHERE valid_to IS NULL").fetchone()
        con.close()
        assert expected is not None and n == expected[0]


def test_export_csv_is_safe_to_open_in_a_spreadsheet(demo_hub: Path) -> None:
    hub = demo_hub.parent / "hub.duckdb"
    con = duckdb.connect(str(hub))
    gid = con.execute("SELECT golden_id FROM golden WHERE status = 'active' ORDER BY golden_id LIMIT 1").fetchone()
    assert gid is not None
    con.execute("""UPDATE golden SET record = json_merge_patch(record, '{"company_name": "=HYPERLINK(\\"x\\")",
                   "job_title": "@SUM(A1)"}') WHERE golden_id = ?""", [gid[0]])
    con.close()
    out = demo_hub.parent / "safe.csv"
    assert export(demo_hub, "golden", "--out", str(out), "--format", "csv").returncode == 0
    with out.open(encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["golden_id"] == gid[0])
    assert row["company_name"] == "'=HYPERLINK(\"x\")" and row["job_title"] == "'@SUM(A1)"
    # golden_id is a key (never quoted); a signed number such as an E.164 phone is not a formula
    assert not any(v.startswith(("=", "+", "-", "@")) and not re.fullmatch(r"[+-][0-9 ().-]*", v)
                   for r in csv.reader(out.open(encoding="utf-8")) for v in r)


def test_export_tasks_and_quarantine_and_bad_arguments(demo_hub: Path) -> None:
    folder = demo_hub.parent
    for kind in ("tasks", "quarantine"):
        res = export(demo_hub, kind, "--out", str(folder / f"{kind}.jsonl"))
        assert res.returncode == 0, res.stderr
    rows = [json.loads(x) for x in (folder / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows and all(r["reason_codes"] and r["source"] for r in rows)
    bad = export(demo_hub, "everything", "--out", str(folder / "x.csv"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "golden, xref" in bad.stderr
    bad = export(demo_hub, "golden", "--out", str(folder / "x.csv"), "--format", "xml")
    assert bad.returncode == 2 and "xml" in bad.stderr and not (folder / "x.csv").exists()
