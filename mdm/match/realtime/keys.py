"""Blocking keys in the hub: every record's keys under the batch blocking rules, in ``match_key``."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from mdm.errors import MdmError
from mdm.hub.sql import ident, literal
from mdm.match.features import census, feature_sql
from mdm.match.repair import (
    recovered,
)
from mdm.match.rules import BlockingRule, MatchRules, load_match_rules
from mdm.match.settings import Compiled, compile_settings, referenced_columns

SEP = "\x1f"  # between the values of a multi-column key
MAX_CANDIDATES = 200
#: a blocking key shared by more hub records than this is not looked up (see Matcher.candidates).
#: At 1M records 55 keys exceed 500 (common name parts in big postal codes); skipping them cut
#: the lookup's CPU p99 from 41 to 19 ms with the same top candidates on 400 benchmark queries.
#: No key at 100k comes near (largest block 119).
MAX_BLOCK = 500


log = logging.getLogger("mdm.match")


class RealtimeError(MdmError):
    """Real-time matching cannot run (no trained model, no match keys)."""

    code = "match.realtime"




# --------------------------------------------------------------------------- blocking keys


def compile_for_hub(con: duckdb.DuckDBPyConnection, rules: MatchRules, table: str = "record_std") -> Compiled:
    """The rules compiled for the columns the hub carries, exactly as the batch match stage does."""
    return compile_settings(rules, census(con, referenced_columns(rules), rules, table))


def key_expressions(blocking: Sequence[BlockingRule]) -> dict[str, str]:
    """rule label -> SQL over the match features giving the rule's key (NULL when a part is NULL).

    A key starts with a short code of its rule (``3f2a1c:john smith``), so the key alone
    identifies the lookup and a single-column index on ``key`` serves it: DuckDB 2.0 does not
    use the compound ``match_key_lookup (rule, key)`` index for point lookups (measured: a
    sequential scan), but does use single-column ones.
    """
    out: dict[str, str] = {}
    for rule in blocking:
        parts = [ident(k.column) if k.substr is None else f"substr({ident(k.column)}, {k.substr[0]}, {k.substr[1]})"
                 for k in rule.keys]
        guard = " AND ".join(f"{p} IS NOT NULL" for p in parts)
        out[rule.label] = (f"CASE WHEN {guard} THEN {literal(rule_code(rule.label))} || "
                           f"concat_ws(chr(31), {', '.join(parts)}) END")
    return out


def rule_code(label: str) -> str:
    """A short, stable prefix for a rule's keys (keeps the key index small)."""
    return hashlib.sha1(label.encode()).hexdigest()[:6] + ":"


#: DuckDB uses single-column ART indexes for point lookups, not the compound match_key_lookup
KEY_INDEX = "CREATE INDEX IF NOT EXISTS match_key_by_key ON match_key (key)"


def _blocking_columns(blocking: Sequence[BlockingRule]) -> list[str]:
    return list(dict.fromkeys(c for rule in blocking for c in rule.columns))


def _keys_select(compiled: Compiled, rules: MatchRules, table: str, table_columns: Iterable[str]) -> str:
    """``SELECT rule, key, unique_id`` for every record of ``table`` (record_std's shape)."""
    feats = feature_sql(_blocking_columns(compiled.blocking), rules, table, table_columns)
    exprs = key_expressions(compiled.blocking)
    unions = " UNION ALL ".join(
        f"SELECT {literal(label)} AS rule, {expr} AS key, unique_id FROM _f" for label, expr in exprs.items())
    return f"WITH _f AS ({feats}) SELECT rule, key, unique_id FROM ({unions}) WHERE key IS NOT NULL"


def hub_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _rules(rules: MatchRules | Path | None) -> MatchRules:
    return rules if isinstance(rules, MatchRules) else load_match_rules(rules)


def refresh_match_keys(con: duckdb.DuckDBPyConnection, rules: MatchRules | Path | None = None, *,
                       compiled: Compiled | None = None, own_transaction: bool = True) -> int:
    """Rewrite ``match_key`` for every record in ``record_std``; returns the number of keys.

    One SQL statement computes the keys; the index is dropped and rebuilt around the bulk
    insert (faster than maintaining it row by row), rows go in sorted by (rule, key) so
    even a scan prunes well. Runs in its own transaction (readers see the old keys or the
    new), or with ``own_transaction=False`` in the caller's (the pipeline run's).
    """
    own = own_transaction
    rules = _rules(rules)
    compiled = compiled or compile_for_hub(con, rules)
    if own:
        con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DROP INDEX IF EXISTS match_key_lookup")
        con.execute("DROP INDEX IF EXISTS match_key_by_key")
        con.execute("DELETE FROM match_key")
        # the same repaired names and recovered postal codes batch matching blocks on
        with recovered(con, "record_std") as source:
            select = _keys_select(compiled, rules, source, hub_columns(con, "record_std"))
            con.execute(f"INSERT INTO match_key SELECT rule, key, unique_id FROM ({select}) ORDER BY rule, key")
        con.execute("CREATE INDEX IF NOT EXISTS match_key_lookup ON match_key (rule, key)")
        con.execute(KEY_INDEX)
        row = con.execute("SELECT count(*) FROM match_key").fetchall()[0]
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    return int(row[0]) if row else 0


def add_match_keys(con: duckdb.DuckDBPyConnection, unique_ids: Iterable[str], rules: MatchRules | Path | None = None,
                   *, compiled: Compiled | None = None) -> int:
    """(Re)write the keys of the given records (new or changed in ``record_std``); returns keys written.

    Runs inside the caller's transaction when there is one.
    """
    ids = list(dict.fromkeys(unique_ids))
    if not ids:
        return 0
    rules = _rules(rules)
    compiled = compiled or compile_for_hub(con, rules)
    con.execute("CREATE OR REPLACE TEMP TABLE _mk_ids AS SELECT unnest(?::VARCHAR[]) AS unique_id", [ids])
    con.execute("CREATE OR REPLACE TEMP TABLE _mk_std AS SELECT s.* FROM record_std s SEMI JOIN _mk_ids i "
                "ON s.source || ':' || s.source_id = i.unique_id")
    try:
        con.execute("DELETE FROM match_key WHERE unique_id IN (SELECT unique_id FROM _mk_ids)")
        with recovered(con, "_mk_std") as source:   # repaired as refresh_match_keys repairs every record
            select = _keys_select(compiled, rules, source, hub_columns(con, "record_std"))
            row = con.execute(f"SELECT count(*) FROM ({select})").fetchall()[0]
            con.execute(f"INSERT INTO match_key SELECT rule, key, unique_id FROM ({select})")
    finally:
        con.execute("DROP TABLE IF EXISTS _mk_std")
        con.execute("DROP TABLE IF EXISTS _mk_ids")
    return int(row[0]) if row else 0


