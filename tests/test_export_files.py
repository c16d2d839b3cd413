"""Machine files keep every value exact; human files neutralise formulas but never keys.

A hub built by the real pipeline from a source whose ids look like formulas or signed
numbers (``=1+1``, ``@x``, ``+14155550100``, ``-2``): the xref export and the CRM upsert
and merge files give those ids (and E.164 phones) back byte-equal, in csv, jsonl and
parquet; the human files (golden, tasks, worklists) quote a ``=HYPERLINK(...)`` value but
neither the ids beside it nor a phone.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from mdm import pipeline
from mdm.config import Project, load_project
from mdm.export import READERS, export, is_key, write_query
from mdm.hub import open_hub, transaction
from mdm.pipeline.scoped import rebuild_for
from mdm.publish import publish_files
from mdm.roles import Role
from mdm.stewardship.auth import Principal
from mdm.stewardship.golden import merge
from mdm.survivorship import resolve_golden_id

IDS = ["=1+1", "@x", "+14155550100", "-2", "-1-1", "+SUM(A1)"]
HYPERLINK = '=HYPERLINK("http://evil.example/","click")'
MAPPING = """source: crm
trust: 80
id_column: id
columns:
  first_name: first
  last_name: last
  email: mail
  phone: phone
  job_title: title
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("formula-ids")
    rows = [  # the first two are one person: a steward merges them, so the CRM gets a merge row
        ("=1+1", "Ann", "Lee", "ann.lee@acme.io", "+14155550100", HYPERLINK),
        ("-2", "Ann", "Lee", "ann.lee@acme.io", "+14155550100", "Engineer"),
        ("@x", "Bob", "Stone", "bob.stone@acme.io", "+14155550111", "-2+3*cmd"),
        ("+14155550100", "Cleo", "Marsh", "cleo@acme.io", "+14155550122", "Nurse"),
        ("-1-1", "Dan", "Wu", "dan.wu@acme.io", "+14155550133", "Chef"),
        ("+SUM(A1)", "Eve", "Ng", "eve.ng@acme.io", "+14155550144", "Pilot"),
    ]
    with (folder / "crm.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "first", "last", "mail", "phone", "title"])
        w.writerows(rows)
    (folder / "crm.yaml").write_text(MAPPING, encoding="utf-8")
    (folder / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: crm.yaml, path: crm.csv}\n",
                                     encoding="utf-8")
    project = load_project(folder / "mdm.yaml")
    pipeline.run(project)
    steward = Principal(key_id=1, name="steward", role=Role.steward, prefix="test")
    with open_hub(project.hub) as hub, transaction(hub.con):
        pair = dict(hub.con.execute("SELECT source_id, golden_id FROM xref WHERE source_id IN ('=1+1', '-2') "
                                    "AND valid_to IS NULL").fetchall())
        ids = [resolve_golden_id(hub.con, pair[i]) for i in ("=1+1", "-2")]
        if ids[0] != ids[1]:   # a run on six records may not have merged them itself
            [(version,)] = hub.con.execute("SELECT version FROM golden WHERE golden_id = ?", [ids[0]]).fetchall()
            merge(hub.con, ids[0], ids[1], version=int(version), reason="same person", by=steward,
                  rebuild=rebuild_for(project))
    return project


def read(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    con = duckdb.connect()
    try:
        cur = con.execute(f"SELECT * FROM '{path}'")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def test_every_export_kind_is_a_machine_or_a_human_file() -> None:
    assert READERS == {"golden": "human", "xref": "machine", "quarantine": "human", "tasks": "human",
                       "flags": "human"}
    assert all(is_key(c) for c in ("source", "source_id", "golden_id", "unique_id_l", "losing_id", "task_id"))
    assert not any(is_key(c) for c in ("value", "raw_row", "reason", "phone", "sources"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_machine_files_give_ids_and_phones_back_byte_equal(project: Project, tmp_path: Path, fmt: str) -> None:
    with open_hub(project.hub) as hub:
        export(hub.con, "xref", tmp_path / f"xref.{fmt}", project.dictionary)
        export(hub.con, "golden", tmp_path / f"golden.{fmt}", project.dictionary)
        with transaction(hub.con):
            published = publish_files(hub.con, project, "crm", tmp_path / "crm", fmt=fmt, full=True)
        golden_of = dict(hub.con.execute("SELECT source_id, golden_id FROM xref WHERE valid_to IS NULL").fetchall())
    assert sorted(golden_of) == sorted(IDS)
    xref = read(tmp_path / f"xref.{fmt}")
    assert sorted(r["source_id"] for r in xref) == sorted(IDS)             # each id exactly, no leading '
    assert all(golden_of[r["source_id"]] == r["golden_id"] for r in xref)
    golden = read(tmp_path / f"golden.{fmt}")                               # human in csv, exact in the others
    phones = {r["phone"] for r in golden}
    assert "+14155550100" in phones and not any(p.startswith("'") for p in phones)
    assert {r["golden_id"] for r in golden} == set(golden_of.values())
    titles = {r["job_title"] for r in golden}
    assert ("'-2+3*cmd" if fmt == "csv" else "-2+3*cmd") in titles
    upsert = read(published.files["upsert"])
    assert sorted(r["id"] for r in upsert) == sorted(IDS)                   # the CRM's own ids, usable as keys
    assert {r["phone"] for r in upsert} >= {"+14155550100", "+14155550111"}
    merges = read(published.files["merge"])
    assert [(m["losing_id"], m["surviving_id"]) for m in merges] in ([("-2", "=1+1")], [("=1+1", "-2")])


def test_human_files_neutralise_formulas_but_never_keys(project: Project, tmp_path: Path) -> None:
    with open_hub(project.hub) as hub:
        golden_id = hub.con.execute("SELECT golden_id FROM xref WHERE source_id = '=1+1'").fetchone()
        assert golden_id is not None
        hub.con.execute("CREATE TEMP TABLE worklist AS SELECT ? AS golden_id, 'crm' AS source, '=1+1' AS source_id, "
                        "'job_title' AS attribute, ? AS value, '+14155550100' AS phone, '-2+3*cmd' AS note",
                        [golden_id[0], HYPERLINK])
        write_query(hub.con, "SELECT * FROM worklist", tmp_path / "worklist.csv", "csv")
        write_query(hub.con, "SELECT * FROM worklist", tmp_path / "exact.csv", "csv", reader="machine")
        write_query(hub.con, "SELECT * FROM worklist", tmp_path / "worklist.jsonl", "jsonl")
    [row] = read(tmp_path / "worklist.csv")
    assert row["value"] == "'" + HYPERLINK and row["note"] == "'-2+3*cmd"   # formulas: quoted
    assert row["phone"] == "+14155550100"                                  # a signed number is not a formula
    assert row["source_id"] == "=1+1" and row["golden_id"] == golden_id[0]  # keys: never changed
    [exact] = read(tmp_path / "exact.csv")
    [typed] = read(tmp_path / "worklist.jsonl")
    assert exact["value"] == typed["value"] == HYPERLINK


def test_the_tasks_export_quotes_a_formula_reason_but_not_the_records(project: Project, tmp_path: Path) -> None:
    with open_hub(project.hub) as hub, transaction(hub.con):
        hub.con.execute("""INSERT INTO review_task (task_id, status, created_at, unique_id_l, unique_id_r, version,
                                                    reason)
                           VALUES (nextval('task_id_seq'), 'open', now(), 'crm:=1+1', 'crm:@x', 1, ?)""",
                        [HYPERLINK])
        export(hub.con, "tasks", tmp_path / "tasks.csv", project.dictionary)
    row = next(r for r in read(tmp_path / "tasks.csv") if r["unique_id_l"] == "crm:=1+1")
    assert row["unique_id_r"] == "crm:@x" and row["reason"] == "'" + HYPERLINK
