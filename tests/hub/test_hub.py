"""Hub: versioned schema, single-writer lock mapped to a clear error, atomic transactions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mdm.errors import HubBusyError, HubError
from mdm.hub import SCHEMA_VERSION, open_hub, transaction


def test_created_on_first_use_with_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "hub.duckdb"
    with open_hub(path, ["first_name", "email"]) as hub:
        assert hub.con.execute("SELECT max(version) FROM schema_version").fetchone() == (SCHEMA_VERSION,)
        cols = [r[0] for r in hub.con.execute("DESCRIBE record").fetchall()]
        assert cols[-2:] == ["first_name", "email"]
    with open_hub(path, ["first_name", "email", "phone"]) as hub:  # re-open: migrate is idempotent
        assert hub.con.execute("SELECT count(*) FROM schema_version").fetchone() == (SCHEMA_VERSION,)
        assert "phone" in [r[0] for r in hub.con.execute("DESCRIBE record").fetchall()]


def test_second_writer_gets_hub_busy(tmp_path: Path) -> None:
    path = tmp_path / "hub.duckdb"
    code = (f"from mdm.hub import open_hub; import sys, time; h = open_hub({str(path)!r}); "
            "print('ready', flush=True); sys.stdin.readline()")
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(HubBusyError) as info:
            open_hub(path)
        assert info.value.code == "hub.busy"
        assert f"PID {holder.pid}" in info.value.message and "mdm serve" in info.value.message
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    open_hub(path).close()  # free again once the holder exits


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    path = tmp_path / "hub.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HubError, match="cannot be opened"):
        open_hub(path)


def test_read_only_missing(tmp_path: Path) -> None:
    with pytest.raises(HubError, match="does not exist yet"):
        open_hub(tmp_path / "none.duckdb", read_only=True)


def test_transaction_rolls_back(tmp_path: Path) -> None:
    with open_hub(tmp_path / "hub.duckdb") as hub:
        hub.con.execute("CREATE TABLE t (x INT)")
        with pytest.raises(RuntimeError), transaction(hub.con):
            hub.con.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
        assert hub.con.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_hub_memory_is_bounded_by_default_and_spills_beside_the_hub(tmp_path: Path) -> None:
    """Without a bound DuckDB may take 80% of RAM for the hub; a run's one transaction then
    pins everything it writes (15 GB at 1M records). The default is half the run budget."""
    from mdm.memory import default_limit, physical_memory

    path = tmp_path / "hub.duckdb"
    with open_hub(path) as hub:
        row = hub.con.execute("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert row is not None
    limit, temp = row
    mb = int(default_limit().removesuffix("MB"))
    ram = physical_memory()
    assert ram is not None and 1024 <= mb <= 3072 and mb * 2**20 <= ram / 4
    number, unit = limit.split()
    reported = float(number) * {"MiB": 2**20, "GiB": 2**30}[unit]
    assert abs(reported - mb * 1e6) <= 0.05 * mb * 1e6  # DuckDB reads "MB" as 10^6 bytes
    assert temp == str(path) + ".tmp"


def test_bad_memory_limit_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "hub.duckdb"
    with pytest.raises(HubError) as info:
        open_hub(path, memory_limit="a lot")
    assert "memory_limit" in str(info.value) and "\n" not in str(info.value)
    with open_hub(path) as hub:  # nothing held: the hub opens again
        assert hub.con.execute("SELECT 1").fetchone() == (1,)
