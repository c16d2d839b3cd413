"""Opening the hub file, with a clear error when another process holds it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mdm.errors import HubBusyError, HubError
from mdm.hub.schema import RECORD_STD_INDEX, ensure_attribute_columns, migrate
from mdm.memory import default_limit


@dataclass
class Hub:
    """An open hub: the DuckDB connection and the file it belongs to."""

    path: Path
    con: duckdb.DuckDBPyConnection

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_hub(path: Path, attributes: list[str] | None = None, *, read_only: bool = False,
             memory_limit: str | None = None) -> Hub:
    """Open (creating on first use) the hub at ``path`` and migrate its schema.

    ``memory_limit`` bounds DuckDB's memory for this database (default: see
    :mod:`mdm.memory`); beyond it DuckDB spills to ``<hub>.tmp`` instead of growing.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise HubError(f"hub {path} does not exist yet; run `mdm run` first", code="hub.missing")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = re.search(r"PID (\d+)", text)
            who = f" (PID {pid.group(1)})" if pid else ""
            raise HubBusyError(
                f"hub {path} is in use by another process{who}, usually `mdm serve`; stop it, or start "
                "the run through the server (POST /api/v1/runs)"
            ) from None
        raise HubError(f"hub {path} cannot be opened: {text.splitlines()[0]}") from None
    except duckdb.Error as exc:
        raise HubError(f"hub {path} cannot be opened: {str(exc).splitlines()[0]}; is it a DuckDB file?") from None
    try:
        con.execute(f"SET memory_limit = '{memory_limit or default_limit()}'")
    except duckdb.Error as exc:
        con.close()
        raise HubError(f"hub {path}: memory_limit {memory_limit!r} is not a memory size "
                       f"({str(exc).splitlines()[0]}); use e.g. 3GB") from None
    if not read_only:
        with transaction(con):
            migrate(con)
            if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'record_std'").fetchone() != (0,):
                con.execute(RECORD_STD_INDEX)
            if attributes:
                ensure_attribute_columns(con, attributes)
    return Hub(path=path, con=con)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing unit of work: commit on success, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
