"""Splink's DuckDB connection: bounded memory, a private scratch folder removed on close."""

from __future__ import annotations

import os

from mdm.match.engine import DuckDBEngine, default_memory_limit


def test_duckdb_engine_memory_is_bounded_and_spills_to_its_own_folder() -> None:
    engine = DuckDBEngine(threads=1, memory_limit="512MB")
    try:
        limit = engine.con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert limit is not None and limit[0].replace(" ", "").upper().startswith(("488", "512"))
        temp = engine.con.execute("SELECT current_setting('temp_directory')").fetchone()
        assert temp is not None and os.path.isdir(temp[0]) and "mdm-splink-" in temp[0]
    finally:
        engine.close()
    assert not os.path.exists(temp[0])


def test_default_memory_limit_is_a_bounded_share_of_the_machine() -> None:
    mb = int(default_memory_limit().removesuffix("MB"))
    assert 1024 <= mb <= 3072
