"""Readers: any supported source file -> a DuckDB table of VARCHAR columns.

Every reader produces the same shape, a temp table with ``_row`` (1-based ordinal of
the data record in the file) followed by the file's own columns as text, plus the rows
it could not parse (:class:`Reject`). Nothing is dropped silently: a structurally
broken row (ragged, unterminated quote, invalid JSON) is returned as a reject with its
raw text so the caller can quarantine it.

Delimited text is decoded as a stream and parsed once, by Python's C csv reader, which
also judges every record (:mod:`.records`); its delimiter, unless the mapping names one,
comes from DuckDB's ``sniff_csv``. JSON lines are parsed by DuckDB; files in encodings
DuckDB does not read natively (GB18030, Big5, cp1252, ...) are first transcoded to UTF-8
in streaming chunks. XLSX goes through openpyxl's streaming reader (workbooks are bounded
in size).

Two failure shapes are judged line by line rather than for the whole file:

* **mixed encodings**: a UTF-8 file with a few lines in another encoding (a cp1252 row
  pasted into a UTF-8 export) is read as UTF-8; each line that is not valid UTF-8 is
  decoded by the mapping's ``encoding_fallback`` or, without one, rejected with
  ``row.encoding``. The file is never downgraded to a single-byte encoding that would
  garble every other line;
* **runaway quotes**: a stray ``"`` opens a quoted field that swallows the lines after
  it. A record whose quoted field runs to the end of the file, spans more than
  :data:`MAX_RECORD_LINES` lines, or holds a line that is itself a whole record, is split
  back into its physical lines and each line is judged on its own.

The package: :mod:`.results` (what a reader returns), :mod:`.encodings`, :mod:`.delimited`
(the delimiter, the table), :mod:`.records` (the one CSV parser) and :mod:`.other` (JSON lines,
Parquet, XLSX); :func:`read_source` dispatches on the file type.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from mdm.errors import InputError
from mdm.ingest.readers.delimited import _read_delimited, sniff_delimiter
from mdm.ingest.readers.encodings import detect_encoding
from mdm.ingest.readers.other import _read_jsonl, _read_parquet, _read_xlsx
from mdm.ingest.readers.results import (
    DELIMITED,
    FORMATS,
    JSONL,
    MAX_RECORD_LINES,
    LineDecoding,
    ReadResult,
    Reject,
    sha256_of,
)


def read_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    encoding: str = "auto",
    encoding_fallback: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    table: str = "_src",
) -> ReadResult:
    """Load ``path`` into temp table ``table``; dispatch on the file extension."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found", code="input.file_missing")
    ext = path.suffix.lower()
    if ext in DELIMITED:
        return _read_delimited(con, path, encoding, encoding_fallback, delimiter, table)
    if ext in JSONL:
        return _read_jsonl(con, path, encoding, encoding_fallback, table)
    if ext == ".parquet":
        return _read_parquet(con, path, table)
    if ext == ".xlsx":
        return _read_xlsx(con, path, sheet, table)
    raise InputError(f"{path}: unsupported file type '{ext or '(none)'}'; use one of {', '.join(FORMATS)}",
                     code="input.unsupported_format")




__all__ = ["DELIMITED", "FORMATS", "JSONL", "MAX_RECORD_LINES", "LineDecoding", "ReadResult", "Reject",
           "detect_encoding", "read_source", "sha256_of", "sniff_delimiter"]
