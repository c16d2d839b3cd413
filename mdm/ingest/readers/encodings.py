"""Encodings: detection, line-by-line judgement of mixed files, streaming decoding and transcoding."""

from __future__ import annotations

import codecs
import io
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

from mdm.errors import InputError
from mdm.ingest.readers.results import _CHUNK, AUTO_CANDIDATES, LineDecoding

# --------------------------------------------------------------------------- encodings

def detect_encoding(path: Path) -> str:
    """Return the file's encoding: utf-8 (with or without BOM) or one of AUTO_CANDIDATES.

    UTF-8 is checked over the whole file (fast, in C). Otherwise charset-normalizer
    ranks the candidates on a sample of lines holding non-ASCII bytes, and the winner
    must decode the whole file strictly.
    """
    return _detect(path)[0]


def _detect(path: Path) -> tuple[str, bool | None]:
    """:func:`detect_encoding`, and whether the whole file is known to decode with it (None: not checked)."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    if _decodes(path, "utf-8"):
        return "utf-8", True
    if _mostly_utf8(path):
        return "utf-8", False  # a mostly-UTF-8 file is read line by line (see LineDecoding)
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
            return enc, True
    return "latin-1", True  # decodes any byte sequence; reported so users can set the right one


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
def _as_utf8(path: Path, encoding: str, *, lines: LineDecoding | None = None,
             blank_bad: bool = False) -> Iterator[Path]:
    """Yield a UTF-8 (no BOM) version of ``path``: itself when already so, else a temp copy.

    With ``lines`` the file is decoded line by line (:class:`LineDecoding`); a line no
    encoding could read is copied as its raw bytes or, with ``blank_bad``, as an empty line
    (JSON lines: rejected from ``lines.bad_lines``). Delimited text is not copied: it is
    decoded as it is parsed (:func:`text_blocks`).
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
                    dst.write(data)
            yield out
        return
    if encoding in ("utf-8", "utf8"):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="mdm-read-") as tmp:
        out = Path(tmp) / (path.stem + ".utf8" + path.suffix)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    dst.write(decoder.decode(chunk))
                dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not valid {encoding} ({exc.reason} near byte {exc.start}); set 'encoding:' in the "
                "source mapping to the file's real encoding, or 'auto'", code="input.encoding",
            ) from None
        yield out


def _resolve_encoding(path: Path, encoding: str, fallback: str | None) -> tuple[str, LineDecoding | None]:
    """The file's encoding, and a :class:`LineDecoding` when it is UTF-8 with lines that are not."""
    decodes: bool | None = None
    if encoding == "auto":
        enc, decodes = _detect(path)
    else:
        enc = codecs.lookup(encoding).name
        if enc == "utf-8":
            with path.open("rb") as fh:
                if fh.read(3) == codecs.BOM_UTF8:
                    enc = "utf-8-sig"
    if enc not in ("utf-8", "utf-8-sig") or (decodes if decodes is not None else _decodes(path, enc)):
        return enc, None
    if fallback is None and not _mostly_utf8(path):
        raise InputError(f"{path}: not valid utf-8; set 'encoding:' in the source mapping to the file's "
                         "real encoding, or 'auto'", code="input.encoding")
    return enc, LineDecoding(fallback)


#: characters of text per block :func:`text_blocks` hands over (a block ends at a line end)
_BLOCK_CHARS = 1 << 20


def text_blocks(path: Path, encoding: str, lines: LineDecoding | None,
                bad: set[int]) -> Generator[list[str], None, None]:
    """The file's text as blocks of physical lines, each line with its own ending, read once.

    Lines end at LF, CR LF or a lone CR (Python's universal newlines, kept untranslated); the
    first line loses a byte order mark. Decoding is streamed: with ``lines`` each physical line
    is decoded on its own (:class:`LineDecoding`) and a line no encoding reads is handed over with
    its undecodable bytes as surrogates (``surrogateescape``), its number added to ``bad``.
    """
    if lines is None:
        try:
            with path.open("r", encoding=encoding, errors="strict", newline="") as fh:
                first = True
                while block := fh.readlines(_BLOCK_CHARS):
                    if first and block[0].startswith("\ufeff"):
                        block[0] = block[0][1:]
                    first = False
                    yield block
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not valid {encoding} ({exc.reason}); set 'encoding:' in the source mapping to the "
                "file's real encoding, or 'auto'", code="input.encoding",
            ) from None
        return
    out: list[str] = []
    size, line = 0, 1
    with path.open("rb") as src:
        for n, raw in enumerate(src, start=1):
            text = lines.decode(raw, n)
            undecodable = text is None
            if text is None:
                text = raw.decode("utf-8", "surrogateescape")
            if n == 1:
                text = text.lstrip("\ufeff")
            parts = io.StringIO(text, newline="").readlines() if "\r" in text else [text]
            if undecodable:
                bad.update(range(line, line + len(parts)))
            out += parts
            line += len(parts)
            size += len(text)
            if size >= _BLOCK_CHARS:
                yield out
                out, size = [], 0
    if out:
        yield out
