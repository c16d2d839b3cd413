"""``mdm export golden|xref|quarantine|tasks|flags``: hub tables as csv, parquet or jsonl files.

Columns follow DESIGN 3.2: ``golden`` starts with ``golden_id`` and then the dictionary's
attributes; ``xref`` starts with ``source, source_id, golden_id``. CSV output is safe to
open in spreadsheets: a text cell starting with ``= + - @`` (or a tab / carriage return)
is prefixed with ``'`` so it is never evaluated as a formula. Files are written to a
temporary name and renamed, so a failed export leaves no partial file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import duckdb

from mdm.config import Dictionary
from mdm.errors import HubError, InputError

Kind = Literal["golden", "xref", "quarantine", "tasks", "flags"]
Format = Literal["csv", "parquet", "jsonl"]
KINDS: tuple[str, ...] = ("golden", "xref", "quarantine", "tasks", "flags")
FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")

_TABLES = {"golden": "golden", "xref": "xref", "quarantine": "quarantine", "tasks": "review_task",
           "flags": "record_flag"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export_query(kind: str, dictionary: Dictionary) -> str:
    if kind == "golden":
        attrs = ", ".join(f"record->>'{a}' AS {_q(a)}" for a in dictionary.names)
        return f"""SELECT golden_id, {attrs}, confidence, version, member_count, created_at, updated_at
                   FROM golden WHERE status = 'active' ORDER BY golden_id"""
    if kind == "xref":
        return """SELECT x.source, x.source_id, x.golden_id, x.valid_from
                  FROM xref x WHERE x.valid_to IS NULL ORDER BY x.source, x.source_id"""
    if kind == "quarantine":
        return """SELECT q.source, q.source_id, q.batch_id, b.file, q.row_number, q.line,
                         array_to_string(q.reason_codes, ';') AS reason_codes,
                         array_to_string(q.messages, ' | ') AS messages, q.raw_row
                  FROM quarantine q LEFT JOIN batch b USING (batch_id)
                  ORDER BY q.batch_id, q.row_number NULLS LAST, q.line NULLS LAST"""
    if kind == "tasks":
        return """SELECT task_id, status, created_at, unique_id_l, unique_id_r, match_probability, match_weight,
                         version, assignee, decision, reason, decided_by, decided_at,
                         CAST(explanation AS VARCHAR) AS explanation
                  FROM review_task ORDER BY task_id"""
    if kind == "flags":  # values flagged on accepted records: the customer kept, the value not used
        return """SELECT f.source, f.source_id, x.golden_id, f.attribute, f.reason_code, f.message, f.value,
                         f.batch_id
                  FROM record_flag f LEFT JOIN xref x
                    ON x.source = f.source AND x.source_id = f.source_id AND x.valid_to IS NULL
                  ORDER BY f.source, f.source_id, f.attribute, f.reason_code"""
    raise InputError(f"cannot export {kind!r}; choose one of {', '.join(KINDS)}", code="export.kind")


def format_for(out: Path, fmt: str | None) -> str:
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "json": "jsonl"}.get(suffix, suffix)
        if fmt not in FORMATS:
            fmt = "csv"
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}", code="export.format")
    return fmt


def export(con: duckdb.DuckDBPyConnection, kind: str, out: Path, dictionary: Dictionary, fmt: str | None = None
           ) -> int:
    """Write ``kind`` to ``out``; returns the number of rows written."""
    fmt = format_for(out, fmt)
    query = export_query(kind, dictionary)
    table = _TABLES[kind]
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()
    if not found or not found[0]:
        raise HubError(f"the hub has no {table} table yet; run `mdm run` first", code="hub.schema_old")
    if out.exists() and out.is_dir():
        raise InputError(f"{out} is a folder; give a file name for the export", code="export.out")
    if not out.parent.exists():
        raise InputError(f"folder {out.parent} does not exist", code="export.out")
    write_query(con, query, out, fmt)
    row = con.execute(f"SELECT count(*) FROM ({export_query(kind, dictionary)})").fetchone()
    return int(row[0]) if row else 0


#: text a spreadsheet would evaluate: = + - @ tab CR (strict, for reports and exports)
STRICT = r"regexp_matches({c}, '^[=+\-@\t\r]')"
#: import files: signed numbers such as +15125550100 pass; formulas are still quoted
NUMBERS_OK = (r"(regexp_matches({c}, '^[=@\t\r]') OR (regexp_matches({c}, '^[+\-]') "
              r"AND NOT regexp_matches({c}, '^[+\-][0-9 ().\-]*$')))")


def write_query(con: duckdb.DuckDBPyConnection, query: str, out: Path, fmt: str, *, guard: str = STRICT) -> None:
    """COPY ``query`` to ``out`` (csv with a header, parquet or jsonl) via a temporary file
    and a rename. In CSV, text cells matching ``guard`` get a leading ``'``."""
    cur = con.execute(f"SELECT * FROM ({query}) LIMIT 0")
    columns = [d[0] for d in cur.description]
    types = [str(d[1]) for d in cur.description]
    if fmt == "csv":
        quote = "''''"
        cells = ", ".join(
            f"CASE WHEN {guard.format(c=_q(c))} THEN {quote} || {_q(c)} ELSE {_q(c)} END AS {_q(c)}"
            if t.upper() in ("VARCHAR", "STRING") else _q(c) for c, t in zip(columns, types, strict=True))
        query = f"SELECT {cells} FROM ({query})"
        options = "FORMAT csv, HEADER true"
    elif fmt == "parquet":
        options = "FORMAT parquet"
    elif fmt == "jsonl":
        options = "FORMAT json"
    else:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", code="export.format")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        con.execute(f"COPY ({query}) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' ({options})")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
