"""Batches in the hub: upserts, flags, quarantine, sha256 no-op, all-or-nothing writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from mdm.config import Dictionary, SourceMapping
from mdm.hub import open_hub
from mdm.ingest import batch as batch_mod
from mdm.ingest.batch import ingest_file

TODAY = dt.date(2026, 1, 15)
TEXT = ("id,name,mail,dob,upd\n"
        "1,Ann,ann@example.com,1990-01-01,2024-01-01\n"
        "2,Bob,bob@,1990-02-30,2024-01-01\n"
        ",NoId,n@example.com,,\n")


def counts(con: object) -> tuple[int, ...]:
    q = ("SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM record), (SELECT count(*) FROM record_flag),"
         " (SELECT count(*) FROM quarantine), (SELECT count(*) FROM scorecard), (SELECT count(*) FROM profile)")
    row = con.execute(q).fetchone()  # type: ignore[attr-defined]
    return tuple(int(x) for x in row)


def test_ingest_then_same_file_is_noop(tmp_path: Path, dictionary: Dictionary,
                                       make_mapping: Callable[..., SourceMapping]) -> None:
    path = tmp_path / "s.csv"
    path.write_text(TEXT, encoding="utf-8")
    mapping = make_mapping()
    with open_hub(tmp_path / "hub.duckdb", dictionary.names) as hub:
        first = ingest_file(hub.con, path, mapping, dictionary, today=TODAY)
        assert (first.status, first.rows_read, first.rows_accepted, first.rows_quarantined) == ("loaded", 3, 2, 1)
        assert first.values_flagged == 2
        batch = hub.con.execute("SELECT rows_read, rows_accepted, rows_quarantined, status, encoding, sha256 "
                                "FROM batch").fetchone()
        assert batch is not None and batch[:5] == (3, 2, 1, "loaded", "utf-8") and len(batch[5]) == 64
        assert hub.con.execute("SELECT source_id, first_name, email FROM record ORDER BY source_id").fetchall() == [
            ("1", "Ann", "ann@example.com"), ("2", "Bob", "bob@")]  # the bad email is kept raw, flagged
        assert sorted(hub.con.execute("SELECT source_id, reason_code FROM record_flag").fetchall()) == [
            ("2", "birth_date.format"), ("2", "email.format")]
        before = counts(hub.con)
        again = ingest_file(hub.con, path, mapping, dictionary, today=TODAY)
        assert again.status == "unchanged" and "already loaded" in again.message
        assert counts(hub.con) == before


def test_new_file_upserts_records(tmp_path: Path, dictionary: Dictionary,
                                  make_mapping: Callable[..., SourceMapping]) -> None:
    mapping = make_mapping()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text("id,name,mail,dob,upd\n2,Robert,bob@example.com,1990-02-28,2025-01-01\n3,Cy,,,\n", encoding="utf-8")
    with open_hub(tmp_path / "hub.duckdb", dictionary.names) as hub:
        ingest_file(hub.con, a, mapping, dictionary, today=TODAY)
        ingest_file(hub.con, b, mapping, dictionary, today=TODAY)
        rows = hub.con.execute("SELECT source_id, first_name, batch_id FROM record ORDER BY source_id").fetchall()
        assert rows == [("1", "Ann", 1), ("2", "Robert", 2), ("3", "Cy", 2)]
        # the corrected record no longer carries the old batch's flags
        assert hub.con.execute("SELECT count(*) FROM record_flag WHERE source_id = '2'").fetchone() == (0,)


def test_failure_midway_leaves_nothing(tmp_path: Path, dictionary: Dictionary,
                                       make_mapping: Callable[..., SourceMapping],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.csv"
    path.write_text(TEXT, encoding="utf-8")

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(batch_mod, "_write_scorecard", explode)  # after records/flags/quarantine were written
    with open_hub(tmp_path / "hub.duckdb", dictionary.names) as hub:
        with pytest.raises(OSError, match="disk full"):
            ingest_file(hub.con, path, make_mapping(), dictionary, today=TODAY)
        assert counts(hub.con) == (0, 0, 0, 0, 0, 0)


def test_scorecard_stored_per_batch(tmp_path: Path, dictionary: Dictionary,
                                    make_mapping: Callable[..., SourceMapping]) -> None:
    path = tmp_path / "s.csv"
    path.write_text(TEXT, encoding="utf-8")
    with open_hub(tmp_path / "hub.duckdb", dictionary.names) as hub:
        ingest_file(hub.con, path, make_mapping(), dictionary, today=TODAY)
        rows = hub.con.execute("SELECT attribute, tier, completeness, validity FROM scorecard ORDER BY attribute"
                               ).fetchall()
        by = {r[0]: r for r in rows}
        assert set(by) == {"first_name", "email", "birth_date"}
        assert by["email"][1] == "critical"
        assert by["email"][3] == pytest.approx(2 / 3)  # one bad email out of three present
