"""The Splink input table, built in SQL from the hub's ``record_std``.

One row per accepted record: ``unique_id = source || ':' || source_id``,
``source_dataset = source``, then every column the match rules use. A column is
either a ``record_std`` column (``first_name``, ``email__local``, ...) or a derived
feature: the built-in ones below (ZIP3, birth year, last 7 phone digits, initials, a
swap-proof name key, ...) or those the rules file adds under ``features:``.

Everything here is plain DuckDB SQL over whatever connection holds ``record_std``
(the hub, or a test's in-memory database), so the features cost one scan and never
leave the database until the caller asks for the Arrow table.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from mdm.hub.sql import ident
from mdm.match.repair import _table_columns, recovered
from mdm.match.rules import MatchRules, is_identifier

log = logging.getLogger("mdm.match")

ID_COLUMNS = ("unique_id", "source_dataset")

#: Built-in derived columns: name -> DuckDB SQL over record_std. Rules may add or override.
def _fold(col: str, sep: str = "") -> str:
    """Lower case, accents stripped, punctuation and spaces removed (or turned into ``sep``)."""
    inner = f"lower(strip_accents(regexp_replace({col}, '[^\\p{{L}}\\p{{N}}]+', '{sep}', 'g')))"
    return f"nullif(trim({inner}), '')"


BUILTIN_FEATURES: dict[str, str] = {
    # names compared without accents, punctuation or spaces: muñoz = munoz, o'brien = obrien,
    # garcia-lopez = garcia lopez
    "first_name_key": _fold("first_name"),
    "last_name_key": _fold("last_name"),
    # first and last token of a multi-part surname (garcia lopez ~ garcia)
    "last_name_first_token": f"split_part({_fold('last_name', ' ')}, ' ', 1)",
    "last_name_last_token": f"list_last(string_split({_fold('last_name', ' ')}, ' '))",
    # the first given name alone: "janina" for "Janina Sara" (registers write both, lists one)
    "first_name_first_token": f"split_part({_fold('first_name', ' ')}, ' ', 1)",
    "first_initial": f"left({_fold('first_name')}, 1)",
    "last_initial": f"left({_fold('last_name')}, 1)",
    # both initials in sorted order: equal for "cherish greer" and "grhfr cherish" (swapped, a typo on top)
    "initials_key": f"CASE WHEN {_fold('first_name')} IS NOT NULL AND {_fold('last_name')} IS NOT NULL THEN "
                    f"least(left({_fold('first_name')}, 1), left({_fold('last_name')}, 1)) || "
                    f"greatest(left({_fold('first_name')}, 1), left({_fold('last_name')}, 1)) END",
    # first and last name in sorted order: equal for "jie zhang" and "zhang jie"
    "name_key": f"CASE WHEN {_fold('first_name')} IS NOT NULL AND {_fold('last_name')} IS NOT NULL THEN "
                f"least({_fold('first_name')}, {_fold('last_name')}) || ' ' || "
                f"greatest({_fold('first_name')}, {_fold('last_name')}) END",
    # the whole name as one key: equals first_name_key when a full name was typed into the first-name field
    "full_name_key": f"CASE WHEN {_fold('first_name')} IS NOT NULL AND {_fold('last_name')} IS NOT NULL THEN "
                     f"{_fold('first_name')} || {_fold('last_name')} END",
    # the one name of a record that carries only a first or only a last name ("cox")
    "lone_name_key": f"CASE WHEN ({_fold('first_name')} IS NULL) <> ({_fold('last_name')} IS NULL) "
                     f"THEN coalesce({_fold('first_name')}, {_fold('last_name')}) END",
    "gender_known": "CASE WHEN gender IN ('M', 'F', 'X') THEN gender END",  # U(nknown) compares as NULL
    "birth_year": "left(birth_date, 4)",
    "birth_month_day": "substr(birth_date, 6, 5)",
    "birth_year_month": "left(birth_date, 7)",
    "email_local": "email__local",
    "phone_last7": "CASE WHEN length(regexp_replace(phone, '[^0-9]', '', 'g')) >= 7 "
                   "THEN right(regexp_replace(phone, '[^0-9]', '', 'g'), 7) END",
    "zip3": "CASE WHEN postal_code IS NOT NULL AND length(postal_code) >= 3 THEN left(postal_code, 3) END",
    "street_number": "street_address__number",
    "street_name": "street_address__street_name",
    # house number + street name, without suffix/direction spelling differences
    "street_key": "CASE WHEN street_address__number IS NOT NULL AND street_address__street_name IS NOT NULL "
                  "THEN street_address__number || ' ' || street_address__street_name END",
    # the district (else the city) a one-line address names (Chinese lines: 南山区 -> NANSHAN), and
    # that or else the postal code: a postal-code stand-in for addresses that carry none
    "street_area": "coalesce(street_address__district, street_address__city)",
    "postal_area": "coalesce(street_address__district, street_address__city, postal_code)",
}


@dataclass(frozen=True)
class ColumnCensus:
    """Which candidate columns the loaded data actually carries, and how often."""

    non_null: Mapping[str, int]  # column -> non-null rows (0: all NULL)
    missing: frozenset[str]  # cannot be computed: no such column in record_std
    rows: int
    #: candidate pairs each capped blocking rule (``max_pairs_per_record``) would form, by label
    block_pairs: Mapping[str, int] = field(default_factory=dict)

    def present(self, column: str) -> bool:
        return self.non_null.get(column, 0) > 0

    @property
    def present_columns(self) -> frozenset[str]:
        return frozenset(c for c, n in self.non_null.items() if n > 0)


def feature_expressions(rules: MatchRules | None = None) -> dict[str, str]:
    """Built-in derived features merged with the rules file's ``features:`` (which win)."""
    exprs = dict(BUILTIN_FEATURES)
    if rules is not None:
        exprs.update(rules.features)
    return exprs


#: standardiser outputs some hubs lack (sources without a street line, hubs standardised before they
#: existed): a feature reading them reads NULL there instead of failing to bind
OPTIONAL_COLUMNS = ("street_address__district", "street_address__city")


def _bindable(expr: str, table_cols: Iterable[str] | None) -> str:
    """``expr`` with the optional columns ``table_cols`` lacks read as NULL."""
    if table_cols is None:
        return expr
    have = set(table_cols)
    for col in OPTIONAL_COLUMNS:
        if col not in have and col in expr:
            expr = re.sub(rf"\b{col}\b", "CAST(NULL AS VARCHAR)", expr)
    return expr


def _expression(name: str, exprs: Mapping[str, str], table_cols: set[str]) -> str | None:
    if name in exprs:
        return _bindable(exprs[name], table_cols)
    if name in table_cols:
        return ident(name)
    return None



def census(con: duckdb.DuckDBPyConnection, columns: Iterable[str], rules: MatchRules | None = None,
           table: str = "record_std") -> ColumnCensus:
    """Count the non-NULL values of each candidate column in one scan of ``table``."""
    exprs = feature_expressions(rules)
    table_cols = set(_table_columns(con, table))
    # Binding is probed on an empty copy of the schema in a private in-memory database: a
    # failing statement on ``con`` would abort the caller's (the whole run's) transaction.
    probe = duckdb.connect()
    schema = con.execute(f"DESCRIBE {table}").fetchall()
    probe.execute("CREATE TABLE probe (" + ", ".join(f"{ident(str(c[0]))} {c[1]}" for c in schema) + ")")
    usable: dict[str, str] = {}
    missing: set[str] = set()
    for name in dict.fromkeys(columns):
        expr = _expression(name, exprs, table_cols)
        if expr is None:
            missing.add(name)
            continue
        try:  # a derived feature over a column this hub lacks does not bind
            probe.execute(f"DESCRIBE SELECT {expr} AS x FROM probe").fetchall()
        except duckdb.Error:
            missing.add(name)
            continue
        usable[name] = expr
    probe.close()
    counts: dict[str, int] = dict.fromkeys(missing, 0)
    rows = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    if usable:
        select = ", ".join(f"count({expr}) AS {ident(n)}" for n, expr in usable.items())
        got = con.execute(f"SELECT {select} FROM {table}").fetchall()[0]
        counts.update({n: int(v) for n, v in zip(usable, got, strict=True)})
    return ColumnCensus(non_null=counts, missing=frozenset(missing), rows=rows,
                        block_pairs=_block_pairs(con, table, rules, usable, counts))


def _block_pairs(con: duckdb.DuckDBPyConnection, table: str, rules: MatchRules | None,
                 usable: Mapping[str, str], counts: Mapping[str, int]) -> dict[str, int]:
    """Pairs each capped blocking rule (and its ``otherwise``) forms: the sum over its blocks of
    n(n-1)/2, one GROUP BY each (over the values as standardised, before matching's repairs)."""
    out: dict[str, int] = {}
    if rules is None:
        return out
    for rule in rules.blocking:
        for r in (rule, rule.instead()):
            if r is None or r.max_pairs_per_record is None or r.label in out:
                continue
            if not all(counts.get(k.column, 0) > 0 and k.column in usable for k in r.keys):
                continue
            keys = [usable[k.column] if k.substr is None
                    else f"substr({usable[k.column]}, {k.substr[0]}, {k.substr[1]})" for k in r.keys]
            row = con.execute(f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM {table} "
                              f"WHERE {' AND '.join(f'({k}) IS NOT NULL' for k in keys)} "
                              f"GROUP BY {', '.join(keys)})").fetchone()
            out[r.label] = int(row[0]) if row else 0
    return out


def feature_sql(columns: Iterable[str], rules: MatchRules | None = None, table: str = "record_std",
                table_columns: Iterable[str] | None = None) -> str:
    """``SELECT unique_id, source_dataset, <columns>`` over ``table`` (record_std's shape).

    Columns neither derived nor in ``table_columns`` (when given) come out as typed NULLs,
    so a rules file may name attributes a hub lacks.
    """
    exprs = feature_expressions(rules)
    known = set(table_columns) if table_columns is not None else None
    parts = ["source || ':' || source_id AS unique_id", "source AS source_dataset"]
    for name in dict.fromkeys(columns):
        if name in ID_COLUMNS:
            continue
        if not is_identifier(name):
            raise ValueError(f"feature name {name!r} is not a plain identifier")
        if name in exprs:
            expr = _bindable(exprs[name], known)
        elif known is None or name in known:
            expr = ident(name)
        else:
            expr = "CAST(NULL AS VARCHAR)"
        parts.append(f"{expr} AS {ident(name)}")
    return "SELECT " + ",\n       ".join(parts) + f"\nFROM {table}"


def build_features(con: duckdb.DuckDBPyConnection, columns: Iterable[str], rules: MatchRules | None = None,
                   table: str = "record_std") -> pa.Table:
    """The Splink input table as Arrow, ordered by ``unique_id`` (deterministic training samples).

    Read through :func:`recovered`: Han-script names romanised, postal codes recovered
    from one-line addresses.
    """
    with recovered(con, table) as source:
        sql = feature_sql(columns, rules, source, _table_columns(con, table))
        return con.sql(f"SELECT * FROM ({sql}) ORDER BY unique_id").to_arrow_table()


def fingerprint(features: pa.Table) -> str:
    """A cheap, order-independent fingerprint of the feature table's content."""
    con = duckdb.connect()
    try:
        con.register("_f", features)
        cols = ", ".join(ident(c) for c in features.column_names)
        n, h = con.execute(f"SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0) FROM _f").fetchall()[0]
    finally:
        con.close()
    return f"{n}:{int(h) & 0xFFFFFFFFFFFFFFFF:016x}"
