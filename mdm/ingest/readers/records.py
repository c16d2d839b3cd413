"""The one parser for delimited text: a single pass of Python's C csv reader.

The reader runs in strict mode over the file's physical lines (:func:`.encodings.text_blocks`)
and every record is judged as it comes:

* a one-line record of the header's width, holding no undecodable or overlong line, is a row
  (the fast path: no Python work beyond the width check);
* when the strict reader refuses a record (a closing quote followed by text, a quote still
  open at the end of the file), the same record is read again by a lenient reader, from its
  first line to wherever it really ends, and the strict reader starts afresh after it. Such a
  record is rejected whole (``row.unterminated_quote``, or ``row.ragged`` when it also has the
  wrong width), unless it is a runaway quote;
* a *runaway quote* (a quoted value still open at the end of the file, spanning more than
  :data:`MAX_RECORD_LINES` lines, or leaving its record ragged while a line inside it is a whole
  record by itself) is split back into its physical lines, each judged on its own;
* any other record is rejected with its raw text when it holds a line no encoding could read
  (``row.encoding``), is longer than :data:`MAX_RECORD_CHARS` (``row.too_long``) or is ragged
  (``row.ragged``).

Line numbers are physical lines of the file (the header is line 1; LF, CR LF and a lone CR
each end a line). Rows come out in batches of lists of strings, for the caller to copy into
DuckDB; nothing is dropped without a :class:`Reject`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from mdm.errors import InputError
from mdm.ingest.readers.results import MAX_RECORD_CHARS, MAX_RECORD_LINES, Reject

if TYPE_CHECKING:
    from _csv import Reader

#: rows per batch: DuckDB's row group size, so that every INSERT of a batch fills whole row groups
#: (64 Ki-row batches made the copy three times slower)
BATCH_ROWS = 122_880


@dataclass
class Parsed:
    """What :func:`parse` found besides the rows: the header record and the rejects."""

    header: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def parse(blocks: Iterable[list[str]], delim: str, parsed: Parsed, *, bad: set[int], path: Path,
          encoding_message: str) -> Iterator[list[list[str]]]:
    """The rows of ``blocks`` (physical lines, see :func:`.encodings.text_blocks`) in batches of
    BATCH_ROWS (the last one smaller), each row as many values as the header has names; the
    header and the rejects go to ``parsed`` (the header before the first batch).

    ``bad`` holds the numbers of lines with undecodable bytes; it may grow while ``blocks`` is
    read, always before the reader reaches those lines.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    held: list[tuple[int, list[str]]] = []  # (first line number, lines) the current record may need
    long_lines: set[int] = set()
    prev = 0  # the last physical line of the previous record

    def feed() -> Iterator[list[str]]:
        start = 1
        for block in blocks:
            while held and held[0][0] + len(held[0][1]) <= prev + 1:
                del held[0]
            if max(map(len, block)) > MAX_RECORD_CHARS:
                long_lines.update(start + i for i, text in enumerate(block) if len(text) > MAX_RECORD_CHARS)
            held.append((start, block))
            start += len(block)
            yield block

    def raw(first: int, last: int) -> list[str]:
        out: list[str] = []
        for start, block in held:
            lo, hi = max(first, start), min(last, start + len(block) - 1)
            if lo <= hi:
                out += block[lo - start:hi - start + 1]
        return out

    lines = chain.from_iterable(feed())
    reader = _reader(lines, delim, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise InputError(f"{path}: the header row is malformed ({exc}); quote a column name that holds the "
                         "delimiter, a quote or a line break", code="input.no_header") from None
    parsed.header = _checked_header(header, reader.line_num, long_lines, path)
    prev = reader.line_num
    base = 0  # physical lines read before ``reader`` started
    width = len(parsed.header)
    judge = _Judge(width, delim, bad, long_lines, encoding_message, parsed.rejects)
    good = judge.good
    while True:
        try:
            for fields in reader:
                end = base + reader.line_num
                if end == prev + 1 and len(fields) == width and end not in bad and end not in long_lines:
                    good.append(fields)
                elif fields or end != prev + 1:
                    judge.record(prev + 1, fields, raw(prev + 1, end))
                prev = end
                if len(good) >= BATCH_ROWS:
                    yield good[:BATCH_ROWS]
                    good = judge.good = good[BATCH_ROWS:]
            break
        except csv.Error:
            end = base + reader.line_num
            lenient = _reader(chain(raw(prev + 1, end), lines), delim, strict=False)
            fields = next(lenient, [])
            end = prev + lenient.line_num
            judge.record(prev + 1, fields, raw(prev + 1, end), strict=False)
            prev = base = end
            reader = _reader(lines, delim, strict=True)
    if good:
        yield good


def _reader(lines: Iterable[str], delim: str, *, strict: bool) -> Reader:
    return csv.reader(lines, delimiter=delim, quotechar='"', doublequote=True, strict=strict)


def _checked_header(header: list[str], lines: int, long_lines: set[int], path: Path) -> list[str]:
    if lines > MAX_RECORD_LINES:
        raise InputError(f"{path}: the header row's quote is not closed within {MAX_RECORD_LINES} lines",
                         code="input.no_header")
    if any(n <= lines for n in long_lines):
        raise InputError(f"{path}: the header row is longer than {MAX_RECORD_CHARS:,} characters",
                         code="input.no_header")
    if any("\udc80" <= ch <= "\udcff" for name in header for ch in name):
        raise header_encoding_error(path)
    return [_lf(name) for name in header]


def header_encoding_error(path: Path) -> InputError:
    return InputError(f"{path}: the header row is not valid utf-8; set 'encoding:' in the source mapping to the "
                      "file's real encoding", code="input.encoding")


class _Judge:
    """Judges the records off the fast path and keeps the rows and rejects of one file."""

    def __init__(self, width: int, delim: str, bad: set[int], long_lines: set[int], encoding_message: str,
                 rejects: list[Reject]) -> None:
        self.width, self.delim, self.bad, self.long_lines = width, delim, bad, long_lines
        self.encoding_message = encoding_message
        self.rejects = rejects
        self.good: list[list[str]] = []

    def record(self, line: int, fields: list[str], raw: list[str], *, strict: bool = True) -> None:
        """A record off the fast path: multi-line, ragged, holding a marked line, or (``strict``
        false) one the strict reader refused, as the lenient reader reads it."""
        quote_error = None if strict else _quote_error(raw, self.delim)
        if self._runaway(raw, fields) or (quote_error and "end of data" in quote_error):
            self.lines(line, raw)
            return
        lines = range(line, line + len(raw))
        text = "".join(raw).rstrip("\r\n")
        if any(n in self.bad for n in lines):
            self._reject(line, text, "row.encoding", self.encoding_message)
        elif any(n in self.long_lines for n in lines) or len(text) > MAX_RECORD_CHARS:
            self._reject(line, text, "row.too_long", f"the record is longer than {MAX_RECORD_CHARS:,} characters")
        elif len(fields) != self.width:
            self._reject(line, text, "row.ragged", f"Expected Number of Columns: {self.width} Found: {len(fields)}")
        elif quote_error:
            self._reject(line, text, "row.unterminated_quote",
                         f"a closing quote is followed by text instead of the delimiter ({quote_error})")
        else:
            self.good.append([_lf(f) for f in fields] if len(raw) > 1 else fields)

    def lines(self, line: int, raw: list[str]) -> None:
        """Each physical line of a runaway record, judged on its own."""
        for n, text in enumerate(raw, start=line):
            if not text.strip():
                continue
            stripped = text.rstrip("\r\n")
            error = _quote_error([stripped], self.delim)
            fields = _split(stripped, self.delim)
            if n in self.bad:
                self._reject(n, stripped, "row.encoding", self.encoding_message)
            elif n in self.long_lines:
                self._reject(n, stripped, "row.too_long", f"the line is longer than {MAX_RECORD_CHARS:,} characters")
            elif error and "end of data" in error:
                self._reject(n, stripped, "row.unterminated_quote",
                             "a quoted value is not closed on its line; the lines after it were read on their own")
            elif len(fields) != self.width:
                self._reject(n, stripped, "row.ragged",
                             f"Expected Number of Columns: {self.width} Found: {len(fields)}")
            elif error:
                self._reject(n, stripped, "row.unterminated_quote",
                             f"a closing quote is followed by text instead of the delimiter ({error})")
            else:
                self.good.append(fields)

    def _runaway(self, raw: list[str], fields: list[str]) -> bool:
        """A quoted value that swallowed lines: it spans more than MAX_RECORD_LINES lines, or leaves
        the record ragged while a line between its first and last is a whole record by itself. (A
        multi-line record of the right width is a quoted address or note, however its lines look;
        so is a ragged two-line record, whose second line only holds the closing quote: it is
        rejected whole, as ragged.)"""
        if len(raw) > MAX_RECORD_LINES:
            return True
        return (len(raw) > 1 and len(fields) != self.width
                and any(len(_split(text, self.delim)) == self.width for text in raw[1:-1]))

    def _reject(self, line: int, text: str, code: str, message: str) -> None:
        self.rejects.append(Reject(line=line, raw=_escaped(_lf(text)), code=code, message=message))


def _quote_error(lines: list[str], delim: str) -> str | None:
    """What the strict reader says about ``lines``, or None when it reads them."""
    try:
        for _ in _reader(lines, delim, strict=True):
            pass
    except csv.Error as exc:
        return str(exc)
    return None


def _split(text: str, delim: str) -> list[str]:
    return next(_reader([text.rstrip("\r\n")], delim, strict=False), [])


def _lf(value: str) -> str:
    """Line breaks inside a quoted value as LF (CR LF and lone CR are export artefacts)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def _escaped(text: str) -> str:
    """``text`` with undecodable bytes shown as ``\\xNN`` (for a quarantine row's raw text)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
