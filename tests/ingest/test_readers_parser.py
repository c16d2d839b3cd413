"""The one CSV parser: equal to Python's csv module on well-formed files, every broken shape
rejected with its code, its physical line and its raw text."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdm.errors import InputError
from mdm.ingest.readers import read_source
from mdm.ingest.readers.records import BATCH_ROWS
from mdm.ingest.readers.results import MAX_RECORD_CHARS, MAX_RECORD_LINES


def _read(path: Path, **kwargs: str) -> tuple[list[tuple[object, ...]], list[tuple[int | None, str, str]], int]:
    con = duckdb.connect()
    result = read_source(con, path, **kwargs)
    rows = con.execute("SELECT * EXCLUDE (_row) FROM _src ORDER BY _row").fetchall()
    ordinals = [r[0] for r in con.execute("SELECT _row FROM _src ORDER BY _row").fetchall()]
    assert ordinals == list(range(1, len(rows) + 1))
    assert result.rows == len(rows)
    return rows, [(r.line, r.code, r.raw) for r in result.rejects], result.rows_read


# -- well-formed files: what Python's csv module reads ------------------------------------------

cell = st.text(alphabet=st.sampled_from(list('ab Z9é王"\',;|\t\n\r\x00\u2028\ufeff')), max_size=8)


def _expected(text: str, delim: str) -> list[tuple[str | None, ...]]:
    """Python's csv module on the same text, with the reader's documented normalisation: an empty
    value is NULL, a line break inside a value is LF."""
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if r][1:]
    return [tuple(v.replace("\r\n", "\n").replace("\r", "\n") or None for v in r) for r in records]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), max_size=30),
       delim=st.sampled_from([",", ";", "\t", "|"]), terminator=st.sampled_from(["\n", "\r\n"]),
       quote_all=st.booleans(), bom=st.booleans())
def test_well_formed_files_read_as_the_csv_module_reads_them(rows: list[list[str]], delim: str, terminator: str,
                                                             quote_all: bool, bom: bool) -> None:
    buf = io.StringIO()
    plain = csv.writer(buf, delimiter=delim, lineterminator=terminator)
    quoted = csv.writer(buf, delimiter=delim, lineterminator=terminator, quoting=csv.QUOTE_ALL)
    plain.writerow(["id", "name\nsecond line", "note"])
    for row in rows:
        # a bare CR is only quoted by the writer when CR is in the terminator; well-formed files quote it
        (quoted if quote_all or any("\r" in v for v in row) else plain).writerow(row)
    text = buf.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.csv"
        path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
        got, rejects, rows_read = _read(path, delimiter=delim)
    assert rejects == []
    assert got == _expected(text, delim)
    assert rows_read == len(rows)


def test_more_rows_than_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    n = BATCH_ROWS * 2 + 7
    lines = [f"{i},v{i}" for i in range(n)]
    lines[BATCH_ROWS] = f'{BATCH_ROWS},"two\nlines"'
    lines[BATCH_ROWS + 1] = "ragged"
    path.write_text("id,v\n" + "\n".join(lines) + "\n", encoding="utf-8")
    got, rejects, rows_read = _read(path)
    assert rows_read == n and len(got) == n - 1
    assert rejects == [(BATCH_ROWS + 4, "row.ragged", "ragged")]  # line: header + 1-based + the value's 2nd line
    assert got[BATCH_ROWS] == (str(BATCH_ROWS), "two\nlines") and got[-1] == (str(n - 1), f"v{n - 1}")


# -- broken shapes: each rejected with its code, physical line and raw text ----------------------

RUNAWAY = b'id,name\n1,a\n2,"open\n' + b"".join(b"%d,x\n" % i for i in range(3, 150)) + b'150,close",y\n151,z\n'

SHAPES = [
    ("ragged short and long", b"id,name\n1,a\n2\n3,c,x\n4,d\n",
     [(3, "row.ragged", "2"), (4, "row.ragged", "3,c,x")], [("1", "a"), ("4", "d")]),
    ("closing quote followed by text", b'id,name\n1,a\n2,"q"z\n3,c\n',
     [(3, "row.unterminated_quote", '2,"q"z')], [("1", "a"), ("3", "c")]),
    ("quote open at the end of the file", b'id,name\n1,a\n2,"open\n3,c\n',
     [(3, "row.unterminated_quote", '2,"open')], [("1", "a"), ("3", "c")]),
    ("quote closing 148 lines later", RUNAWAY,
     [(3, "row.unterminated_quote", '2,"open'), (151, "row.ragged", '150,close",y')],
     [("1", "a"), *[(str(i), "x") for i in range(3, 150)], ("151", "z")]),
    ("a refused multi-line record is rejected whole", b'id,a,b\n1,"x\ny"z,2\n3,c,d\n',
     [(2, "row.unterminated_quote", '1,"x\ny"z,2')], [("3", "c", "d")]),
    ("line in another encoding", b"id,name\n1,a\n2,M\xfcller\n3,\xc3\xa9\n",
     [(3, "row.encoding", "2,M\\xfcller")], [("1", "a"), ("3", "é")]),
    ("ragged multi-line record", b'id,name,city\n1,"a\r\nb"\n2,c,d\n',
     [(2, "row.ragged", '1,"a\nb"')], [("2", "c", "d")]),
    ("lone CR line ends", b"id,name\r1,a\r2\r3,c\r", [(3, "row.ragged", "2")], [("1", "a"), ("3", "c")]),
    ("mixed line ends and a CR LF value", b'id,note\r\n1,"a\r\nb"\n2\r3,c\r\n',
     [(4, "row.ragged", "2")], [("1", "a\nb"), ("3", "c")]),
    ("blank lines are skipped but counted", b"id,name\n\n1,a\n\n2\n", [(5, "row.ragged", "2")], [("1", "a")]),
    ("trailing empty field is a column", b"id,name\n1,a,\n2,b\n", [(2, "row.ragged", "1,a,")], [("2", "b")]),
    ("empty values are NULL", b'id,name\n1,\n2,""\n, \n', [], [("1", None), ("2", None), (None, " ")]),
]


@pytest.mark.parametrize(("content", "rejects", "rows"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_broken_shapes(tmp_path: Path, content: bytes, rejects: list[tuple[int, str, str]],
                       rows: list[tuple[object, ...]]) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(content)
    got, got_rejects, rows_read = _read(path)
    assert got_rejects == rejects
    assert got == rows
    assert rows_read == len(rows) + len(rejects)


def test_overlong_record_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(b"id,name\n1," + b"x" * MAX_RECORD_CHARS + b"\n2,b\n")
    got, rejects, _ = _read(path)
    assert got == [("2", "b")]
    assert [(line, code, raw[:4], len(raw)) for line, code, raw in rejects] == [
        (2, "row.too_long", "1,xx", MAX_RECORD_CHARS + 2)]


def test_header_with_newlines_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(b'\xef\xbb\xbf"first\r\nname",id,id,\n"x",1,2,3\n')
    con = duckdb.connect()
    assert read_source(con, path).columns == ["first\nname", "id", "id_2", "column_4"]
    assert con.execute('SELECT "first\nname", id_2 FROM _src').fetchall() == [("x", "2")]


@pytest.mark.parametrize(("content", "code"), [
    (b'"a"x,b\n1,2\n', "input.no_header"),
    (b'"a\n' + b"x\n" * (MAX_RECORD_LINES + 5), "input.no_header"),
    (b"id,M\xfcller\n1,\xc3\xa9\n", "input.encoding"),
    (b"\n1,2\n", "input.no_header"),
])
def test_bad_headers_are_clear_errors(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_source(duckdb.connect(), path, delimiter=",")
    assert info.value.code == code and info.value.message.startswith(str(path))


def test_explicit_encoding_that_does_not_fit_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"id,name\n1,\x81\n")  # 0x81 is undefined in cp1252
    with pytest.raises(InputError, match=r"not valid cp1252") as info:
        read_source(duckdb.connect(), path, encoding="cp1252")
    assert info.value.code == "input.encoding"
