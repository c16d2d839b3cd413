"""Encodings: detection, line-by-line judgement of mixed files, streaming transcoding to UTF-8."""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Iterator
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


