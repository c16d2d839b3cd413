"""Delimited text: the header, DuckDB's CSV reader, and a line-by-line reader for runaway quotes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb

from mdm.errors import InputError
from mdm.hub.register import register
from mdm.hub.sql import ident, literal
from mdm.ingest.readers.encodings import _as_utf8, _resolve_encoding
from mdm.ingest.readers.results import MAX_RECORD_LINES, LineDecoding, ReadResult, Reject

# --------------------------------------------------------------------------- delimited

def sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter that splits the header into the most fields (ties: comma)."""
    best, best_n = ",", 0
    for cand in (",", "\t", ";", "|"):
        fields = next(csv.reader([header_line], delimiter=cand), [])
        if len(fields) > best_n:
            best, best_n = cand, len(fields)
    return best


def _header(path: Path, delimiter: str | None) -> tuple[list[str], str]:
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        first = fh.readline()
        if not first.strip():
            raise InputError(f"{path}: the file is empty or its first line is blank; a header row is required",
                             code="input.no_header")
        first = first.lstrip("\ufeff")
        delim = delimiter or sniff_delimiter(first.rstrip("\r\n"))
        # the header may itself contain quoted newlines: let csv read one whole record
        fh.seek(0)
        text = fh.read(1 << 20).lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(text), delimiter=delim), [])
    if any(_has_surrogates(h) for h in header):
        raise InputError(f"{path}: the header row is not valid utf-8; set 'encoding:' in the source mapping to "
                         "the file's real encoding", code="input.encoding")
    return _unique_names(header, path), delim


def _has_surrogates(text: str) -> bool:
    """Undecodable bytes, as Python's ``surrogateescape`` keeps them."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _escaped(text: str) -> str:
    """``text`` with undecodable bytes shown as ``\\xNN`` (for a quarantine row's raw text)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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




def _read_delimited(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, fallback: str | None,
                    delimiter: str | None, table: str) -> ReadResult:
    """DuckDB's parser first; if its record count disagrees with an independent count, the C csv module.

    DuckDB is fast but has been seen to drop records silently on unusual inputs (mixed
    line endings, stray carriage returns). The check costs one pass of Python's C-level
    csv reader; when it disagrees the file is parsed by that reader instead, so no
    record is ever lost. Files with undecodable lines or runaway quotes go straight to
    that reader, which judges them line by line.
    """
    enc, lines = _resolve_encoding(path, encoding, fallback)
    fmt = path.suffix.lower().lstrip(".")
    with _as_utf8(path, enc, newlines=True, lines=lines) as utf8:
        names, delim = _header(utf8, delimiter or ("\t" if path.suffix.lower() == ".tsv" else None))
        header_lines = _header_line_count(utf8, delim)
        expected, runaway = _scan(utf8, delim, len(names))
        rejects: list[Reject] | None = None
        if not runaway and not (lines and lines.bad_lines):
            try:
                rejects = _duckdb_csv(con, utf8, names, delim, header_lines, table)
            except duckdb.Error:
                rejects = None
        if rejects is None or _count(con, table) + len(rejects) != expected:
            rejects = _python_csv(con, utf8, names, delim, table,
                                  encoding_message=(lines or LineDecoding(None)).reject_message())
    return ReadResult(table=table, format=fmt, encoding=enc, delimiter=delim, columns=names,
                      rows=_count(con, table), rejects=rejects,
                      fallback_lines=len(lines.fallback_lines) if lines else 0)


def _duckdb_csv(con: duckdb.DuckDBPyConnection, path: Path, names: list[str], delim: str, header_lines: int,
                table: str) -> list[Reject]:
    positional = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    renamed = ", ".join(f"c{i} AS {ident(n)}" for i, n in enumerate(names))
    con.execute("DROP TABLE IF EXISTS _mdm_rejects")
    con.execute("DROP TABLE IF EXISTS _mdm_reject_scans")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT row_number() OVER () AS _row, {renamed}
        FROM read_csv({literal(str(path))}, delim={literal(delim)}, quote='"', escape='"', new_line='\\n',
             header=false, skip={header_lines}, auto_detect=false, columns={{{positional}}},
             strict_mode=true, store_rejects=true, rejects_table='_mdm_rejects',
             rejects_scan='_mdm_reject_scans', max_line_size=8388608)"""
    )
    rows = con.execute(
        """SELECT line, string_agg(DISTINCT error_type, '; ') AS kinds, any_value(csv_line),
                  string_agg(DISTINCT error_message, '; ')
           FROM _mdm_rejects GROUP BY line ORDER BY line"""
    ).fetchall()
    return [Reject(line=int(r[0]), raw=str(r[2] or "").strip("\n"), code=_reject_code(str(r[1])),
                   message=str(r[3])) for r in rows]


def _csv_records(path: Path, delim: str) -> Iterator[tuple[int, list[str], list[str]]]:
    """(first physical line, fields, physical lines) of every non-blank record, by Python's C csv reader."""
    csv.field_size_limit(1 << 30)
    consumed: list[str] = []
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        fh.seek(0)
        if fh.read(1) != "\ufeff":
            fh.seek(0)

        def physical() -> Iterator[str]:
            for text in fh:
                consumed.append(text)
                yield text

        reader = csv.reader(physical(), delimiter=delim, quotechar='"', doublequote=True, strict=False)
        line = 1
        for fields in reader:
            raw = consumed[:]
            consumed.clear()
            if fields:
                yield line, fields, raw
            line = reader.line_num + 1


def _runaway(raw: list[str], fields: list[str], width: int, delim: str) -> bool:
    """A quoted value that swallowed lines: it runs to the end of the file, spans more than
    MAX_RECORD_LINES lines, or leaves the record ragged while holding, between its first line
    and the one with the closing quote, a line that splits into a whole record by itself. (A
    multi-line record of the right width is a quoted address or note, however its lines look;
    so is a ragged two-line record, whose second line only holds the closing quote: it is
    quarantined whole, as ragged.)"""
    if len(raw) > MAX_RECORD_LINES:
        return True
    try:
        for _ in csv.reader(raw, delimiter=delim, quotechar='"', doublequote=True, strict=True):
            pass
    except csv.Error as exc:
        if "end of data" in str(exc):
            return True
    return (len(raw) > 1 and len(fields) != width
            and any(len(_split_line(text, delim)) == width for text in raw[1:-1]))


def _split_line(text: str, delim: str) -> list[str]:
    return next(csv.reader([text.rstrip("\r\n")], delimiter=delim, quotechar='"', doublequote=True,
                           strict=False), [])


def _judged(records: Iterator[tuple[int, list[str], list[str]]], width: int,
            delim: str) -> Iterator[tuple[int, list[str], str | None, str]]:
    """(line, fields, reject code or None, physical text) per record; a runaway record is judged
    line by line."""
    for line, fields, raw in records:
        if not _runaway(raw, fields, width, delim):
            yield line, fields, None, "".join(raw).rstrip("\r\n")
            continue
        for i, text in enumerate(raw):
            if not text.strip():
                continue
            code = "row.unterminated_quote" if _unterminated(text, delim) else None
            yield line + i, _split_line(text, delim), code, text.rstrip("\r\n")


def _unterminated(text: str, delim: str) -> bool:
    try:
        for _ in csv.reader([text], delimiter=delim, quotechar='"', doublequote=True, strict=True):
            pass
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False


def _scan(path: Path, delim: str, width: int) -> tuple[int, bool]:
    """Data records as a user would count them (runaway quotes split into their lines), and
    whether there was a runaway quote. The header is not counted."""
    records = _csv_records(path, delim)
    next(records, None)  # header
    count, runaway = 0, False
    for _line, fields, raw in records:
        if _runaway(raw, fields, width, delim):
            runaway = True
            count += sum(1 for text in raw if text.strip())
        else:
            count += 1
    return count, runaway


def _python_csv(con: duckdb.DuckDBPyConnection, path: Path, names: list[str], delim: str,
                table: str, *, encoding_message: str) -> list[Reject]:
    import pandas as pd

    width = len(names)
    good: list[list[str]] = []
    rejects: list[Reject] = []
    records = _csv_records(path, delim)
    next(records, None)  # header
    for line, fields, code, text in _judged(records, width, delim):
        raw = _escaped(text)
        if any(_has_surrogates(f) for f in fields):
            rejects.append(Reject(line=line, raw=raw, code="row.encoding", message=encoding_message))
        elif code == "row.unterminated_quote":
            rejects.append(Reject(line=line, raw=raw, code=code,
                                  message="a quoted value is not closed on its line; the lines after it were "
                                          "read on their own"))
        elif len(fields) == width:
            good.append(fields)
        else:
            rejects.append(Reject(line=line, raw=raw, code="row.ragged",
                                  message=f"Expected Number of Columns: {width} Found: {len(fields)}"))
    frame = pd.DataFrame(good, columns=[f"c{i}" for i in range(width)], dtype=object)
    frame = frame.where(frame != "", None)
    frame.insert(0, "_row", range(1, len(frame) + 1))
    register(con, "_mdm_csv", frame)
    renamed = ", ".join(f"CAST(c{i} AS VARCHAR) AS {ident(n)}" for i, n in enumerate(names))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT _row, {renamed} FROM _mdm_csv")
    con.unregister("_mdm_csv")
    return rejects


def _header_line_count(path: Path, delim: str) -> int:
    """Physical lines the header record spans (more than one when a name holds a newline)."""
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        text = fh.read(1 << 20).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    next(reader, None)
    return max(1, reader.line_num)


def _reject_code(kinds: str) -> str:
    k = kinds.upper()
    if "MISSING COLUMNS" in k or "TOO MANY COLUMNS" in k:
        return "row.ragged"
    if "UNQUOTED" in k:
        return "row.unterminated_quote"
    if "LINE SIZE" in k:
        return "row.too_long"
    if "ENCODING" in k:
        return "row.encoding"
    return "row.malformed"


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


