"""Delimited text: the delimiter by DuckDB's sniffer, the records by one pass of the C csv reader."""

from __future__ import annotations

import csv
import gc
import io
import tempfile
from contextlib import closing
from itertools import chain
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from mdm.errors import InputError
from mdm.hub.register import register
from mdm.hub.sql import ident, literal
from mdm.ingest.readers.encodings import _resolve_encoding, text_blocks
from mdm.ingest.readers.records import Parsed, header_encoding_error, parse
from mdm.ingest.readers.results import LineDecoding, ReadResult

#: delimiters DuckDB's sniffer chooses from (its defaults)
CANDIDATES = (",", "\t", ";", "|")
#: lines of the file's beginning the sniffer reads; longer lines than ``_SAMPLE_LINE`` are left out
_SAMPLE_LINES, _SAMPLE_CHARS, _SAMPLE_LINE = 2000, 1 << 20, 1 << 16


def sniff_delimiter(text: str, *, where: str = "the sample", con: duckdb.DuckDBPyConnection | None = None) -> str:
    """The delimiter DuckDB's ``sniff_csv`` finds in ``text`` (the first lines of a file, header first).

    When the choice leaves the header one column although the header splits on another candidate
    (rows that disagree with the header, in a short sample), the sniffer is asked again about the
    header record alone. :class:`InputError` (``input.delimiter``) when it still cannot tell. A
    header that splits on no candidate is a one-column file.
    """
    con = con or duckdb.connect()
    lines = io.StringIO(text.lstrip("\ufeff"), newline="").readlines()
    delim = _sniff(con, "".join(lines), where)
    splits = [c for c in CANDIDATES if c != delim and len(_header(lines, c)[0]) > 1]
    if splits and len(_header(lines, delim)[0]) == 1:
        delim = _sniff(con, "".join(lines[:_header(lines, splits[0])[1]]), where)
        if len(_header(lines, delim)[0]) == 1:
            raise _unsniffable(where, f"the header splits on {' or '.join(map(repr, splits))} but the rows do not")
    return delim


def _sniff(con: duckdb.DuckDBPyConnection, text: str, where: str) -> str:
    with tempfile.TemporaryDirectory(prefix="mdm-sniff-") as tmp:
        sample = Path(tmp) / "sample.csv"
        sample.write_text(text, encoding="utf-8", errors="replace", newline="")
        try:
            row = con.execute(f"SELECT Delimiter FROM sniff_csv({literal(str(sample))}, strict_mode=false, "
                              "ignore_errors=true)").fetchall()
        except duckdb.Error as exc:
            raise _unsniffable(where, (str(exc).strip().splitlines() or [type(exc).__name__])[0]) from None
    delim = str(row[0][0] or "") if row else ""
    if len(delim) != 1:
        raise _unsniffable(where, "no delimiter found")
    return delim


def _header(lines: list[str], delim: str) -> tuple[list[str], int]:
    """The header record's names with ``delim``, and the physical lines it spans."""
    reader = csv.reader(lines, delimiter=delim)
    return next(reader, []), reader.line_num


def _unsniffable(where: str, reason: str) -> InputError:
    return InputError(f"{where}: cannot tell which delimiter separates the columns ({reason}); set 'delimiter:' "
                      "in the source mapping", code="input.delimiter")


def _sample(lines: list[str]) -> str:
    """The first lines of a file for the sniffer: at most _SAMPLE_LINES lines or _SAMPLE_CHARS
    characters, lines over _SAMPLE_LINE characters (but the first) left out."""
    out: list[str] = []
    size = 0
    for i, text in enumerate(lines[:_SAMPLE_LINES]):
        if i and len(text) > _SAMPLE_LINE:
            continue
        out.append(text)
        size += len(text)
        if size >= _SAMPLE_CHARS:
            break
    return "".join(out)


def _read_delimited(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, fallback: str | None,
                    delimiter: str | None, table: str) -> ReadResult:
    """Decode and parse the file in one pass (:func:`.records.parse`), copying each batch of rows
    into ``table`` as it comes.

    Python's cyclic garbage collector is paused meanwhile: the reader makes a list per record, and
    collections triggered by millions of short-lived lists would otherwise double the parse time
    (nothing the reader makes holds a reference cycle).
    """
    enc, lines = _resolve_encoding(path, encoding, fallback)
    bad: set[int] = set()
    parsed = Parsed()
    rows = 0
    collecting = gc.isenabled()
    gc.disable()
    try:
        with closing(text_blocks(path, enc, lines, bad)) as blocks:
            first = next(blocks, [])
            if not first or not first[0].strip():
                raise InputError(f"{path}: the file is empty or its first line is blank; a header row is required",
                                 code="input.no_header")
            if 1 in bad:
                raise header_encoding_error(path)
            delim = delimiter or ("\t" if path.suffix.lower() == ".tsv" else None) \
                or sniff_delimiter(_sample(first), where=str(path), con=con)
            batches = parse(chain([first], blocks), delim, parsed, bad=bad, path=path,
                            encoding_message=(lines or LineDecoding(None)).reject_message())
            names: list[str] = []
            for batch in batches:  # the header is read before the first batch
                if not names:
                    names = _create(con, table, parsed.header, path)
                _insert(con, table, batch, rows + 1)
                rows += len(batch)
            names = names or _create(con, table, parsed.header, path)
    finally:
        if collecting:
            gc.enable()
    return ReadResult(table=table, format=path.suffix.lower().lstrip("."), encoding=enc, delimiter=delim,
                      columns=names, rows=rows, rejects=parsed.rejects,
                      fallback_lines=len(lines.fallback_lines) if lines else 0)


def _create(con: duckdb.DuckDBPyConnection, table: str, header: list[str], path: Path) -> list[str]:
    names = _unique_names(header, path)
    columns = ", ".join(f"{ident(n)} VARCHAR" for n in names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (_row BIGINT, {columns})")
    return names


def _insert(con: duckdb.DuckDBPyConnection, table: str, batch: list[list[str]], first: int) -> None:
    """Rows ``first``, ``first + 1``, ... into ``table``; an empty value becomes NULL.

    The batch goes to DuckDB as one Arrow list column, converted in one call (a column per
    value list was three times slower; a pandas frame of Python strings left the rest of the
    ingest 10% slower), and DuckDB picks the values out of each list.
    """
    width = len(batch[0])
    arrow = pa.Table.from_arrays(
        [pa.array(np.arange(first, first + len(batch), dtype=np.int64)),
         pa.array(batch, type=pa.large_list(pa.large_string()))], names=["_row", "r"])
    register(con, "_mdm_csv", arrow)
    values = ", ".join(f"NULLIF(r[{i + 1}], '')" for i in range(width))
    con.execute(f"INSERT INTO {table} SELECT _row, {values} FROM _mdm_csv")
    con.unregister("_mdm_csv")


def _unique_names(header: list[str], path: Path) -> list[str]:
    names: list[str] = []
    for i, raw in enumerate(header):
        name = raw.strip() or f"column_{i + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    if not names:
        raise InputError(f"{path}: no columns found in the header row", code="input.no_header")
    return names

def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


