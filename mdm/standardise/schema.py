"""The ``record_std`` table and the per-standardiser caches: columns, the lookup index, cache versions."""

from __future__ import annotations

import duckdb

from mdm.config import Dictionary
from mdm.hub.sql import ident
from mdm.standardise.registry import STANDARDISERS, get


def std_columns(dictionary: Dictionary) -> dict[str, str]:
    """Every column ``record_std`` can hold for this dictionary, with its DuckDB type."""
    cols: dict[str, str] = {}
    for name, attr in dictionary.attributes.items():
        if not attr.standardiser or attr.standardiser not in STANDARDISERS:
            continue
        spec = get(attr.standardiser)
        cols[name] = "VARCHAR"
        cols[f"{name}__valid"] = "BOOLEAN"
        cols[f"{name}__reason"] = "VARCHAR"
        cols.update({f"{name}__{f}": "VARCHAR" for f in spec.fields[3:]})
    return cols


def ensure_record_std(con: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    """Create ``record_std`` with all its columns up front, outside the run's transaction.

    Adding columns to a table inside the long run transaction and then filling them with
    INSERT ... BY NAME made DuckDB 2.0 return NULL for those columns to later reads in the
    same transaction (seen at 1M rows; fine after commit). Creating the full schema first,
    committed, avoids ALTER TABLE inside the run altogether.
    """
    cols = std_columns(dictionary)
    con.execute("CREATE TABLE IF NOT EXISTS record_std (source VARCHAR NOT NULL, source_id VARCHAR NOT NULL)")
    have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
    for name, typ in cols.items():
        if name not in have:
            con.execute(f"ALTER TABLE record_std ADD COLUMN {ident(name)} {typ}")
    index_record_std(con)


def index_record_std(con: duckdb.DuckDBPyConnection) -> None:
    """The single-column index the server's record lookups use (see mdm/hub/schema.py, v6)."""
    from mdm.hub.schema import RECORD_STD_INDEX

    con.execute(RECORD_STD_INDEX)


def key_type(con: duckdb.DuckDBPyConnection, table: str, key: str) -> str:
    for name, typ, *_ in con.execute(f"DESCRIBE {table}").fetchall():
        if name == key:
            return str(typ)
    return "VARCHAR"


#: bumped when a standardiser's results change for values it has cached before, so caches made by
#: an older mdm are rebuilt rather than trusted (2: non-US street parts, family-name-first pinyin,
#: Chinese resident ids; email 2: more placeholder addresses; email 3: provider typos corrected;
#: state 2: ISO 3166-2 subdivisions outside North America)
CACHE_VERSIONS: dict[str, int] = {"address": 2, "full_name": 2, "national_id": 2, "email": 3, "state": 2}
_VERSIONS = "std_versions"  # not std_cache__*: the caches are found by that prefix


def _cache_version(std_name: str) -> str:
    std = get(std_name)
    return f"{CACHE_VERSIONS.get(std.name, 1)}:{','.join(std.fields)}"


def _check_cache_version(con: duckdb.DuckDBPyConnection, std_name: str) -> None:
    """Drop a cache made for other fields or an older version of its standardiser."""
    want = _cache_version(std_name)
    con.execute(f"CREATE TABLE IF NOT EXISTS {_VERSIONS} (name VARCHAR NOT NULL, version VARCHAR NOT NULL)")
    row = con.execute(f"SELECT max(version) FROM {_VERSIONS} WHERE name = ?", [std_name]).fetchone()
    have = row[0] if row else None
    if have == want:
        return
    table = f"std_cache__{std_name}"
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()
    if exists and exists[0]:
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()][2:]
        if have is not None or f"1:{','.join(cols)}" != want:  # a cache from before versions: fields as made
            con.execute(f"DROP TABLE {table}")
    con.execute(f"DELETE FROM {_VERSIONS} WHERE name = ?", [std_name])
    con.execute(f"INSERT INTO {_VERSIONS} VALUES (?, ?)", [std_name, want])


def ensure_cache(con: duckdb.DuckDBPyConnection, std_name: str) -> None:
    """The cache table of one standardiser: one row per (ctx, raw).

    No PRIMARY KEY: its index made every insert about ten times slower (a fifth of this
    process's SQL time at 1M records). Rows are unique because only pairs the cache lacks are
    ever added (the ANTI JOIN in ``start_fill``, over DISTINCT pairs, one job per standardiser
    at a time); tests/standardise/test_std_stage.py checks it. Caches made with the key keep it.
    """
    std = get(std_name)
    _check_cache_version(con, std.name)
    extra = "".join(f", {ident(f)} VARCHAR" for f in std.fields[3:])
    con.execute(f"""CREATE TABLE IF NOT EXISTS std_cache__{std.name} (
                    ctx VARCHAR NOT NULL, raw VARCHAR NOT NULL, value VARCHAR, valid BOOLEAN NOT NULL,
                    reason VARCHAR{extra})""")

