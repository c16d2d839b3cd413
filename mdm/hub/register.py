"""Registering a pandas DataFrame with a DuckDB connection, safely."""

from __future__ import annotations

from typing import Any

import duckdb


def register(con: duckdb.DuckDBPyConnection, name: str, frame: Any) -> None:
    """``con.register`` after draining any pending result.

    DuckDB 2 refuses to register a view while the connection still holds an unfinished
    result from ``execute()`` (seen after large INSERTs); a trivial fetched statement
    closes it first.
    """
    con.execute("SELECT 1").fetchall()
    con.register(name, frame)
