"""JSON lines, Parquet and XLSX."""

from __future__ import annotations

import difflib
from pathlib import Path

import duckdb

from mdm.errors import InputError
from mdm.hub.register import register
from mdm.hub.sql import ident, literal
from mdm.ingest.readers.delimited import _count, _unique_names
from mdm.ingest.readers.encodings import _as_utf8, _resolve_encoding
from mdm.ingest.readers.results import ReadResult, Reject

# --------------------------------------------------------------------------- JSON lines

def _read_jsonl(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, fallback: str | None,
                table: str) -> ReadResult:
    """Each line is one JSON object; anything else is a reject. Keys become columns."""
    enc, lines = _resolve_encoding(path, encoding, fallback)
    with _as_utf8(path, enc, lines=lines, blank_bad=True) as utf8:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _mdm_lines AS
            SELECT row_number() OVER () AS _line, line FROM read_csv({literal(str(utf8))},
                columns={{'line': 'VARCHAR'}}, delim='\\x1f', quote='', escape='', header=false,
                auto_detect=false, strict_mode=false, max_line_size=8388608)"""
        )
    con.execute("DELETE FROM _mdm_lines WHERE line IS NULL OR trim(line) = ''")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _mdm_lines AS
           SELECT _line, line,
                  coalesce(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END, false) AS ok
           FROM _mdm_lines"""
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _mdm_json AS SELECT _line, CAST(line AS JSON) AS line "
                "FROM _mdm_lines WHERE ok")
    keys = [r[0] for r in con.execute(
        """SELECT k FROM (
               SELECT k, min(_line * 1000000 + pos) AS first FROM (
                   SELECT _line, unnest(json_keys(line)) AS k, unnest(range(len(json_keys(line)))) AS pos
                   FROM _mdm_json)
               GROUP BY k) ORDER BY first"""
    ).fetchall()]
    names = _unique_names(keys, path) if keys else []
    cols = ", ".join(
        f"CASE WHEN json_type(line, {literal(_json_path(k))}) IN ('OBJECT', 'ARRAY') "
        f"THEN CAST(json_extract(line, {literal(_json_path(k))}) AS VARCHAR) "
        f"ELSE json_extract_string(line, {literal(_json_path(k))}) END AS {ident(n)}"
        for k, n in zip(keys, names, strict=True)
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT row_number() OVER (ORDER BY _line) AS _row{', ' + cols if cols else ''}
            FROM _mdm_json ORDER BY _line"""
    )
    bad = con.execute("SELECT _line, line FROM _mdm_lines WHERE NOT ok ORDER BY _line").fetchall()
    rejects = [Reject(line=int(r[0]), raw=str(r[1]), code="row.invalid_json",
                      message="line is not a JSON object") for r in bad]
    if lines is not None:
        rejects += [Reject(line=n, raw=raw, code="row.encoding", message=lines.reject_message())
                    for n, raw in lines.bad_lines.items()]
        rejects.sort(key=lambda r: r.line or 0)
    con.execute("DROP TABLE _mdm_lines")
    con.execute("DROP TABLE _mdm_json")
    return ReadResult(table=table, format="jsonl", encoding=enc, delimiter=None, columns=names,
                      rows=_count(con, table), rejects=rejects,
                      fallback_lines=len(lines.fallback_lines) if lines else 0)


def _json_path(key: str) -> str:
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------- parquet, xlsx

def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> ReadResult:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})").fetchall()
    except duckdb.Error as exc:
        raise InputError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]})",
                         code="input.malformed") from None
    names = [str(r[0]) for r in described]
    cols = ", ".join(f"CAST({ident(n)} AS VARCHAR) AS {ident(n)}" for n in names)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT row_number() OVER () AS _row, {cols} FROM read_parquet({literal(str(path))})"""
    )
    return ReadResult(table=table, format="parquet", encoding=None, delimiter=None, columns=names,
                      rows=_count(con, table))


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None, table: str) -> ReadResult:
    import datetime as dt

    import pandas as pd
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                         code="input.malformed") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            hint = difflib.get_close_matches(sheet, wb.sheetnames, n=1)
            raise InputError(f"{path}: no sheet named {sheet!r}"
                             f"{f' (did you mean {hint[0]!r}?)' if hint else ''}; sheets: {wb.sheetnames}",
                             code="input.missing_sheet")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InputError(f"{path}: the sheet is empty; a header row is required", code="input.no_header")
        cells = ["" if h is None else str(h) for h in header]
        while cells and not cells[-1].strip():
            cells.pop()
        names = _unique_names(cells, path)
        width = len(names)

        def cell(v: object) -> str | None:
            if v is None:
                return None
            if isinstance(v, dt.datetime):
                return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            return str(v)

        data: list[list[str | None]] = []
        rejects: list[Reject] = []
        for i, row in enumerate(rows, start=2):
            values = [cell(v) for v in row]
            if all(v is None for v in values):
                continue
            if len(values) > width and any(v is not None for v in values[width:]):
                rejects.append(Reject(line=i, raw="\t".join("" if v is None else v for v in values),
                                      code="row.ragged", message=f"row has values beyond the {width} header columns"))
                continue
            data.append((values + [None] * width)[:width])
    finally:
        wb.close()
    frame = pd.DataFrame(data, columns=[f"c{i}" for i in range(width)], dtype=object)
    frame.insert(0, "_row", range(1, len(frame) + 1))
    register(con, "_mdm_xlsx", frame)
    renamed = ", ".join(f"CAST(c{i} AS VARCHAR) AS {ident(n)}" for i, n in enumerate(names))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT _row, {renamed} FROM _mdm_xlsx")
    con.unregister("_mdm_xlsx")
    return ReadResult(table=table, format="xlsx", encoding=None, delimiter=None, columns=names,
                      rows=_count(con, table), rejects=rejects)
