"""End to end: far-off, garbage and mixed-offset dates run through ``mdm run`` (the real CLI,
a real DuckDB hub) to flags, never to a failed run; the customers are kept; the decay audit
and the real-time upsert read the same dates the same way."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mdm.config import load_project
from mdm.roles import Role
from mdm.stewardship.auth import Principal
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.realtime import RealtimeService

MDM = str(Path(sys.executable).parent / "mdm")
MAPPING = """source: reg
trust: 60
id_column: id
updated_at_column: upd
columns:
  first_name: first
  last_name: last
  birth_date: dob
  email: mail
"""
ROWS = [  # id, first, last, birth date, updated at
    ("1", "Ann", "Lee", "1085-09-05", "2024-01-01"),
    ("2", "Bob", "Ray", "9185-10-14", "2024-01-02T10:00:00+05:00"),  # an offset beside naive times
    ("3", "Cy", "Doe", "not a date", "2024-01-03 10:00:00"),
    ("4", "Di", "Fox", "1980-02-03", "9999-12-31"),
    ("5", "Ed", "Go", "1970-01-01", "0001-01-01T00:00:00Z"),
    ("6", "Flo", "Ho", "1990-12-25", "garbage"),
    ("7", "Gus", "Ito", "2021-02-30", "2024-02-30"),
    ("8", "Hal", "Jo", "1960-07-01", "2023-12-31T23:59:59-12:00"),
]


def mdm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MDM, *args], capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dates")
    (folder / "reg.yaml").write_text(MAPPING, encoding="utf-8")
    with (folder / "reg.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "first", "last", "dob", "upd", "mail"])
        out.writerows([*r, f"{r[1].lower()}.{r[2].lower()}@example.com"] for r in ROWS)
    config = folder / "mdm.yaml"
    config.write_text("hub: hub.duckdb\nsources:\n  - {mapping: reg.yaml, path: reg.csv}\n", encoding="utf-8")
    done = mdm("run", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return config


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_bad_dates_are_flags_and_every_customer_is_kept(project: Path) -> None:
    out = project.parent / "flags.csv"
    done = mdm("export", "flags", "--config", str(project), "--out", str(out))
    assert done.returncode == 0, done.stderr
    flags = {(r["source_id"], r["attribute"], r["reason_code"]) for r in _csv(out)}
    assert {("1", "birth_date", "birth_date.range"), ("1", "birth_date", "date.implausible"),
            ("2", "birth_date", "birth_date.range"), ("2", "birth_date", "date.future"),
            ("3", "birth_date", "birth_date.format"), ("3", "birth_date", "date.unparseable"),
            ("4", "updated_at", "updated_at.range"), ("5", "updated_at", "updated_at.range"),
            ("6", "updated_at", "updated_at.format"),
            ("7", "birth_date", "birth_date.format"), ("7", "birth_date", "date.impossible"),
            ("7", "updated_at", "updated_at.format")} <= flags
    assert not {f for f in flags if f[0] in ("6", "8") and f[1] == "birth_date"}
    # a birth date is never blamed for an update time that cannot be true
    assert ("4", "birth_date", "birth_date.after_updated_at") not in flags
    xref = project.parent / "xref.csv"
    assert mdm("export", "xref", "--config", str(project), "--out", str(xref)).returncode == 0
    assert sorted(r["source_id"] for r in _csv(xref)) == [r[0] for r in ROWS]


def test_the_hub_keeps_only_usable_dates(project: Path) -> None:
    con = duckdb.connect(str(project.parent / "hub.duckdb"), read_only=True)
    try:
        upd = dict(con.execute("SELECT source_id, updated_at FROM record").fetchall())
        std = dict(con.execute("SELECT source_id, birth_date FROM record_std").fetchall())
        raw = dict(con.execute("SELECT source_id, birth_date FROM record").fetchall())
    finally:
        con.close()
    assert upd == {"1": dt.datetime(2024, 1, 1), "2": dt.datetime(2024, 1, 2, 5, 0), "3": dt.datetime(2024, 1, 3, 10),
                   "4": None, "5": None, "6": None, "7": None, "8": dt.datetime(2024, 1, 1, 11, 59, 59)}
    assert std == {"1": None, "2": None, "3": None, "4": "1980-02-03", "5": "1970-01-01", "6": "1990-12-25",
                   "7": None, "8": "1960-07-01"}
    assert raw["1"] == "1085-09-05" and raw["3"] == "not a date"  # raw values kept beside the flags


def test_the_decay_audit_runs_over_them(project: Path) -> None:
    out = project.parent / "worklist.csv"
    done = mdm("audit", "decay", "--config", str(project), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    from mdm.audit.decay import decay_audit
    from mdm.hub import open_hub, transaction

    proj = load_project(project)
    with open_hub(proj.hub, proj.dictionary.names) as hub, transaction(hub.con):
        audit = decay_audit(hub.con, proj.dictionary, as_of=dt.date.today())
        span = hub.con.execute("SELECT min(last_asserted), max(last_asserted) FROM _decay").fetchone()
    assert span is not None
    oldest, newest = span
    assert audit.summary["values"] > 0
    # year 0001 and 9999 update times are not when a value was last asserted
    assert dt.datetime(2000, 1, 1) < oldest <= newest <= dt.datetime.now() + dt.timedelta(days=1)


def test_the_realtime_upsert_flags_them_too(project: Path) -> None:
    proj = load_project(project)
    access = HubAccess.open(proj.hub, proj.dictionary.names)
    try:
        service = RealtimeService(access, proj)
        by = Principal(key_id=1, name="test", role=Role("system"), prefix="mdm_test")
        far = dt.datetime(9185, 10, 14, tzinfo=dt.UTC)
        out = service.upsert(by, "reg", "RT-1", {"first_name": "Ivy", "last_name": "Kerr", "birth_date": "1085-09-05",
                                                 "email": "ivy@example"}, far)
        assert out["golden_id"] and out["action"] == "created"
        east = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))  # before year 1 in UTC
        again = service.upsert(by, "reg", "RT-2", {"first_name": "Jo", "birth_date": "9185-10-14"}, east)
        assert again["golden_id"]
        with access.cursor() as cur:
            flags = {tuple(r) for r in cur.execute(
                "SELECT source_id, attribute, reason_code FROM record_flag WHERE source_id LIKE 'RT-%'").fetchall()}
            stored = cur.execute("SELECT updated_at, birth_date FROM record WHERE source_id = 'RT-1'").fetchone()
            std = cur.execute("SELECT birth_date, birth_date__reason FROM record_std WHERE source_id = 'RT-1'"
                              ).fetchone()
    finally:
        access.close()
    assert {("RT-1", "birth_date", "birth_date.range"), ("RT-1", "birth_date", "date.implausible"),
            ("RT-1", "updated_at", "updated_at.range"), ("RT-1", "email", "email.format"),
            ("RT-2", "birth_date", "birth_date.range"), ("RT-2", "birth_date", "date.future"),
            ("RT-2", "updated_at", "updated_at.range")} <= flags
    assert stored == (None, "1085-09-05")  # the implausible update time is not kept; the raw value is
    assert std == (None, "date.implausible")  # as batch: a flagged value is not matched on
