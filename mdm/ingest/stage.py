"""Staging one source file: read, map onto the dictionary, validate, decide quarantine.

``stage_file`` works on any DuckDB connection (an in-memory one for ``mdm profile``
and ``mdm cleanse``, the hub's inside a transaction for ``mdm run``) and leaves temp
tables behind for the caller to persist:

* ``_mapped``  one row per parsed record: ``_row, source_id, updated_at_raw, updated_at``,
  then one raw VARCHAR column per mapped attribute, and ``_raw`` (the whole source row as JSON);
* ``_findings`` invalid values (validation findings, see :mod:`mdm.ingest.validate`);
* ``_quarantine`` rows that cannot be used: ``_row, line, source_id, raw_row, reason_codes, messages``.

A row is quarantined only when it cannot be used: no source id, a source id repeated
in the batch (the most recently updated copy is kept), structurally broken, or a rule
of severity ``reject``. A bad value in an ordinary attribute is only flagged.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from mdm.config import Dictionary, SourceMapping
from mdm.errors import InputError
from mdm.hub.register import register
from mdm.hub.sql import ident, literal
from mdm.ingest.readers import ReadResult, read_source
from mdm.ingest.validate import (
    CONTROL_RANGES,
    FINDING_COLUMNS,
    INVISIBLE_RANGES,
    char_class,
    usable_updated_at,
    validate_frame,
)

__all__ = ["Staged", "stage_file"]


@dataclass(frozen=True)
class Staged:
    """Counts and facts about one staged file; the rows are in the temp tables."""

    path: Path
    source: str
    read: ReadResult
    attributes: list[str]
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    values_flagged: int

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_accepted + self.rows_quarantined:  # the "nothing is lost" invariant
            raise AssertionError(
                f"{self.path}: rows_read {self.rows_read} != accepted {self.rows_accepted} + "
                f"quarantined {self.rows_quarantined}"
            )


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, mapping: SourceMapping, dictionary: Dictionary,
               *, today: dt.date | None = None) -> Staged:
    path = Path(path)
    read = read_source(con, path, encoding=mapping.encoding, encoding_fallback=mapping.encoding_fallback,
                       delimiter=mapping.delimiter, sheet=mapping.sheet)
    _check_columns(path, mapping, read.columns)
    attributes = [a for a in dictionary.names if a in mapping.columns]
    formats = mapping.date_formats or dictionary.date_formats

    cols = [f"{_visible(ident(mapping.columns[a]))} AS {ident(a)}" for a in attributes]
    upd = _visible(ident(mapping.updated_at_column)) if mapping.updated_at_column else "NULL"
    raw_struct = ", ".join(f"{literal(c)}: {ident(c)}" for c in read.columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _mapped AS
            SELECT _row, {_source_id(ident(mapping.id_column))} AS source_id,
                   CAST({upd} AS VARCHAR) AS updated_at_raw, CAST(NULL AS TIMESTAMP) AS updated_at
                   {''.join(', ' + c for c in cols)},
                   CAST(to_json({{{raw_struct}}}) AS VARCHAR) AS _raw
            FROM {read.table} ORDER BY _row"""
    )
    con.execute(f"DROP TABLE {read.table}")

    frame = con.execute(
        f"SELECT _row, updated_at_raw AS updated_at{''.join(', ' + ident(a) for a in attributes)} FROM _mapped"
    ).df()
    usable = None
    if mapping.updated_at_column:
        usable, upd_findings = _updated_at(con, frame, formats, today)
    findings = validate_frame(frame, dictionary, mapping, today, updated_at=usable)
    if mapping.updated_at_column:
        findings = pd.concat([f for f in (findings, upd_findings) if len(f)] or [findings], ignore_index=True)
    del frame
    register(con, "_findings_df", findings.astype({"_row": "int64"}) if len(findings) else
                 pd.DataFrame({c: pd.Series(dtype="int64" if c == "_row" else "string") for c in FINDING_COLUMNS}))
    con.execute("CREATE OR REPLACE TEMP TABLE _findings AS SELECT * FROM _findings_df")
    con.unregister("_findings_df")

    _decide_quarantine(con, read)
    row = con.execute("SELECT (SELECT count(*) FROM _mapped), (SELECT count(*) FROM _quarantine)").fetchone()
    assert row is not None
    parsed, quarantined, flagged = int(row[0]), int(row[1]), count_flagged(con)
    rejected_rows = len(read.rejects)
    return Staged(
        path=path, source=mapping.source, read=read, attributes=attributes,
        rows_read=parsed + rejected_rows, rows_accepted=parsed + rejected_rows - quarantined,
        rows_quarantined=quarantined, values_flagged=flagged,
    )


def count_flagged(con: duckdb.DuckDBPyConnection) -> int:
    """Flagged values (attribute of a record) of accepted rows in ``_findings``."""
    row = con.execute(
        """SELECT count(*) FROM (SELECT DISTINCT _row, attribute FROM _findings WHERE severity = 'flag'
             AND _row NOT IN (SELECT _row FROM _quarantine WHERE _row IS NOT NULL))"""
    ).fetchone()
    return int(row[0]) if row else 0



_INVISIBLE_SQL = literal(char_class(INVISIBLE_RANGES, sql=True))
_INVISIBLE_ENDS_SQL = literal(f"^{char_class(INVISIBLE_RANGES, sql=True)}+|{char_class(INVISIBLE_RANGES, sql=True)}+$")
_CONTROL_SQL = literal(char_class(CONTROL_RANGES, sql=True))


def _visible(column: str) -> str:
    """The value as read, or NULL when it shows nothing (white space, format or control characters only)."""
    return f"CASE WHEN regexp_replace({column}, {_INVISIBLE_SQL}, '', 'g') <> '' THEN {column} END"


def _source_id(column: str) -> str:
    """The source id without invisible characters around it (tabs, zero-width spaces, a BOM); NULL
    when nothing visible is left."""
    return f"nullif(regexp_replace({column}, {_INVISIBLE_ENDS_SQL}, '', 'g'), '')"


def _check_columns(path: Path, mapping: SourceMapping, have: list[str]) -> None:
    wanted = [mapping.id_column, *mapping.columns.values()]
    if mapping.updated_at_column:
        wanted.append(mapping.updated_at_column)
    missing = [c for c in wanted if c not in have]
    if missing:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(c, have, n=1)
            hints.append(f"'{c}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        where = mapping.path or f"mapping of source {mapping.source}"
        raise InputError(
            f"{path}: column(s) {', '.join(hints)} named in {where} are missing from the file; "
            f"the file has: {', '.join(have[:30])}{' ...' if len(have) > 30 else ''}",
            code="input.missing_columns",
        )


def _updated_at(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, formats: tuple[str, ...],
                today: dt.date | None) -> tuple[pd.Series, pd.DataFrame]:
    """Parse the source's updated-at column into ``_mapped.updated_at``; flag what does not parse
    (``updated_at.format``) or cannot be true (``updated_at.range``: kept out of recency and decay)."""
    usable, found = usable_updated_at(frame["updated_at"], formats, today)
    register(con, "_upd_df", pd.DataFrame({"_row": frame["_row"].astype("int64"), "ts": usable}))
    con.execute("UPDATE _mapped SET updated_at = u.ts FROM _upd_df u WHERE _mapped._row = u._row AND u.ts IS NOT NULL")
    con.unregister("_upd_df")
    found = found.assign(_row=frame.loc[found.index, "_row"].astype("int64").to_numpy())
    return usable, found[FINDING_COLUMNS].reset_index(drop=True)


def _decide_quarantine(con: duckdb.DuckDBPyConnection, read: ReadResult) -> None:
    """Collect every unusable row, with all its reasons, into ``_quarantine``."""
    rejects = pd.DataFrame(
        {"line": [r.line for r in read.rejects], "raw": [r.raw for r in read.rejects],
         "code": [r.code for r in read.rejects], "message": [r.message for r in read.rejects]},
    ).astype({"line": "Int64", "raw": "string", "code": "string", "message": "string"})
    register(con, "_rejects_df", rejects)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _quarantine AS
        WITH reasons AS (
            SELECT _row, 'id.missing' AS code, 'the record has no source id' AS message FROM _mapped
            WHERE source_id IS NULL
            UNION ALL
            SELECT _row, 'id.duplicate', 'source id ' || source_id || ' appears more than once in the batch; '
                   || 'the most recently updated copy (row ' || keep || ') was kept'
            FROM (SELECT _row, source_id,
                         first(_row ORDER BY updated_at DESC NULLS LAST, _row) OVER (PARTITION BY source_id) AS keep
                  FROM _mapped WHERE source_id IS NOT NULL)
            WHERE _row <> keep
            UNION ALL
            SELECT _row, 'id.control', 'the source id holds a control character (NUL, ESC, ...); '
                   || 'such a key cannot be matched back to its source'
            FROM _mapped WHERE regexp_matches(source_id, {_CONTROL_SQL})
            UNION ALL
            SELECT _row, code, attribute || ': ' || message FROM _findings WHERE severity = 'reject'
        )
        SELECT r._row, CAST(NULL AS BIGINT) AS line, m.source_id, m._raw AS raw_row,
               list(r.code ORDER BY r.code) AS reason_codes, list(r.message ORDER BY r.code) AS messages
        FROM reasons r JOIN _mapped m USING (_row)
        GROUP BY r._row, m.source_id, m._raw
        UNION ALL
        SELECT NULL, line, NULL, raw, [code], [message] FROM _rejects_df"""
    )
    con.unregister("_rejects_df")
