"""The standardise stage: apply the dictionary's standardisers to a table, in DuckDB.

Each standardiser runs once per distinct raw value and source context (phone region,
date formats): results live in a cache table per standardiser (``std_cache__<name>``),
so a value seen in an earlier batch is never standardised again, and the per-record
output is a join. Large sets of new values are spread over the machine's cores.

Input: a table with a key column, optionally a ``source`` column, and raw attribute
columns. Output, both keyed like the input:

* ``_std``: per attribute ``<attr>`` (the standardised value; NULL when validation
  flagged the raw value, so flagged values stay out of matching and survivorship),
  ``<attr>__valid``, ``<attr>__reason`` and one ``<attr>__<field>`` per extra output
  field (``phone__extension``, ``first_name__nysiis``, ...);
* ``_std_findings``: ``key, attribute, code, message, value`` for every value the
  standardiser could not standardise (``phone.invalid``, ``address.unparseable``...),
  which the quality scorecard counts as invalid.

Name parts: when a record has no first/middle/last name but a ``full_name``, the
parts split from the full name stand in for them before the name standardiser runs.

Regions: phones, addresses, states, postal codes and national ids are read in the
record's own country when it has a valid one (a Shanghai customer in a US CRM), and
in the source's ``default_region`` otherwise.

Beside this module: :mod:`.keys` (how raw values are folded into cache keys),
:mod:`.contexts` (the context parts each standardiser reads), :mod:`.schema` (``record_std``
and the caches) and :mod:`.workers` (the pool that standardises distinct values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from mdm import progress
from mdm.config import Dictionary
from mdm.errors import ConfigError
from mdm.hub.sql import ident, literal
from mdm.refdata.chinese import CHINESE_REGIONS
from mdm.standardise.base import Context
from mdm.standardise.contexts import (
    HAN_NAMES_SQL,
    NAME_PARTS,
    REGIONAL,
    ctx_sql,
    name_context,
    reads_record_region,
    std_of,
)
from mdm.standardise.keys import key_sql
from mdm.standardise.registry import STANDARDISERS, get
from mdm.standardise.schema import ensure_record_std, key_type  # ensure_record_std: part of the stage's API
from mdm.standardise.workers import FillJob, Runner, finish_fill, shared_workers, start_fill

#: tables with at least this many rows are standardised on a pool of worker processes
PARALLEL_MIN_VALUES = 20_000


@dataclass(frozen=True)
class StdResult:
    attributes: list[str]
    new_values: int
    cached_values: int




def check_standardisers(dictionary: Dictionary) -> None:
    """Every ``standardiser:`` in the dictionary must name a registered one."""
    for name, attr in dictionary.attributes.items():
        if attr.standardiser and attr.standardiser not in STANDARDISERS:
            try:
                get(attr.standardiser)
            except KeyError as exc:
                where = dictionary.path or "the dictionary"
                raise ConfigError(f"{where}: key 'attributes.{name}.standardiser': {exc.args[0]}",
                                  code="config.unknown_standardiser") from None


def standardise(con: duckdb.DuckDBPyConnection, table: str, key: str, dictionary: Dictionary,
                contexts: dict[str, Context], *, source_column: str | None = None,
                flags: str | None = None, workers: int | None = None) -> StdResult:
    """Standardise ``table`` into ``_std`` and ``_std_findings`` (see module doc).

    ``contexts`` maps source name -> Context; with ``source_column`` None the table holds
    one source, the only key of ``contexts``. ``flags`` names a table ``(key, attribute)``
    of values validation flagged.
    """
    check_standardisers(dictionary)
    have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    attrs = [a for a, spec in dictionary.attributes.items() if spec.standardiser and a in have]
    if source_column is None and len(contexts) != 1:
        raise ValueError("a single-source table needs exactly one context")
    src_expr = ident(source_column) if source_column else literal(next(iter(contexts)))
    name_contexts = _name_contexts(con, table, src_expr, attrs, dictionary, contexts)
    region_case = " ".join(f"WHEN {literal(s_)} THEN {literal(c.region)}" for s_, c in contexts.items())
    # per attribute its cache key columns: _ctx__<a> (the context parts its standardiser reads) and
    # _key__<a> (the folded value), all in one pass; rows whose region or name parts change later
    # get theirs again in those UPDATEs
    keys = "".join(f", {ctx_sql(dictionary, a, name_contexts if std_of(dictionary, a) == 'full_name' else contexts)}"
                   f" AS {ident('_ctx__' + a)}, "
                   f"nullif({key_sql(std_of(dictionary, a), ident(a))}, '') AS {ident('_key__' + a)}" for a in attrs)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _std_in AS
            SELECT *{keys} FROM (
                SELECT t.{ident(key)} AS {ident(key)}, {src_expr} AS _src,
                       (CASE {src_expr} {region_case} END) AS _region
                       {''.join(f', t.{ident(a)}' for a in attrs)}
                FROM {table} t)"""
    )
    tally = [0, 0]
    n_rows = con.execute("SELECT count(*) FROM _std_in").fetchone()
    runner = Runner(workers, parallel=n_rows is not None and int(n_rows[0]) >= PARALLEL_MIN_VALUES)

    todo = [0, 0]  # new values to standardise in the jobs started so far, and those done

    def start(group: list[str], std_name: str) -> FillJob:
        job = start_fill(con, group, std_name, runner)
        todo[0] += job.new
        return job

    def chunk_done(n: int) -> None:
        todo[1] += n
        progress.count("values standardised", todo[1], todo[0], "values")

    def finish(job: FillJob) -> None:
        n, c = finish_fill(con, job, chunk_done)
        tally[0] += n
        tally[1] += c

    with runner:
        # 1. full names and 2. countries first: name parts stand in for missing name attributes,
        # and the record's own country decides the region of phones, addresses, ...
        full = dictionary.attributes.get("full_name")
        do_full = "full_name" in attrs and full is not None and full.standardiser == "full_name"
        country = dictionary.attributes.get("country")
        do_country = "country" in attrs and country is not None and country.standardiser == "country"
        full_job = start(["full_name"], "full_name") if do_full else None
        country_job = start(["country"], "country") if do_country else None
        # 3. every other standardiser, once per distinct (context, value), started as soon as what it
        # depends on is known, so the pool always has work queued while this process runs SQL:
        # first those that need neither the record's region nor the name parts, then (after the
        # country) the regional ones, then (after the full name) the name parts
        parts = [a for a in NAME_PARTS.values() if a in dictionary.attributes and dictionary.attributes[a].standardiser]
        name_stds = {dictionary.attributes[a].standardiser for a in parts}
        later = {"full_name", "country", *REGIONAL, *name_stds}
        started: set[str] = set()  # standardisers whose other attributes' job has started

        def start_groups(ready: Callable[[str], bool]) -> list[FillJob]:
            groups = [(n, g) for n, g in _by_standardiser(dictionary, attrs).items() if n not in started and ready(n)]
            started.update(n for n, _ in groups)
            return [start(g, n) for n, g in groups]

        jobs = start_groups(lambda n: n not in later)
        if country_job is not None:
            finish(country_job)
            regional = "".join(f", {ident('_ctx__' + a)} = {ctx_sql(dictionary, a, contexts, 'c.value')}"
                               for a in attrs if reads_record_region(dictionary, a))
            con.execute(
                f"""UPDATE _std_in SET _region = c.value{regional} FROM std_cache__country c
                   WHERE c.ctx = _std_in._ctx__country AND c.raw = _std_in._key__country AND c.valid
                     AND length(c.value) = 2"""
            )
        jobs += start_groups(lambda n: n not in name_stds and n != "full_name")  # full_name's job may still run
        if full_job is not None:
            finish(full_job)
            _fill_name_parts(con, dictionary, contexts, attrs, parts)
        jobs += start_groups(lambda n: True)
        for job in jobs:
            finish(job)

    # 4. join the results back, leaving out values validation flagged
    flag_join, flagged = "", "false"
    if flags:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _std_flags AS
                        SELECT {ident(key)} AS k, list(DISTINCT attribute) AS attrs FROM {flags} GROUP BY 1""")
        flag_join = f" LEFT JOIN _std_flags fl ON fl.k = i.{ident(key)}"
    cols = [f"i.{ident(key)}"]
    joins: list[str] = []
    raws: list[str] = []
    findings: list[str] = []
    for n_, a in enumerate(attrs):
        spec = get(dictionary.attributes[a].standardiser or "")
        alias = f"c{n_}"
        if flags:
            flagged = f"coalesce(list_contains(fl.attrs, {literal(a)}), false)"
        joins.append(f" LEFT JOIN std_cache__{spec.name} {alias} ON {alias}.ctx = i.{ident('_ctx__' + a)}"
                     f" AND {alias}.raw = i.{ident('_key__' + a)}")
        cols.append(f"CASE WHEN {flagged} THEN NULL ELSE {alias}.value END AS {ident(a)}")
        cols.append(f"{alias}.valid AS {ident(a + '__valid')}")
        cols.append(f"{alias}.reason AS {ident(a + '__reason')}")
        cols += [f"{alias}.{ident(f)} AS {ident(a + '__' + f)}" for f in spec.fields[3:]]
        raws.append(f"i.{ident(a)} AS {ident('_raw__' + a)}")
        findings.append(f"SELECT {ident(key)} AS key, {literal(a)} AS attribute, {ident(a + '__reason')} AS code, "
                        f"'could not be standardised' AS message, {ident('_raw__' + a)} AS value FROM _std_full "
                        f"WHERE NOT {ident(a + '__valid')}")
    # one pass of joins; the findings are read off its result instead of joining the caches again
    con.execute(f"CREATE OR REPLACE TEMP TABLE _std_full AS SELECT {', '.join(cols + raws)} FROM _std_in i"
                f"{flag_join}{''.join(joins)}")
    con.execute("CREATE OR REPLACE TEMP TABLE _std_findings AS "
                + (" UNION ALL ".join(findings) if findings else
                   f"SELECT CAST(NULL AS {key_type(con, table, key)}) AS key, '' AS attribute, '' AS code, "
                   "'' AS message, '' AS value WHERE false"))
    # dropping columns shares the others' data, where SELECT * EXCLUDE copied 1M rows again
    for a in attrs:
        con.execute(f"ALTER TABLE _std_full DROP COLUMN {ident('_raw__' + a)}")
    con.execute("DROP TABLE IF EXISTS _std")
    con.execute("ALTER TABLE _std_full RENAME TO _std")
    con.execute("DROP TABLE _std_in")
    con.execute("DROP TABLE IF EXISTS _std_flags")
    return StdResult(attributes=attrs, new_values=tally[0], cached_values=tally[1])



def _name_contexts(con: duckdb.DuckDBPyConnection, table: str, src_expr: str, attrs: list[str],
                   dictionary: Dictionary, contexts: dict[str, Context]) -> dict[str, Context]:
    """``contexts`` with each source whose names in ``table`` hold Han script read as Chinese."""
    full = [a for a in attrs if std_of(dictionary, a) == "full_name"]
    if not full or all(c.region in CHINESE_REGIONS for c in contexts.values()):
        return contexts
    cols = [a for a in attrs if std_of(dictionary, a) in ("full_name", "person_name")]
    where = " OR ".join(HAN_NAMES_SQL.format(v="t." + ident(c)) for c in cols)
    han = {str(r[0]) for r in con.execute(f"SELECT DISTINCT {src_expr} FROM {table} t WHERE {where}").fetchall()}
    return {s: name_context(c, s in han) for s, c in contexts.items()}


def _fill_name_parts(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, contexts: dict[str, Context],
                      attrs: list[str], parts: list[str]) -> None:
    """Name parts split from ``full_name`` stand in for empty first/middle/last names.

    One rebuild of ``_std_in`` rather than an UPDATE per part: DuckDB's UPDATE of most rows of
    a freshly added column took 7.7 s on 330k legacy rows, the rebuild well under a second.
    """
    replace: list[str] = []
    added: list[str] = []
    for part, a in NAME_PARTS.items():
        if a not in parts:
            continue
        exists = a in attrs
        use = (f"(nullif(trim(i.{ident(a)}), '') IS NULL AND fn.{ident(part)} IS NOT NULL)" if exists
               else f"(fn.{ident(part)} IS NOT NULL)")
        values = {a: f"fn.{ident(part)}", "_ctx__" + a: ctx_sql(dictionary, a, contexts),
                  "_key__" + a: f"nullif({key_sql(std_of(dictionary, a), 'fn.' + ident(part))}, '')"}
        for col, expr in values.items():
            if exists:
                replace.append(f"CASE WHEN {use} THEN {expr} ELSE i.{ident(col)} END AS {ident(col)}")
            else:
                added.append(f", CASE WHEN {use} THEN CAST({expr} AS VARCHAR) END AS {ident(col)}")
        if not exists:
            attrs.append(a)
    if not replace and not added:
        return
    star = f"i.* REPLACE ({', '.join(replace)})" if replace else "i.*"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _std_in AS SELECT {star}{''.join(added)}
                    FROM _std_in i LEFT JOIN std_cache__full_name fn
                      ON fn.ctx = i._ctx__full_name AND fn.raw = i._key__full_name""")


def _by_standardiser(dictionary: Dictionary, attrs: list[str]) -> dict[str, list[str]]:
    """Attributes grouped by standardiser (one distinct pass each), less full_name/country done first."""
    by_std: dict[str, list[str]] = {}
    for a in attrs:
        name = dictionary.attributes[a].standardiser
        assert name is not None
        if a not in ("full_name", "country") or name not in ("full_name", "country"):
            by_std.setdefault(name, []).append(a)
    return by_std




__all__ = ["PARALLEL_MIN_VALUES", "StdResult", "check_standardisers", "ensure_record_std", "shared_workers",
           "standardise"]
