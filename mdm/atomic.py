"""Writing a file so that a reader sees the old file or the whole new one, never half of one:
the one atomic writer behind reports, exports, saved models and CLI output files.

The new content goes to a temporary file in the target's folder (a rename never crosses file
systems), is flushed to disk, then replaces the target; on any error the temporary file is
removed and an existing target is left untouched. Missing parent folders are created. The new
file keeps the old one's permissions (0644 for a new file: outputs are meant to be shared).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "write_text"]


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` to write (by any means, DuckDB's COPY included); when the
    block ends without error it replaces ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:   # what a writer left in the OS cache reaches the disk first
            os.fsync(fh.fileno())
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically; returns the path."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)
