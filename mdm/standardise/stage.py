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
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TypeAlias

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from mdm import progress
from mdm.config import Dictionary
from mdm.errors import ConfigError
from mdm.hub.register import register
from mdm.hub.sql import ident, literal
from mdm.standardise.base import Context
from mdm.standardise.chinese_data import CHINESE_REGIONS
from mdm.standardise.registry import STANDARDISERS, get

log = logging.getLogger(__name__)

#: full_name standardiser field -> the attribute it stands in for
NAME_PARTS = {"first": "first_name", "middle": "middle_name", "last": "last_name"}
#: standardisers whose reading depends on the country (Context.default_region)
REGIONAL = frozenset({"phone", "address", "state", "postal_code", "national_id"})

# whitespace runs to one space, trimmed; the regex only where there is something to do (RE2's
# \s is [\t\n\f\r ]): most values have none, and the substring tests cost half the regex
_SPACES = ("(CASE WHEN contains({v}, '  ') OR starts_with({v}, ' ') OR ends_with({v}, ' ') "
           "OR contains({v}, chr(9)) OR contains({v}, chr(10)) OR contains({v}, chr(12)) OR contains({v}, chr(13)) "
           "THEN trim(regexp_replace({v}, '\\s+', ' ', 'g')) ELSE {v} END)")
# case folding only for ASCII text: DuckDB and Python disagree on some letters (ß -> ẞ vs SS)
_ASCII_ONLY = ("CASE WHEN strlen({{v}}) = length({{v}}) THEN {fold}(" + _SPACES.replace("{v}", "{{v}}")
               + ") ELSE " + _SPACES.replace("{v}", "{{v}}") + " END")
#: SQL folding spellings a standardiser treats alike into one cache key, so each distinct
#: *meaning* costs one call: "(415) 555-2671" and "415.555.2671" are one phone key.
#: Each must satisfy std(key(x)) == std(x); tests/standardise/test_std_stage.py checks it.
KEY_SQL: dict[str, str] = {
    # spreadsheet floats ("2024561111.0") are not folded: the standardiser reads them as digits
    # (three digits at least: phonenumbers takes two bare digits as a number, two with punctuation not)
    "phone": ("CASE WHEN regexp_full_match({v}, '[\\s0-9()+\\-./]*[0-9][\\s0-9()+\\-./]*') "
              "AND NOT regexp_full_match({v}, '\\s*\\+?[0-9]+\\.0+\\s*') "
              "AND regexp_matches({v}, '[0-9][^0-9]*[0-9][^0-9]*[0-9]') "
              "THEN (CASE WHEN starts_with(ltrim({v}), '+') THEN '+' ELSE '' END) "
              "|| regexp_replace({v}, '[^0-9]', '', 'g') ELSE " + _SPACES + " END"),
    "email": _ASCII_ONLY.format(fold="lower"),
    "address": _ASCII_ONLY.format(fold="upper"),
    "city": _ASCII_ONLY.format(fold="upper"),
    "state": _ASCII_ONLY.format(fold="upper"),
    "country": _ASCII_ONLY.format(fold="upper"),
    "postal_code": _ASCII_ONLY.format(fold="upper"),
    # names and companies are casefolded first thing, so case is no part of their meaning; and
    # with the key in lower case a canonical name is the key itself, which spares the wrapper
    # its second, settling pass (most full names took two)
    # ... except a full name that has an ALL-CAPS word beside lower-case letters ("SHEN Peng"):
    # the capitals mark the family name there (names._family_first, which tests the same)
    "full_name": ("CASE WHEN regexp_matches({v}, '(?s)\\b[A-Z]{2,}\\b.*[a-z]|[a-z].*\\b[A-Z]{2,}\\b') "
                  "THEN " + _SPACES + " ELSE " + _ASCII_ONLY.format(fold="lower") + " END"),
    "person_name": _ASCII_ONLY.format(fold="lower"),
    "company": _ASCII_ONLY.format(fold="lower"),
    # separators are stripped and letters upper-cased first thing (lengths capped: the key must
    # not bring an over-long value under the standardiser's length limit)
    "national_id": ("CASE WHEN strlen({v}) = length({v}) AND length({v}) <= 1000 "
                    "AND regexp_replace({v}, '[\\s\\-.]+', '', 'g') <> '' "
                    "THEN upper(regexp_replace({v}, '[\\s\\-.]+', '', 'g')) ELSE " + _SPACES + " END"),
}


#: the order new values are handed out in, within a context, before the value itself. Street
#: lines that differ only in their numbers share one parse (addresses.py, digit templates); kept
#: next to each other they land in the same chunk, so a template is parsed by one worker, not by
#: each (and its spellings stay together for the settle pass).
SORT_SQL: dict[str, str] = {"address": "regexp_replace({v}, '[0-9]', '0', 'g')"}


def _sort_sql(std_name: str) -> str:
    sort = SORT_SQL.get(std_name)
    return sort.replace("{v}", "d.raw") + ", " if sort else ""


def key_sql(std_name: str, column: str) -> str:
    return KEY_SQL.get(std_name, _SPACES).replace("{v}", column)
#: tables with at least this many rows are standardised on a pool of worker processes
PARALLEL_MIN_VALUES = 20_000
_CHUNK = 5_000


@dataclass(frozen=True)
class StdResult:
    attributes: list[str]
    new_values: int
    cached_values: int




def context_key(ctx: Context) -> str:
    return f"{ctx.region}|{_rest_key(ctx)}"


#: the date part of a context key for standardisers that do not read dates (parses to no formats)
_NO_DATES = "||"


def _rest_key(ctx: Context) -> str:
    today = ctx.reference_date().isoformat() if ctx.is_birth_date else ""
    return f"{chr(31).join(ctx.date_formats)}|{int(ctx.is_birth_date)}|{today}"


def parse_context_key(key: str) -> Context:
    import datetime as dt

    region, formats, birth, today = key.split("|", 3)
    return Context(default_region=region, date_formats=tuple(formats.split(chr(31))) if formats else (),
                   today=dt.date.fromisoformat(today) if today else None, is_birth_date=birth == "1")


def attribute_context(dictionary: Dictionary, attribute: str, base: Context) -> Context:
    """The source's context, marked as a birth date when the attribute may not lie in the future."""
    attr = dictionary.attributes[attribute]
    is_birth = attr.type == "date" and str(attr.validation.max).lower() == "today"
    return Context(default_region=base.default_region, date_formats=base.date_formats, today=base.today,
                   is_birth_date=is_birth)


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
    keys = "".join(f", {_ctx_sql(dictionary, a, name_contexts if _std_of(dictionary, a) == 'full_name' else contexts)}"
                   f" AS {ident('_ctx__' + a)}, "
                   f"nullif({key_sql(_std_of(dictionary, a), ident(a))}, '') AS {ident('_key__' + a)}" for a in attrs)
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
    runner = _Runner(workers, parallel=n_rows is not None and int(n_rows[0]) >= PARALLEL_MIN_VALUES)

    todo = [0, 0]  # new values to standardise in the jobs started so far, and those done

    def start(group: list[str], std_name: str) -> _Job:
        job = _start_fill(con, group, std_name, runner)
        todo[0] += job.new
        return job

    def chunk_done(n: int) -> None:
        todo[1] += n
        progress.count("values standardised", todo[1], todo[0], "values")

    def finish(job: _Job) -> None:
        n, c = _finish_fill(con, job, chunk_done)
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

        def start_groups(ready: Callable[[str], bool]) -> list[_Job]:
            groups = [(n, g) for n, g in _by_standardiser(dictionary, attrs).items() if n not in started and ready(n)]
            started.update(n for n, _ in groups)
            return [start(g, n) for n, g in groups]

        jobs = start_groups(lambda n: n not in later)
        if country_job is not None:
            finish(country_job)
            regional = "".join(f", {ident('_ctx__' + a)} = {_ctx_sql(dictionary, a, contexts, 'c.value')}"
                               for a in attrs if _reads_record_region(dictionary, a))
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
                   f"SELECT CAST(NULL AS {_key_type(con, table, key)}) AS key, '' AS attribute, '' AS code, "
                   "'' AS message, '' AS value WHERE false"))
    # dropping columns shares the others' data, where SELECT * EXCLUDE copied 1M rows again
    for a in attrs:
        con.execute(f"ALTER TABLE _std_full DROP COLUMN {ident('_raw__' + a)}")
    con.execute("DROP TABLE IF EXISTS _std")
    con.execute("ALTER TABLE _std_full RENAME TO _std")
    con.execute("DROP TABLE _std_in")
    con.execute("DROP TABLE IF EXISTS _std_flags")
    return StdResult(attributes=attrs, new_values=tally[0], cached_values=tally[1])


#: a source's name columns hold Han script (CRM in 王刚, beside an ERP's "Wang Gang"): one scan,
#: non-ASCII values only
_HAN_NAMES_SQL = "(strlen({v}) > length({v}) AND regexp_matches({v}, '\\p{{Han}}'))"


def name_context(ctx: Context, han_names: bool) -> Context:
    """The context a full name is split in: a source that carries Han-script names is read as a
    Chinese one (pinyin names family name first, names._family_first) whatever its own region."""
    if not han_names or ctx.region in CHINESE_REGIONS:
        return ctx
    return Context(default_region="CN", date_formats=ctx.date_formats, today=ctx.today,
                   is_birth_date=ctx.is_birth_date)


def _name_contexts(con: duckdb.DuckDBPyConnection, table: str, src_expr: str, attrs: list[str],
                   dictionary: Dictionary, contexts: dict[str, Context]) -> dict[str, Context]:
    """``contexts`` with each source whose names in ``table`` hold Han script read as Chinese."""
    full = [a for a in attrs if _std_of(dictionary, a) == "full_name"]
    if not full or all(c.region in CHINESE_REGIONS for c in contexts.values()):
        return contexts
    cols = [a for a in attrs if _std_of(dictionary, a) in ("full_name", "person_name")]
    where = " OR ".join(_HAN_NAMES_SQL.format(v="t." + ident(c)) for c in cols)
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
        values = {a: f"fn.{ident(part)}", "_ctx__" + a: _ctx_sql(dictionary, a, contexts),
                  "_key__" + a: f"nullif({key_sql(_std_of(dictionary, a), 'fn.' + ident(part))}, '')"}
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


def _std_of(dictionary: Dictionary, attribute: str) -> str:
    return get(dictionary.attributes[attribute].standardiser or "").name


def _reads_record_region(dictionary: Dictionary, attribute: str) -> bool:
    spec = get(dictionary.attributes[attribute].standardiser or "")
    return spec.name in REGIONAL and "region" in spec.reads


def _ctx_sql(dictionary: Dictionary, attribute: str, contexts: dict[str, Context], region: str = "_region") -> str:
    """SQL for ``_ctx__<attribute>``: the context key each row's value is standardised in.

    Only the context parts the standardiser reads go into the key: an email shared by sources
    with different date formats is one cache entry, not one per source. ``region`` is the SQL
    for the record's region (regional standardisers); other standardisers read the source's.
    """
    spec = get(dictionary.attributes[attribute].standardiser or "")
    if "dates" in spec.reads:
        rest = ("(CASE _src " + " ".join(
            f"WHEN {literal(s)} THEN {literal(_rest_key(attribute_context(dictionary, attribute, c)))}"
            for s, c in contexts.items()) + " END)")
    else:
        rest = literal(_NO_DATES)
    if "region" not in spec.reads:
        region_sql = "''"
    elif spec.name in REGIONAL:
        region_sql = region
    else:
        region_sql = ("(CASE _src "
                      + " ".join(f"WHEN {literal(s)} THEN {literal(c.region)}" for s, c in contexts.items())
                      + " END)")
    return f"({region_sql} || '|' || {rest})"


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


def _key_type(con: duckdb.DuckDBPyConnection, table: str, key: str) -> str:
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
    ever added (the ANTI JOIN in ``_start_fill``, over DISTINCT pairs, one job per standardiser
    at a time); tests/standardise/test_std_stage.py checks it. Caches made with the key keep it.
    """
    std = get(std_name)
    _check_cache_version(con, std.name)
    extra = "".join(f", {ident(f)} VARCHAR" for f in std.fields[3:])
    con.execute(f"""CREATE TABLE IF NOT EXISTS std_cache__{std.name} (
                    ctx VARCHAR NOT NULL, raw VARCHAR NOT NULL, value VARCHAR, valid BOOLEAN NOT NULL,
                    reason VARCHAR{extra})""")


@dataclass
class _Pending:
    """A chunk on the worker pool, with what it was given: should its worker die (a crash in a
    library it runs, the OOM killer), the chunk is standardised here instead, so a lost worker
    costs time, never the run."""

    future: Future[pa.RecordBatch]
    std_name: str
    ctx_key: str
    values: pa.Array

    def result(self) -> pa.RecordBatch:
        try:
            return self.future.result()
        except BrokenProcessPool as exc:
            log.warning("a standardise worker stopped (%s); its %s values of %s are standardised in this process",
                        exc, len(self.values), self.std_name)
            return _apply_chunk(self.std_name, self.ctx_key, self.values)


_Part: TypeAlias = "_Pending | pa.RecordBatch"


@dataclass
class _Job:
    """The new (context, value) pairs of one standardiser, being standardised."""

    std_name: str
    new: int
    cached: int
    parts: list[_Part]


class _SharedPool:
    """The pool stages share inside :func:`shared_workers`, with the worker count it was made for."""

    pool: ProcessPoolExecutor | None = None
    workers = 0
    depth = 0


@contextmanager
def shared_workers() -> Iterator[None]:
    """Standardise stages run inside share one worker pool (one stage per source in a run).

    The workers' own caches (street templates, parsed tokens, name and phone look-ups) then
    stay warm from one source to the next instead of starting cold in a fresh pool each time:
    at 1M records that made addresses cost 89 us each instead of about 60.
    """
    _SharedPool.depth += 1
    try:
        yield
    finally:
        _SharedPool.depth -= 1
        if _SharedPool.depth == 0 and _SharedPool.pool is not None:
            _SharedPool.pool.shutdown(wait=True, cancel_futures=True)
            _SharedPool.pool = None


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # fork: workers inherit the loaded models (usaddress' CRF, phone metadata) and run only
    # pure-Python standardisers, never DuckDB, so the parent's DuckDB threads are no concern
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"))


class _Runner:
    """Runs standardiser chunks here, or on a fork pool when the stage's table is large.

    One pool serves the whole stage (or, inside :func:`shared_workers`, every stage) and chunks
    of several standardisers queue on it together, so both cores stay busy while this process
    runs the SQL in between. (Deciding per batch left every batch under the threshold running
    here, one after the other, blocking the SQL.) Values go to the workers and results come back
    as Arrow arrays, never as Python lists: at 1M records that is 2.6M values, and building,
    pickling and unpickling lists of them cost this process (which runs the SQL meanwhile)
    about a fifth of the stage.
    """

    def __init__(self, workers: int | None, *, parallel: bool) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.parallel = parallel and self.workers > 1
        self.pool: ProcessPoolExecutor | None = None
        self.own_pool = False
        self.futures: list[Future[pa.RecordBatch]] = []

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.own_pool and self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        else:  # a shared pool outlives the stage: drop what this stage left queued after an error
            for future in self.futures:
                future.cancel()
        self.pool = None

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is not None:
            return self.pool
        if _SharedPool.depth:
            shared = _SharedPool.pool
            if shared is None or _SharedPool.workers != self.workers or getattr(shared, "_broken", False):
                if shared is not None:
                    shared.shutdown(wait=True, cancel_futures=True)
                _SharedPool.pool, _SharedPool.workers = _new_pool(self.workers), self.workers
            self.pool = _SharedPool.pool
        else:
            self.pool, self.own_pool = _new_pool(self.workers), True
        assert self.pool is not None
        return self.pool

    def submit(self, std_name: str, ctx_key: str, values: pa.ChunkedArray) -> list[_Part]:
        if not self.parallel:
            return [_apply_chunk(std_name, ctx_key, values.combine_chunks())]
        pool = self._pool()
        parts: list[_Part] = []
        for i in range(0, len(values), _CHUNK):
            chunk = values.slice(i, _CHUNK).combine_chunks()  # a slice pickles its whole parent buffer
            try:
                future = pool.submit(_apply_chunk, std_name, ctx_key, chunk)
            except BrokenProcessPool:  # a worker died earlier: the rest of the stage runs here
                parts.append(_apply_chunk(std_name, ctx_key, chunk))
                continue
            self.futures.append(future)
            parts.append(_Pending(future, std_name, ctx_key, chunk))
        return parts


def _start_fill(con: duckdb.DuckDBPyConnection, columns: Sequence[str], std_name: str, runner: _Runner) -> _Job:
    """Find the distinct (context, value) pairs of ``columns`` the cache lacks and start on them."""
    std = get(std_name)
    ensure_cache(con, std.name)
    union = " UNION ".join(f"SELECT {ident('_ctx__' + c)} AS ctx, {ident('_key__' + c)} AS raw FROM _std_in "
                           f"WHERE {ident('_key__' + c)} IS NOT NULL" for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _std_distinct AS SELECT DISTINCT ctx, raw FROM ({union})")
    todo = con.sql(
        f"""SELECT d.ctx, d.raw FROM _std_distinct d ANTI JOIN std_cache__{std.name} c
            ON c.ctx = d.ctx AND c.raw = d.raw ORDER BY d.ctx, {_sort_sql(std.name)}d.raw""").to_arrow_table()
    total = con.execute("SELECT count(*) FROM _std_distinct").fetchone()
    con.execute("DROP TABLE _std_distinct")
    job = _Job(std.name, todo.num_rows, (int(total[0]) if total else 0) - todo.num_rows, [])
    if not todo.num_rows:
        return job
    # ordered by context: one batch per run of rows sharing a context, read off the rows themselves
    runs = pc.run_end_encode(todo.column("ctx").combine_chunks())
    start = 0
    for end, ctx_key in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
        job.parts += runner.submit(std.name, str(ctx_key), todo.column("raw").slice(start, end - start))
        start = end
    return job


def _finish_fill(con: duckdb.DuckDBPyConnection, job: _Job,
                 done: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Wait for a job's results and add them to its cache, telling ``done`` the values of each
    chunk as it arrives. Returns (new, already cached) counts."""
    if not job.new:
        return 0, job.cached
    std = get(job.std_name)
    batches: list[pa.RecordBatch] = []
    for part in job.parts:
        batches.append(part.result() if isinstance(part, _Pending) else part)
        if done is not None:
            done(batches[-1].num_rows)
    register(con, "_std_new", pa.Table.from_batches(batches))
    field_list = ", ".join(ident(f) for f in ("ctx", "raw", *std.fields))
    con.execute(f"INSERT INTO std_cache__{std.name} ({field_list}) SELECT {field_list} FROM _std_new")
    con.unregister("_std_new")
    return job.new, job.cached


def _text(v: object) -> str | None:
    if v is None:
        return None
    return str(v).lower() if isinstance(v, bool) else str(v)


def _apply_chunk(name: str, ctx_key: str, values: pa.Array) -> pa.RecordBatch:
    """Standardise ``values`` in one context: a batch of ctx, raw and the standardiser's fields."""
    std = get(name)
    ctx = parse_context_key(ctx_key)
    func = std.func
    raws: list[str] = values.to_pylist()
    rows = [tuple(func(v, ctx).values()) for v in raws]
    columns: list[list[object]] = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in std.fields]
    columns[1] = [bool(v) for v in columns[1]]
    for i in range(3, len(columns)):
        columns[i] = [_text(v) for v in columns[i]]
    arrays = [pa.array([ctx_key] * len(raws), pa.string()), values.cast(pa.string())]
    arrays += [pa.array(c, pa.bool_() if f == "valid" else pa.string())
               for f, c in zip(std.fields, columns, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, names=["ctx", "raw", *std.fields])
