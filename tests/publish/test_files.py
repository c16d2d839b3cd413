"""Publishing to a CRM: upsert and merge files that, applied to the CRM's own export,
leave it without duplicates and holding the golden values; later publishes send only
what changed."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mdm import pipeline
from mdm.config import Project, load_project
from mdm.hub import open_hub, transaction
from mdm.publish import publish_files
from mdm.survivorship import build_golden, load_survivorship_rules
from tests.test_golden_pipeline import write_project

TRUTH: list[Path] = []


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    from mdm.demo.generator import generate

    sample = tmp_path_factory.mktemp("sample")
    generate(sample, n_records=600, seed=11)
    TRUTH.append(sample / "truth.csv")
    config = write_project(tmp_path_factory.mktemp("publish"), sample, ("crm", "erp", "web", "legacy"))
    project = load_project(config)
    pipeline.run(project)
    return project


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_applying_upsert_and_merge_files_dedupes_the_crm(project: Project, tmp_path: Path) -> None:
    with open_hub(project.hub) as hub, transaction(hub.con):
        result = publish_files(hub.con, project, "crm", tmp_path / "out", full=True)
    mapping, crm_path = project.source("crm")
    crm = {r[mapping.id_column]: r for r in read_csv(crm_path)}
    upserts, merges = read_csv(result.files["upsert"]), read_csv(result.files["merge"])
    assert result.upserts == len(upserts) > 0 and result.merges == len(merges) > 0
    # apply: golden values into the CRM's own columns, then merge the duplicates away
    for row in upserts:
        target = crm[row[mapping.id_column]]
        for column in mapping.columns.values():
            if row[column]:
                target[column] = row[column]
    for row in merges:
        assert row["surviving_id"] in crm and row["losing_id"] != row["surviving_id"]
        del crm[row["losing_id"]]
    con = duckdb.connect(str(project.hub), read_only=True)
    golden_of = dict(con.execute("SELECT source_id, golden_id FROM xref WHERE source = 'crm' AND valid_to IS NULL")
                     .fetchall())
    records = {g: r for g, r in con.execute("SELECT golden_id, record FROM golden").fetchall()}
    con.close()
    owners = [golden_of[i] for i in crm if i in golden_of]
    assert len(owners) == len(set(owners))          # one CRM record per golden record: no duplicates left
    import json
    for source_id, row in crm.items():
        if source_id not in golden_of:
            continue                                 # quarantined in the hub: the CRM keeps it as it was
        golden = json.loads(records[golden_of[source_id]])
        for attr, column in mapping.columns.items():
            if golden.get(attr) is not None:
                assert row[column] == golden[attr], (source_id, attr)
    # against the generator's truth: most true duplicates inside the CRM are gone
    truth = {r["source_id"]: r["entity_id"] for r in read_csv(TRUTH[-1]) if r["source"] == "crm"}
    def dupes(ids: list[str]) -> int:
        entities = [truth[i] for i in ids if i in truth]
        return len(entities) - len(set(entities))
    before = dupes(list(golden_of))
    assert before > 0 and dupes(list(crm)) <= before * 0.2


def test_a_later_publish_sends_only_what_changed(project: Project, tmp_path: Path) -> None:
    with open_hub(project.hub) as hub:
        con = hub.con
        with transaction(con):
            publish_files(con, project, "crm", tmp_path / "a", full=True)
        with transaction(con):
            nothing = publish_files(con, project, "crm", tmp_path / "b")
        assert nothing.upserts == 0 and nothing.merges == 0 and not nothing.full
        row = con.execute("""SELECT golden_id, count(*) FROM xref WHERE source = 'crm' AND valid_to IS NULL
                             GROUP BY golden_id ORDER BY golden_id LIMIT 1""").fetchone()
        assert row is not None
        gid, crm_members = row
        with transaction(con):
            con.execute("""INSERT INTO attribute_override VALUES (99, ?, 'job_title', 'Head of Data', 'phoned',
                           'steward', now(), true)""", [gid])
            build_golden(con, project.dictionary, load_survivorship_rules(), {m.source: m.trust for m, _ in
                                                                           project.sources},
                         now=dt.datetime.now())
        with transaction(con):
            changed = publish_files(con, project, "crm", tmp_path / "c", fmt="jsonl")
    assert changed.upserts == crm_members
    text = changed.files["upsert"].read_text(encoding="utf-8")
    assert "Head of Data" in text and gid in text


def test_publish_cli_errors_are_one_line(project: Project, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mdm", "publish", *args, "--config", str(project.path)],
                              capture_output=True, text=True, timeout=120, check=False)

    bad = cli("--target", "crmm", "--out", str(tmp_path))
    assert bad.returncode == 2 and "did you mean 'crm'" in bad.stderr and bad.stderr.count("\n") == 1
    bad = cli("--target", "crm", "--out", str(tmp_path), "--format", "xlsx")
    assert bad.returncode == 2 and "xlsx" in bad.stderr
    ok = cli("--target", "erp", "--out", str(tmp_path / "erp"), "--format", "parquet")
    assert ok.returncode == 0, ok.stderr
    assert "record updates" in ok.stdout and len(list((tmp_path / "erp").glob("*.parquet"))) == 2


def test_machine_files_keep_every_cell_and_human_files_quote_only_formulas(tmp_path: Path) -> None:
    from mdm.export import write_query

    con = duckdb.connect()
    cells = ["+15125550100", "-12.5", "=1+1", "+SUM(A1)", "-2+3*cmd", "@x", "plain"]
    con.execute("CREATE TABLE t AS SELECT unnest(?) AS cell", [cells])
    write_query(con, "SELECT * FROM t", tmp_path / "import.csv", "csv", reader="machine")
    write_query(con, "SELECT * FROM t", tmp_path / "report.csv", "csv", reader="human")
    assert [r["cell"] for r in read_csv(tmp_path / "import.csv")] == cells
    assert [r["cell"] for r in read_csv(tmp_path / "report.csv")] == [
        "+15125550100", "-12.5", "'=1+1", "'+SUM(A1)", "'-2+3*cmd", "'@x", "plain"]
