"""Staging: mapping, validation reason codes, flag-vs-quarantine decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from mdm.config import Dictionary, SourceMapping, load_dictionary
from mdm.errors import InputError
from mdm.ingest.stage import stage_file

TODAY = dt.date(2026, 1, 15)


def stage(tmp_path: Path, text: str, mapping: SourceMapping, dictionary: Dictionary,
          name: str = "s.csv") -> tuple[duckdb.DuckDBPyConnection, object]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    con = duckdb.connect()
    return con, stage_file(con, path, mapping, dictionary, today=TODAY)


def findings(con: duckdb.DuckDBPyConnection) -> set[tuple[int, str]]:
    return {(int(r[0]), str(r[1])) for r in con.execute("SELECT _row, code FROM _findings").fetchall()}


def quarantined(con: duckdb.DuckDBPyConnection) -> dict[object, list[str]]:
    return {(r[0] if r[0] is not None else f"line{r[1]}"): list(r[2]) for r in
            con.execute("SELECT _row, line, reason_codes FROM _quarantine").fetchall()}


def test_invalid_values_are_flagged_not_quarantined(tmp_path: Path, dictionary: Dictionary,
                                                    make_mapping: Callable[..., SourceMapping]) -> None:
    text = ("id,name,mail,dob,upd\n"
            "1,Ann,ann@example.com,1990-01-01,2024-01-01\n"
            "2,Bob,bob@,1990-02-30,2024-01-01\n"          # bad email, impossible date
            "3,Cy,cy@example.com,2027-05-01,2024-01-01\n"  # future birth date, born after the update
            "4,D4vid,d@example.com,1899-12-31,yesterday\n")  # digits in a name, too old, bad updated_at
    con, staged = stage(tmp_path, text, make_mapping(), dictionary)
    assert staged.rows_read == 4 and staged.rows_accepted == 4 and staged.rows_quarantined == 0  # type: ignore[attr-defined]
    assert findings(con) == {
        (2, "email.format"), (2, "birth_date.format"),
        (3, "birth_date.range"), (3, "birth_date.after_updated_at"),
        (4, "first_name.pattern"), (4, "birth_date.range"), (4, "updated_at.format"),
    }
    # seven findings, six values: row 3's birth date fails two rules and counts once
    assert staged.values_flagged == 6  # type: ignore[attr-defined]


def test_unusable_rows_quarantined_with_reasons(tmp_path: Path, dictionary: Dictionary,
                                                make_mapping: Callable[..., SourceMapping]) -> None:
    text = ("id,name,mail,dob,upd\n"
            "1,Ann,a@example.com,,2024-01-01\n"
            ",NoId,n@example.com,,2024-01-01\n"
            "  ,Blank,b@example.com,,2024-01-01\n"
            "2,Old,o@example.com,,2023-01-01\n"
            "2,New,n2@example.com,,2025-01-01\n"
            "3,Too,many,columns,here,x\n")
    con, staged = stage(tmp_path, text, make_mapping(), dictionary)
    q = quarantined(con)
    assert q == {2: ["id.missing"], 3: ["id.missing"], 4: ["id.duplicate"], "line7": ["row.ragged"]}
    assert staged.rows_read == 6 and staged.rows_accepted == 2  # type: ignore[attr-defined]
    kept = con.execute("SELECT first_name FROM _mapped WHERE source_id = '2' AND _row NOT IN "
                       "(SELECT _row FROM _quarantine WHERE _row IS NOT NULL)").fetchall()
    assert kept == [("New",)]  # the most recently updated copy survives


def test_reject_severity_quarantines(tmp_path: Path, make_mapping: Callable[..., SourceMapping]) -> None:
    path = tmp_path / "dict.yaml"
    path.write_text("""attributes:
  first_name: {description: f, tier: critical, decay_rate_monthly: 0, validation: {required: true, severity: reject}}
  email: {description: e, tier: critical, decay_rate_monthly: 0, validation: {format: email}}
  birth_date: {description: b, tier: critical, type: date, decay_rate_monthly: 0,
               validation: {allowed: ["1990-01-01"], severity: reject}}
""", encoding="utf-8")
    d = load_dictionary(path)
    mapping = make_mapping()
    text = "id,name,mail,dob,upd\n1,,x,1990-01-01,\n2,Bo,bo@example.com,1991-01-01,\n3,Cy,cy@example.com,,\n"
    con, staged = stage(tmp_path, text, mapping, d)
    assert quarantined(con) == {1: ["first_name.missing"], 2: ["birth_date.allowed"]}
    assert staged.rows_accepted == 1  # type: ignore[attr-defined]


def test_source_date_formats(tmp_path: Path, dictionary: Dictionary,
                             make_mapping: Callable[..., SourceMapping]) -> None:
    mapping = make_mapping(date_formats=["%d.%m.%Y", "%d/%m/%Y"])
    text = "id,name,mail,dob,upd\n1,A,,31.12.1980,01/02/2020\n2,B,,12/31/1980,\n3,C,,1980-12-31,\n"
    con, _ = stage(tmp_path, text, mapping, dictionary)
    # MM/DD is not one of this source's formats; ISO 8601 is always accepted
    assert findings(con) == {(2, "birth_date.format")}
    upd = con.execute("SELECT updated_at FROM _mapped WHERE _row = 1").fetchone()
    assert upd is not None and upd[0] == dt.datetime(2020, 2, 1)


def test_missing_columns_clear_error(tmp_path: Path, dictionary: Dictionary,
                                     make_mapping: Callable[..., SourceMapping]) -> None:
    path = tmp_path / "m.csv"
    path.write_text("id,nmae,mail,dob,upd\n1,a,b,c,d\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        stage_file(duckdb.connect(), path, make_mapping(), dictionary)
    msg = info.value.message
    assert info.value.code == "input.missing_columns"
    assert "'name' (did you mean 'nmae'?)" in msg and "the file has: id, nmae" in msg


def test_raw_values_kept_verbatim(tmp_path: Path, dictionary: Dictionary,
                                  make_mapping: Callable[..., SourceMapping]) -> None:
    text = 'id,name,mail,dob,upd\n 7 ,"  Ann  ", ANN@Example.COM ,,\n'
    con, _ = stage(tmp_path, text, make_mapping(), dictionary)
    row = con.execute("SELECT source_id, first_name, email, _raw FROM _mapped").fetchone()
    assert row is not None
    assert row[:3] == ("7", "  Ann  ", " ANN@Example.COM ")
    assert '"name":"  Ann  "' in row[3]
