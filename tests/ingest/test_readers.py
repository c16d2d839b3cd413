"""Readers: each format and encoding, delimiter sniffing, structurally broken rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mdm.errors import InputError
from mdm.ingest.readers import detect_encoding, read_source

ROWS = [["1", "王小明", "Zoë Müller", "Straße 1"], ["2", "陳大文", "José Nuñez", "Calle Ñ"]]


def rows_of(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("SELECT * EXCLUDE (_row) FROM _src ORDER BY _row").fetchall()


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
])
def test_cjk_encodings_detected_and_decoded(tmp_path: Path, con: duckdb.DuckDBPyConnection, encoding: str,
                                            expected: str) -> None:
    path = tmp_path / "f.csv"
    rows = ROWS if encoding != "gbk" else [["1", "王小明", "Zhang Wei", "北京路 1号"], ["2", "陳大文", "Li Na", "上海"]]
    text = "id,cn,latin,street\n" + "\n".join(",".join(r) for r in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    assert detect_encoding(path) == expected
    result = read_source(con, path)
    assert result.encoding == expected
    assert result.columns == ["id", "cn", "latin", "street"]
    assert rows_of(con) == [tuple(r) for r in rows]


def test_big5_detected(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("id,name,city\n1,王小明,台北市\n2,陳大文,高雄市\n3,林美玲,臺中市\n".encode("big5"))
    result = read_source(con, path)
    assert result.encoding == "big5"
    assert rows_of(con)[2] == ("3", "林美玲", "臺中市")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_single_byte(tmp_path: Path, con: duckdb.DuckDBPyConnection, encoding: str) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes("id,name\n1,Zoë Müller\n2,François Gérard\n3,Søren Ærø\n".encode(encoding))
    result = read_source(con, path)
    assert result.encoding in {"cp1252", "latin-1"}
    assert rows_of(con) == [("1", "Zoë Müller"), ("2", "François Gérard"), ("3", "Søren Ærø")]


def test_explicit_wrong_encoding_is_clear_error(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes("id,name\n1,王小明\n".encode("gb18030"))
    with pytest.raises(InputError, match=r"not valid utf-8.* set 'encoding:'"):
        read_source(con, path, encoding="utf-8")


@pytest.mark.parametrize(("delim", "ext"), [(",", ".csv"), (";", ".csv"), ("\t", ".tsv"), ("|", ".txt"),
                                            ("\t", ".txt")])
def test_delimiter_sniffed(tmp_path: Path, con: duckdb.DuckDBPyConnection, delim: str, ext: str) -> None:
    path = tmp_path / f"d{ext}"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delim)
        writer.writerows([["id", "name", "note"], ["1", "Ann", "a, b; c|d\te"]])
    result = read_source(con, path)
    assert result.delimiter == delim
    assert rows_of(con) == [("1", "Ann", "a, b; c|d\te")]


def test_quoted_newlines_and_ragged_rows_reported(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "r.csv"
    path.write_text('id,name,city\n1,"Smith, John","New\nYork"\n2,Ann\n3,Bob,LA,extra\n4,Eve,"SF"\n',
                    encoding="utf-8")
    result = read_source(con, path)
    assert rows_of(con) == [("1", "Smith, John", "New\nYork"), ("4", "Eve", "SF")]
    assert [(r.code, r.raw) for r in result.rejects] == [("row.ragged", "2,Ann"), ("row.ragged", "3,Bob,LA,extra")]
    assert result.rows_read == 4


def test_unterminated_quote_is_rejected_with_raw_text(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "q.csv"
    path.write_text('id,name\n1,a\n2,"q"z\n3,c\n', encoding="utf-8")
    result = read_source(con, path)
    assert ("1", "a") in rows_of(con) and ("3", "c") in rows_of(con)
    assert [r.code for r in result.rejects] == ["row.unterminated_quote"]
    assert '2,"q"z' in result.rejects[0].raw


def test_duplicate_and_blank_headers_made_unique(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,name,name,\n1,a,b,c\n", encoding="utf-8")
    assert read_source(con, path).columns == ["id", "name", "name_2", "column_4"]


def test_jsonl_objects_and_bad_lines(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "w.jsonl"
    lines = [json.dumps({"id": 1, "name": "Ann", "tags": ["a"]}), "", "{broken", "[1, 2]",
             json.dumps({"id": "2", "email": "B@X.COM", "name": None}, ensure_ascii=False),
             json.dumps({"id": 3, "name": "王"}, ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_source(con, path)
    assert result.columns == ["id", "name", "tags", "email"]
    assert rows_of(con) == [("1", "Ann", '["a"]', None), ("2", None, None, "B@X.COM"), ("3", "王", None, None)]
    assert [(r.line, r.code) for r in result.rejects] == [(3, "row.invalid_json"), (4, "row.invalid_json")]


def test_parquet(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "p.parquet"
    pd.DataFrame({"id": [1, 2], "dob": pd.to_datetime(["1990-01-02", "1985-12-31"]).date,
                  "name": ["Ann", None]}).to_parquet(path)
    result = read_source(con, path)
    assert result.format == "parquet"
    assert rows_of(con) == [("1", "1990-01-02", "Ann"), ("2", "1985-12-31", None)]


def test_xlsx(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "dob"])
    ws.append([1, "Ann", "1990-01-02"])
    ws.append([None, None, None])
    ws.append([2, "王小明", 42.0])
    ws.append([3, "Bob", None, "stray"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    result = read_source(con, path)
    assert rows_of(con) == [("1", "Ann", "1990-01-02"), ("2", "王小明", "42")]
    assert [r.code for r in result.rejects] == ["row.ragged"]


@pytest.mark.parametrize(("name", "content", "code"), [
    ("x.doc", b"hello", "input.unsupported_format"),
    ("e.csv", b"", "input.no_header"),
    ("bad.parquet", b"not parquet", "input.malformed"),
    ("bad.xlsx", b"not a zip", "input.malformed"),
])
def test_bad_files_are_clear_errors(tmp_path: Path, con: duckdb.DuckDBPyConnection, name: str, content: bytes,
                                    code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_source(con, path)
    assert info.value.code == code
    assert str(path) in info.value.message


def test_missing_file(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_source(con, tmp_path / "nope.csv")


def test_mixed_line_endings_lose_nothing(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'id,name,note\r\n1,a,x\n2,b,"multi\r\nline"\r\n3,c,0\r\n4,d,y\n')
    result = read_source(con, path)
    assert rows_of(con) == [("1", "a", "x"), ("2", "b", "multi\nline"), ("3", "c", "0"), ("4", "d", "y")]
    assert result.rejects == []
