"""``mdm export golden|xref|quarantine|tasks|flags``: hub tables as csv, parquet or jsonl files.

Columns follow DESIGN 3.2: ``golden`` starts with ``golden_id`` and then the dictionary's
attributes; ``xref`` starts with ``source, source_id, golden_id``. Files are written to a
temporary name and renamed, so a failed export leaves no partial file.

Every file is written for one kind of reader, and that decides its CSV cells:

- **machine files** are read by programs that look rows up by their ids: the ``xref``
  export, the CRM/ERP upsert and merge files of ``mdm publish`` and ``mdm cleanse``'s
  ``xref``. Every value is written exactly as the hub holds it: a source id ``=1+1`` stays
  ``=1+1`` and ``-2`` stays ``-2``, so a key read back equals the real id. Open one in a
  spreadsheet through its import dialog, as text.
- **human files** are opened in spreadsheets: the ``golden``, ``quarantine``, ``tasks`` and
  ``flags`` exports, the decay audit's re-verification worklist and ``mdm cleanse``'s
  ``golden`` and ``quarantine``. A text cell a spreadsheet would run as a formula (say a
  ``=HYPERLINK(...)`` a web form let in) gets a leading ``'``: one starting with ``=`` or
  ``@`` (or a tab / carriage return), or with ``+`` / ``-`` unless it is a signed number
  (``+1 (415) 555-0100``, ``-2`` and ``-12.5`` are numbers, not formulas; ``+SUM(A1)`` and
  ``-2+3*cmd`` are quoted), so an E.164 phone stays ``+14155550100``.
  **Key columns are never changed**, so a row can still be looked up: ``source`` and every
  column named ``*_id`` or ``unique_id*`` (``golden_id``, ``source_id``, ``unique_id_l``...).

Parquet and jsonl files are typed and never evaluated: every value is exact in both kinds
(the way to load golden values into another system exactly, besides ``mdm publish``).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Literal

import duckdb

from mdm.atomic import replacing
from mdm.config import Dictionary
from mdm.errors import HubError, InputError
from mdm.hub.sql import ident, literal

Kind = Literal["golden", "xref", "quarantine", "tasks", "flags"]
Format = Literal["csv", "parquet", "jsonl"]
KINDS: tuple[str, ...] = ("golden", "xref", "quarantine", "tasks", "flags")
FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")

_TABLES = {"golden": "golden", "xref": "xref", "quarantine": "quarantine", "tasks": "review_task",
           "flags": "record_flag"}

#: who reads a file (see the module docstring): a machine gets exact values, a human formula-safe cells
Reader = Literal["machine", "human"]
#: the reader of each ``mdm export`` kind
READERS: dict[str, Reader] = {"golden": "human", "xref": "machine", "quarantine": "human", "tasks": "human",
                              "flags": "human"}



def export_query(kind: str, dictionary: Dictionary) -> str:
    if kind == "golden":
        attrs = ", ".join(f"record->>'{a}' AS {ident(a)}" for a in dictionary.names)
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


#: file name endings of each format; a file without an ending is csv
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def format_for(out: Path, fmt: str | None) -> str:
    """The format to write ``out`` in: ``fmt``, else the file's ending. An ending that names
    another format (``x.xlsx``, or ``x.parquet`` with ``--format csv``) is an error, never a
    file whose name says one thing and whose bytes another."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}", code="export.format")
    suffix = out.suffix.lower()
    named = SUFFIXES.get(suffix)
    if suffix and named is None:
        raise InputError(f"--out {out}: {suffix} files are not written; name the file .csv, .parquet or .jsonl "
                         "(a spreadsheet opens .csv)", code="export.format")
    if fmt is not None and named is not None and named != fmt:
        raise InputError(f"--out {out} is a {named} file name but --format is {fmt}; make them agree",
                         code="export.format")
    return fmt or named or "csv"


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
    write_query(con, query, out, fmt, reader=READERS[kind])
    row = con.execute(f"SELECT count(*) FROM ({export_query(kind, dictionary)})").fetchone()
    return int(row[0]) if row else 0


#: a text cell a spreadsheet would run as a formula: = @ tab CR, or + / - unless a signed number
FORMULA = (r"(regexp_matches({c}, '^[=@\t\r]') OR (regexp_matches({c}, '^[+\-]') "
           r"AND NOT regexp_matches({c}, '^[+\-][0-9 ().\-]*$')))")


def is_key(column: str) -> bool:
    """A column that identifies a row: never changed, even in a human file."""
    return column == "source" or column.endswith("_id") or column.startswith("unique_id")


def write_query(con: duckdb.DuckDBPyConnection, query: str, out: Path, fmt: str, *, reader: Reader = "human",
                keys: Collection[str] | None = None) -> None:
    """COPY ``query`` to ``out`` (csv with a header, parquet or jsonl) via a temporary file
    and a rename. For a ``human`` reader, CSV text cells that are formulas get a leading
    ``'``, except in key columns (``keys``; default: the columns :func:`is_key` names); a
    ``machine`` reader gets every value exactly (see the module docstring)."""
    if reader not in ("machine", "human"):
        raise ValueError(f"reader is 'machine' or 'human', not {reader!r}")
    cur = con.execute(f"SELECT * FROM ({query}) LIMIT 0")
    columns = [d[0] for d in cur.description]
    types = [str(d[1]) for d in cur.description]
    keyed = set(keys) if keys is not None else {c for c in columns if is_key(c)}
    if fmt == "csv":
        if reader == "human":
            quote = "''''"
            cells = ", ".join(
                f"CASE WHEN {FORMULA.format(c=ident(c))} THEN {quote} || {ident(c)} ELSE {ident(c)} END AS {ident(c)}"
                if t.upper() in ("VARCHAR", "STRING") and c not in keyed else ident(c)
                for c, t in zip(columns, types, strict=True))
            query = f"SELECT {cells} FROM ({query})"
        options = "FORMAT csv, HEADER true"
    elif fmt == "parquet":
        options = "FORMAT parquet"
    elif fmt == "jsonl":
        options = "FORMAT json"
    else:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", code="export.format")
    with replacing(out) as tmp:
        con.execute(f"COPY ({query}) TO {literal(str(tmp))} ({options})")
