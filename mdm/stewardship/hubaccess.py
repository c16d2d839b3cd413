"""The server's hold on the hub: one connection, a cursor per request, one writer at a time.

DuckDB allows one writing process per file, so ``mdm serve`` opens the hub once and keeps
it; every request works on its own cursor (a cursor is a connection to the same
database, safe to use from its own thread). Writes from the API are short transactions
serialised by :attr:`HubAccess.write_lock`, so optimistic-concurrency checks such as
``WHERE version = ?`` see every earlier write; a pipeline run started through the API
holds the same lock for its whole transaction, and API writes that cannot get the lock
in time fail with :class:`~mdm.errors.HubBusyError` (HTTP 503) instead of piling up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mdm.errors import ConflictError, HubBusyError
from mdm.hub import Hub, open_hub, transaction


@dataclass
class HubAccess:
    """An open hub shared by the server's threads."""

    hub: Hub
    write_timeout: float = 10.0
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, path: Path, attributes: list[str] | None = None, memory_limit: str | None = None) -> HubAccess:
        return cls(hub=open_hub(path, attributes, memory_limit=memory_limit))

    @property
    def path(self) -> Path:
        return self.hub.path

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one request (or one thread), closed afterwards."""
        cur = self.hub.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def writer(self, *, what: str = "this change") -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside an all-or-nothing transaction, holding the server's write lock."""
        if not self.write_lock.acquire(timeout=self.write_timeout):
            raise HubBusyError(f"the hub is busy (a pipeline run is writing it); retry {what} when the run "
                               "has finished (GET /api/v1/runs)")
        try:
            with self.cursor() as cur:
                try:
                    with transaction(cur):
                        yield cur
                except duckdb.TransactionException as exc:
                    raise ConflictError(f"{what} conflicted with a concurrent change; reload and retry "
                                        f"({str(exc).splitlines()[0]})") from None
        finally:
            self.write_lock.release()

    def close(self) -> None:
        self.hub.close()
