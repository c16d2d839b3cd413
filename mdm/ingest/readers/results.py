"""What every reader returns: the rows it read, the rows it rejected and why, how lines were decoded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

DELIMITED = {".csv", ".tsv", ".txt"}
JSONL = {".jsonl", ".ndjson"}
FORMATS = sorted(DELIMITED | JSONL | {".parquet", ".xlsx"})
_CHUNK = 1 << 22
#: Encodings tried when ``encoding: auto`` and the file is not UTF-8, most specific first.
AUTO_CANDIDATES = ("gb18030", "big5", "cp1252")
#: a quoted value spanning more physical lines than this is a runaway quote, not an address
MAX_RECORD_LINES = 100
#: a record (or a physical line) longer than this many characters is rejected as ``row.too_long``
MAX_RECORD_CHARS = 1 << 23


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


