"""Delimiter detection: DuckDB's sniff_csv, through sniff_delimiter and through read_source."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from mdm.errors import InputError
from mdm.ingest.readers import read_source, sniff_delimiter

DELIMITERS = [",", ";", "\t", "|"]


def _write(path: Path, rows: list[list[str]], delim: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delim, lineterminator="\n").writerows(rows)
    return path


@pytest.mark.parametrize("delim", DELIMITERS)
def test_sniffs_each_delimiter(tmp_path: Path, delim: str) -> None:
    # every value holds the other candidates, so only the real delimiter gives a steady width
    others = "".join(c for c in DELIMITERS if c != delim)
    rows = [["id", "name", "note"], *[[str(i), f"Ann {i}", f"a{others}b"] for i in range(20)]]
    path = _write(tmp_path / "d.txt", rows, delim)
    assert sniff_delimiter(path.read_text(encoding="utf-8")) == delim
    con = duckdb.connect()
    result = read_source(con, path)
    assert result.delimiter == delim and result.columns == ["id", "name", "note"]
    assert con.execute("SELECT note FROM _src WHERE _row = 1").fetchone() == (f"a{others}b",)


@pytest.mark.parametrize("delim", DELIMITERS)
def test_header_only_file(tmp_path: Path, delim: str) -> None:
    path = tmp_path / "h.csv"
    path.write_text(delim.join(["id", "name", "email"]) + "\r\n", encoding="utf-8")
    con = duckdb.connect()
    result = read_source(con, path)
    assert (result.delimiter, result.columns, result.rows, result.rejects) == (delim, ["id", "name", "email"], 0, [])
    assert con.execute("SELECT count(*) FROM _src").fetchone() == (0,)


def test_header_alone_decides_when_rows_disagree(tmp_path: Path) -> None:
    """A short sample whose rows are mostly ragged: the header still says which delimiter it is."""
    path = tmp_path / "r.csv"
    path.write_bytes(b'h0;h1;h2\r\n"a,b"; ;v02;v03\r\n,;v11; \r\nv20;v21\r\n')
    con = duckdb.connect()
    result = read_source(con, path)
    assert result.delimiter == ";" and result.columns == ["h0", "h1", "h2"]
    assert [(r.line, r.code) for r in result.rejects] == [(2, "row.ragged"), (4, "row.ragged")]
    assert con.execute("SELECT h0, h1, h2 FROM _src").fetchall() == [(",", "v11", " ")]


def test_one_column_file(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("id\n1\n2\n", encoding="utf-8")
    result = read_source(duckdb.connect(), path)
    assert result.columns == ["id"] and result.rows == 2


def test_tsv_means_tab_and_the_mapping_wins(tmp_path: Path) -> None:
    tsv = _write(tmp_path / "t.tsv", [["id", "a,b"], ["1", "x;y"]], "\t")
    assert read_source(duckdb.connect(), tsv).columns == ["id", "a,b"]
    semi = _write(tmp_path / "s.csv", [["id", "a,b"], ["1", "x"]], ";")
    con = duckdb.connect()
    result = read_source(con, semi, delimiter=",")
    assert result.delimiter == "," and result.columns == ["id;a", "b"]


def test_unsniffable_file_is_a_clear_error(tmp_path: Path) -> None:
    """A header line longer than the sniffer reads: nothing to sniff, so say so and how to fix it."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"column{i}" for i in range(300_000)) + "\n1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_source(duckdb.connect(), path)
    assert info.value.code == "input.delimiter"
    message = info.value.message
    assert message.startswith(f"{path}: cannot tell which delimiter") and "set 'delimiter:'" in message
    assert "\n" not in message


def test_sniff_delimiter_on_text_errors_name_the_place() -> None:
    with pytest.raises(InputError, match=r"^feed\.csv: cannot tell which delimiter") as info:
        sniff_delimiter("x" * 3_000_000 + ",y\n", where="feed.csv")
    assert info.value.code == "input.delimiter"
