"""Readers: any supported source file -> a DuckDB table of VARCHAR columns.

Every reader produces the same shape, a temp table with ``_row`` (1-based ordinal of
the data record in the file) followed by the file's own columns as text, plus the rows
it could not parse (:class:`Reject`). Nothing is dropped silently: a structurally
broken row (ragged, unterminated quote, invalid JSON) is returned as a reject with its
raw text so the caller can quarantine it.

Delimited text and JSON lines are parsed by DuckDB; files in encodings DuckDB does not
read natively (GB18030, Big5, cp1252, ...) are first transcoded to UTF-8 in streaming
chunks. XLSX goes through openpyxl's streaming reader (workbooks are bounded in size).

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
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mdm.errors import InputError
from mdm.hub.register import register
from mdm.hub.sql import ident, literal

DELIMITED = {".csv", ".tsv", ".txt"}
JSONL = {".jsonl", ".ndjson"}
FORMATS = sorted(DELIMITED | JSONL | {".parquet", ".xlsx"})
_CHUNK = 1 << 22
#: Encodings tried when ``encoding: auto`` and the file is not UTF-8, most specific first.
AUTO_CANDIDATES = ("gb18030", "big5", "cp1252")
#: a quoted value spanning more physical lines than this is a runaway quote, not an address
MAX_RECORD_LINES = 100


@dataclass(frozen=True)
class Reject:
    """A record the reader could not parse: quarantined with its raw text."""

    line: int | None
    raw: str
    code: str
    message: str


@dataclass
class LineDecoding:
    """How a mostly-UTF-8 file was decoded line by line (see the module docstring)."""

    fallback: str | None
    #: lines decoded by the fallback encoding
    fallback_lines: list[int] = field(default_factory=list)
    #: line -> its raw bytes, escaped (``\\xNN``): lines neither UTF-8 nor the fallback could read
    bad_lines: dict[int, str] = field(default_factory=dict)

    def decode(self, raw: bytes, line: int) -> str | None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if self.fallback:
            try:
                text = raw.decode(self.fallback)
            except UnicodeDecodeError:
                pass
            else:
                self.fallback_lines.append(line)
                return text
        self.bad_lines[line] = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
        return None

    def reject_message(self) -> str:
        tried = f"UTF-8 nor {self.fallback}" if self.fallback else "UTF-8"
        hint = "" if self.fallback else "; name its encoding with 'encoding_fallback:' in the source mapping"
        return f"line is not valid {tried} (the rest of the file is){hint}"


@dataclass
class ReadResult:
    table: str
    format: str
    encoding: str | None
    delimiter: str | None
    columns: list[str]
    rows: int
    rejects: list[Reject] = field(default_factory=list)
    #: lines decoded by the mapping's ``encoding_fallback`` in a mixed-encoding file
    fallback_lines: int = 0

    @property
    def rows_read(self) -> int:
        return self.rows + len(self.rejects)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


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


# --------------------------------------------------------------------------- encodings

def detect_encoding(path: Path) -> str:
    """Return the file's encoding: utf-8 (with or without BOM) or one of AUTO_CANDIDATES.

    UTF-8 is checked over the whole file (fast, in C). Otherwise charset-normalizer
    ranks the candidates on a sample of lines holding non-ASCII bytes, and the winner
    must decode the whole file strictly.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(path, "utf-8") or _mostly_utf8(path):
        return "utf-8"  # a mostly-UTF-8 file is read line by line (see LineDecoding)
    sample = _non_ascii_sample(path)
    ranked = list(AUTO_CANDIDATES)
    try:
        from charset_normalizer import from_bytes

        results = from_bytes(sample, cp_isolation=list(AUTO_CANDIDATES))
        best = [m.encoding for m in results]
        ranked = [e for e in best if e in AUTO_CANDIDATES] + [e for e in AUTO_CANDIDATES if e not in best]
    except (ImportError, ValueError):  # pragma: no cover - detector unavailable: fall back to order
        pass
    for enc in ranked:
        if _decodes(path, enc):
            return enc
    return "latin-1"  # decodes any byte sequence; reported so users can set the right one


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(path: Path) -> bool:
    """At least half of the lines holding non-ASCII bytes are valid UTF-8 (which text in a legacy
    encoding almost never is by chance): the file is UTF-8 with a few lines in something else."""
    ok = bad = 0
    with path.open("rb") as fh:
        for line in fh:
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad += 1
            else:
                ok += 1
    return ok > 0 and ok >= bad


def _non_ascii_sample(path: Path, limit: int = 256_000) -> bytes:
    out = bytearray()
    with path.open("rb") as fh:
        for line in fh:
            if any(b > 127 for b in line):
                out += line
                if len(out) >= limit:
                    break
    return bytes(out)


@contextmanager
def _as_utf8(path: Path, encoding: str, *, newlines: bool = False, lines: LineDecoding | None = None,
             blank_bad: bool = False) -> Iterator[Path]:
    """Yield a UTF-8 (no BOM) version of ``path``: itself when already so, else a temp copy.

    With ``newlines`` the copy also has every CR LF and lone CR turned into LF: files
    with mixed line endings (spreadsheet exports, concatenated feeds) otherwise confuse
    the CSV parser. A CR LF inside a quoted value becomes LF, which no customer value
    needs to keep.

    With ``lines`` the file is decoded line by line (:class:`LineDecoding`); a line no
    encoding could read is copied as its raw bytes (for the CSV reader to reject) or, with
    ``blank_bad``, as an empty line (JSON lines: rejected from ``lines.bad_lines``).
    """
    if lines is not None:
        with tempfile.TemporaryDirectory(prefix="mdm-read-") as tmp:
            out = Path(tmp) / (path.stem + ".utf8" + path.suffix)
            with path.open("rb") as src, out.open("wb") as dst:
                for n, raw in enumerate(src, start=1):
                    text = lines.decode(raw, n)
                    if n == 1 and text is not None:
                        text = text.lstrip("\ufeff")
                    data = raw if text is None else text.encode("utf-8")
                    if text is None and blank_bad:
                        data = b"\n"
                    if newlines:
                        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                    dst.write(data)
            yield out
        return
    needs_newlines = newlines and _has_cr(path)
    if encoding in ("utf-8", "utf8") and not needs_newlines:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="mdm-read-") as tmp:
        out = Path(tmp) / (path.stem + ".utf8" + path.suffix)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        pending_cr = False
        try:
            with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    text = decoder.decode(chunk)
                    if needs_newlines:
                        if pending_cr:
                            text = "\r" + text
                        pending_cr = text.endswith("\r")
                        if pending_cr:
                            text = text[:-1]
                        text = text.replace("\r\n", "\n").replace("\r", "\n")
                    dst.write(text)
                tail = decoder.decode(b"", final=True) + ("\r" if pending_cr else "")
                dst.write(tail.replace("\r\n", "\n").replace("\r", "\n") if needs_newlines else tail)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not valid {encoding} ({exc.reason} near byte {exc.start}); set 'encoding:' in the "
                "source mapping to the file's real encoding, or 'auto'", code="input.encoding",
            ) from None
        yield out


def _has_cr(path: Path) -> bool:
    with path.open("rb") as fh:
        return any(b"\r" in chunk for chunk in iter(lambda: fh.read(_CHUNK), b""))


def _resolve_encoding(path: Path, encoding: str, fallback: str | None) -> tuple[str, LineDecoding | None]:
    """The file's encoding, and a :class:`LineDecoding` when it is UTF-8 with lines that are not."""
    if encoding == "auto":
        enc = detect_encoding(path)
    else:
        enc = codecs.lookup(encoding).name
        if enc == "utf-8":
            with path.open("rb") as fh:
                if fh.read(3) == codecs.BOM_UTF8:
                    enc = "utf-8-sig"
    if enc not in ("utf-8", "utf-8-sig") or _decodes(path, enc):
        return enc, None
    if fallback is None and not _mostly_utf8(path):
        raise InputError(f"{path}: not valid utf-8; set 'encoding:' in the source mapping to the file's "
                         "real encoding, or 'auto'", code="input.encoding")
    return enc, LineDecoding(fallback)


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
