"""The search index of golden records (issue 19.4): ``search_token`` rows, one per
(token, golden id, field), so a search looks words up instead of scanning the hub.

DuckDB's fts extension cannot be installed everywhere mdm runs, so the index is a plain hub
table: a full build writes it sorted by token (DuckDB's zone maps then serve a prefix as a
range ``token >= p AND token < p'`` over a few row groups, an exact token also through the
ART index on ``token``); a refresh deletes the rows of the golden ids that changed (ART index
on ``golden_id``) and appends theirs. Tokens of an active golden record come from

- its own values (``golden.record``) and every current member's raw (``record``) and
  standardised (``record_std``) values: lower-cased, accents stripped, split into words,
  plus the whole value when it has punctuation but no spaces (``john@x.com``, ``o'brien``);
- the golden id, each member's ``source:source_id`` and bare ``source_id``, whole;
- e-mail: also the local part; phone: the digits and every suffix of 7 digits or more, so a
  number without its country code (or its last 7 digits) is an exact token;
- postal code: the value without spaces;
- the nickname canonical of first and middle names (``record_std``), so Bill finds William.

``weight`` ranks: identifiers and names, e-mail and phone above other fields, a value the
golden record kept above one only a member carries. Only active golden records are indexed.
Survivorship calls :func:`refresh` in the transaction that writes golden records; the hub
migration builds the table for a hub made before it existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from mdm.hub.sql import ident, literal

TABLE = "search_token"
DDL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        token VARCHAR NOT NULL,
        golden_id VARCHAR NOT NULL,
        field VARCHAR NOT NULL,             -- id | name | nickname | email | phone | postal | other
        weight DOUBLE NOT NULL
    )""",
]
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS search_token_token ON {TABLE} (token)",
    f"CREATE INDEX IF NOT EXISTS search_token_golden ON {TABLE} (golden_id)",
]
#: the columns of ``record`` that are not attributes
RECORD_FIXED = ("source", "source_id", "batch_id", "row_number", "updated_at", "ingested_at")
NAME_ATTRIBUTES = ("first_name", "middle_name", "last_name", "full_name", "company_name")
#: names whose nickname canonical (record_std) is indexed
GIVEN_NAMES = ("first_name", "middle_name")
FIELD_WEIGHT = {"id": 4.0, "name": 3.0, "email": 3.0, "phone": 3.0, "nickname": 1.5, "postal": 1.0,
                "other": 1.0}
#: a value only a member record carries counts this much of the golden record's own
MEMBER_FACTOR = 0.8
#: fewest phone digits kept as a suffix token (a local number without area code)
PHONE_SUFFIX_MIN = 7
MAX_TOKEN = 80
#: refreshes of at most this many golden ids delete row by row through the ART index
ROW_DELETE_MAX = 200
#: the one folding of index and query text
FOLD = "strip_accents(lower(trim({x})))"
WORD_SPLIT = r"'[^\pL\pN]+'"


def fold_sql(expr: str) -> str:
    return FOLD.format(x=expr)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [str(r[0]) for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
        "ORDER BY column_index", [table]).fetchall()]


def _field_sql(attr: str) -> str:
    """The field of an attribute (``email__local`` is e-mail, ``first_name__nickname_canonical`` nickname)."""
    names = ", ".join(literal(a) for a in NAME_ATTRIBUTES)
    base = f"split_part({attr}, '__', 1)"
    return f"""CASE WHEN {attr} = '_id' THEN 'id'
                    WHEN ends_with({attr}, '__nickname_canonical') THEN 'nickname'
                    WHEN {base} IN ({names}) THEN 'name'
                    WHEN {base} = 'email' THEN 'email' WHEN {base} = 'phone' THEN 'phone'
                    WHEN {base} = 'postal_code' THEN 'postal' ELSE 'other' END"""


def _weight_sql(field: str, golden: str) -> str:
    cases = " ".join(f"WHEN {literal(f)} THEN {w}" for f, w in FIELD_WEIGHT.items())
    return f"(CASE {field} {cases} ELSE 1.0 END) * (CASE WHEN {golden} THEN 1.0 ELSE {MEMBER_FACTOR} END)"


def _unpivot(alias: str, columns: list[str], golden_id: str, golden: bool, source: str) -> str:
    """(golden_id, attr, value, golden) for each column of ``alias``: two unnests zip in lockstep."""
    names = "[" + ", ".join(literal(c) for c in columns) + "]"
    values = "[" + ", ".join(f"CAST({alias}.{ident(c)} AS VARCHAR)" for c in columns) + "]"
    return (f"SELECT {golden_id} AS golden_id, unnest({names}) AS attr, unnest({values}) AS value, "
            f"{'TRUE' if golden else 'FALSE'} AS golden FROM {source}")


def _rows(table: str, column: str, values: list[str] | None, scope: str | None, select: str = "*") -> str:
    """``table``'s rows: all (no ``scope``), those whose ``column`` is one of ``values`` (one
    point lookup each: DuckDB serves ``column = constant`` from the ART index but scans the
    table for an IN list), or those whose ``column`` is in ``scope`` (a semi-join)."""
    if scope is None:
        return table
    if values is None:
        return f"(SELECT {select} FROM {table} WHERE {column} IN (SELECT * FROM {scope}))"
    if not values:
        return f"(SELECT {select} FROM {table} LIMIT 0)"
    return "(" + " UNION ALL ".join(f"(SELECT {select} FROM {table} WHERE {column} = {literal(v)})"
                                    for v in values) + ")"


def _values_sql(con: duckdb.DuckDBPyConnection, scope: str | None, golden_ids: list[str] | None = None,
                source_ids: list[str] | None = None) -> str:
    """Every (golden_id, attr, value, golden) to tokenise, for active golden records: all of
    them, or (``scope`` set) those in ``_st_ids`` whose members are in ``_st_members``;
    ``golden_ids`` / ``source_ids`` list them for index lookups."""
    attributes = [c for c in _columns(con, "record") if c not in RECORD_FIXED]
    golden = f"{_rows('golden', 'golden_id', golden_ids, scope)} g WHERE g.status = 'active'"
    members = "_st_members x"

    def member_rows(table: str, alias: str, columns: list[str]) -> str:
        select = ", ".join(ident(c) for c in ["source", "source_id", *columns])
        rows = _rows(table, "source_id", source_ids, None if scope is None else "(SELECT source_id FROM _st_members)",
                     select)
        if scope is not None:
            # looked up on their own first: joined at once, DuckDB gives up the point lookups
            con.execute(f"CREATE OR REPLACE TEMP TABLE _st_{table} AS SELECT * FROM {rows}")
            rows = f"_st_{table}"
        return f"{members} JOIN {rows} {alias} ON {alias}.source = x.source AND {alias}.source_id = x.source_id"

    parts = [f"SELECT g.golden_id, '_id' AS attr, g.golden_id AS value, TRUE AS golden FROM {golden}",
             f"SELECT x.golden_id, '_id', x.source || ':' || x.source_id, FALSE FROM {members}",
             f"SELECT x.golden_id, '_id', x.source_id, FALSE FROM {members}"]
    if attributes:
        paths = "[" + ", ".join(literal(f"$.{a}") for a in attributes) + "]"
        names = "[" + ", ".join(literal(a) for a in attributes) + "]"
        parts.append(f"SELECT g.golden_id, unnest({names}), unnest(json_extract_string(g.record, {paths})), TRUE "
                     f"FROM {golden}")
        parts.append(_unpivot("r", attributes, "x.golden_id", False, member_rows("record", "r", attributes)))
    have_std = set(_columns(con, "record_std"))
    std = [c for a in attributes for c in (a, f"{a}__local") if c in have_std]
    std += [f"{a}__nickname_canonical" for a in GIVEN_NAMES if f"{a}__nickname_canonical" in have_std]
    if std:
        parts.append(_unpivot("s", std, "x.golden_id", False, member_rows("record_std", "s", std)))
    return " UNION ALL ".join(f"({p})" for p in parts)


def _fold_values(con: duckdb.DuckDBPyConnection, values: str) -> None:
    """``_st_v (golden_id, field, weight, f, words)``: each distinct folded value of a golden
    record and field once, at its best weight (members mostly repeat the golden record's
    values), with its words (split once: a Unicode class costs DuckDB milliseconds to compile
    per use, which a one-record refresh feels)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _st_v AS
        SELECT *, regexp_split_to_array(f, {WORD_SPLIT}) AS words FROM (
            SELECT golden_id, field, max(CAST({_weight_sql('field', 'golden')} AS DOUBLE)) AS weight, f
            FROM (SELECT golden_id, {_field_sql('attr')} AS field, golden, {fold_sql('value')} AS f
                  FROM ({values}) WHERE value IS NOT NULL)
            WHERE f <> '' GROUP BY golden_id, field, f)""")


def _tokens_sql() -> str:
    """(token, golden_id, field, weight) of ``_st_v``, one row per token, golden id and field."""
    return f"""
        SELECT token, golden_id, field, max(weight) AS weight FROM (
            SELECT unnest(words) AS token, golden_id, field, weight FROM _st_v WHERE field <> 'id'
            UNION ALL
            SELECT f, golden_id, field, weight FROM _st_v
            WHERE field = 'id' OR (NOT regexp_matches(f, '\\s') AND words <> [f])
            UNION ALL
            SELECT split_part(f, '@', 1), golden_id, field, weight FROM _st_v
            WHERE field = 'email' AND contains(f, '@')
            UNION ALL
            SELECT unnest(list_transform(range(1, greatest(length(d) - {PHONE_SUFFIX_MIN - 2}, 2)),
                                         lambda i: substr(d, i))), golden_id, field, weight
            FROM (SELECT *, regexp_replace(f, '[^0-9]', '', 'g') AS d FROM _st_v WHERE field = 'phone') WHERE d <> ''
            UNION ALL
            SELECT replace(f, ' ', ''), golden_id, field, weight FROM _st_v WHERE field = 'postal')
        WHERE token <> '' AND length(token) <= {MAX_TOKEN}
        GROUP BY token, golden_id, field"""


def _members(con: duckdb.DuckDBPyConnection, scope: str | None, golden_ids: list[str] | None = None) -> None:
    """``_st_members``: the current members of the active golden records (in ``scope``)."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _st_members AS
                    SELECT x.golden_id, x.source, x.source_id FROM {_rows('xref', 'golden_id', golden_ids, scope)} x
                    JOIN golden g USING (golden_id) WHERE x.valid_to IS NULL AND g.status = 'active'""")


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
                       [TABLE]).fetchone() != (0,)


def rebuild(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build the whole index, sorted by token; returns its row count. Runs in the caller's
    transaction (the hub migration, a full survivorship build)."""
    for index in ("search_token_token", "search_token_golden"):
        con.execute(f"DROP INDEX IF EXISTS {index}")
    for ddl in DDL:
        con.execute(ddl)
    _members(con, None)
    _fold_values(con, _values_sql(con, None))
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM ({_tokens_sql()}) ORDER BY token, golden_id")
    con.execute("DROP TABLE _st_members")
    con.execute("DROP TABLE _st_v")
    for index in INDEXES:
        con.execute(index)
    row = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    return int(row[0]) if row else 0


def refresh(con: duckdb.DuckDBPyConnection, ids_sql: str) -> int:
    """Rewrite the rows of the golden ids ``ids_sql`` selects (one ``golden_id`` column): their
    old rows go, the current ones of those still active come in. Returns the rows written."""
    if not exists(con):
        return rebuild(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _st_ids AS SELECT DISTINCT golden_id FROM ({ids_sql}) "
                "WHERE golden_id IS NOT NULL")
    ids = con.execute("SELECT golden_id FROM _st_ids").fetchall()
    if len(ids) <= ROW_DELETE_MAX:
        for (golden_id,) in ids:
            con.execute(f"DELETE FROM {TABLE} WHERE golden_id = ?", [golden_id])
    else:
        con.execute(f"DELETE FROM {TABLE} WHERE golden_id IN (SELECT golden_id FROM _st_ids)")
    written = 0
    if ids:
        few = len(ids) <= ROW_DELETE_MAX
        golden_ids = [str(i[0]) for i in ids] if few else None
        _members(con, "_st_ids", golden_ids)
        source_ids = None
        if few:
            source_ids = sorted({str(r[0]) for r in con.execute("SELECT source_id FROM _st_members").fetchall()})
            few = len(source_ids) <= ROW_DELETE_MAX * 5
        _fold_values(con, _values_sql(con, "_st_ids", golden_ids, source_ids if few else None))
        row = con.execute(f"INSERT INTO {TABLE} {_tokens_sql()} ORDER BY token").fetchone()
        written = int(row[0]) if row else 0
        for table in ("_st_members", "_st_v", "_st_record", "_st_record_std"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP TABLE _st_ids")
    return written


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Hub migration step: create and fill the index of a hub made before it."""
    rebuild(con)


# --- looking words up ---------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One way a query word matches: ``token`` exactly, or (``prefix``) any token starting with
    it, in ``fields`` (None: any); ``factor`` scales the row's weight (an exact token counts
    double a prefix)."""

    token: str
    prefix: bool = False
    fields: tuple[str, ...] | None = None
    factor: float = 1.0


#: shortest word matched as a prefix (shorter ones match whole tokens only); a word with a
#: character beyond Latin (Han, Hangul, ...) is a prefix at any length
PREFIX_MIN = 3


def prefix_ok(word: str) -> bool:
    return len(word) >= PREFIX_MIN or any(ord(c) > 0x2E7F for c in word)


_ASCII_PARTS = re.compile(r"[^a-z0-9]+")


def fold_words(con: duckdb.DuckDBPyConnection, words: list[str]) -> list[tuple[str, list[str]]]:
    """Each word folded as the index folds values, with its parts (split as values are). ASCII
    folds the same in Python (lower case, split on what is not a letter or digit), anything
    else goes through the index's own SQL."""
    if not words:
        return []
    if all(w.isascii() for w in words):
        return [(w.strip().lower(), [p for p in _ASCII_PARTS.split(w.strip().lower()) if p]) for w in words]
    row = con.execute(f"""SELECT list_transform(?, lambda w: struct_pack(f := {fold_sql('w')},
                              parts := list_filter(regexp_split_to_array({fold_sql('w')}, {WORD_SPLIT}),
                                                   lambda p: p <> '')))""", [words]).fetchone()
    return [(str(x["f"]), [str(p) for p in x["parts"]]) for x in (row[0] if row else [])]


def has_prefix(con: duckdb.DuckDBPyConnection, prefix: str, fields: tuple[str, ...] | None) -> bool:
    """Whether any token starts with ``prefix`` (in ``fields``): one range probe."""
    where = " AND field IN (" + ", ".join("?" for _ in fields) + ")" if fields else ""
    return con.execute(f"SELECT 1 FROM {TABLE} WHERE token >= ? AND token < ?{where} LIMIT 1",
                       [prefix, _upper(prefix), *(fields or ())]).fetchone() is not None


def _upper(prefix: str) -> str:
    """A string above every string starting with ``prefix`` and below the next ones (code point
    order is UTF-8 byte order, DuckDB's VARCHAR order): its last character incremented,
    skipping surrogates; U+10FFFF carries over to the one before."""
    p = prefix
    while p:
        code = ord(p[-1]) + 1
        if code <= 0x10FFFF:
            return p[:-1] + chr(0xE000 if 0xD800 <= code <= 0xDFFF else code)
        p = p[:-1]
    return "\U0010FFFF" * (MAX_TOKEN + 1)


def ranked_sql(groups: list[list[Term]]) -> tuple[str, list[object]]:
    """SQL selecting ``(golden_id, score)`` of the golden ids matching every group (a group
    matches when any of its terms does), and its parameters. Score: per group the best
    matching row's weight x factor (a prefix: x 0.25 to 0.75 as it covers more of the token),
    summed, plus 0.1 per distinct field matched. Each term is one range or point lookup of ``search_token``."""
    parts: list[str] = []
    params: list[object] = []
    for g, terms in enumerate(groups):
        for term in terms:
            fields = ""
            if term.fields:
                fields = " AND field IN (" + ", ".join("?" for _ in term.fields) + ")"
            if term.prefix:
                parts.append(f"SELECT {g} AS grp, golden_id, field, weight * ? * CASE WHEN token = ? THEN 1.0 "
                             f"ELSE 0.25 + 0.5 * ? / length(token) END AS score FROM {TABLE} "
                             f"WHERE token >= ? AND token < ?{fields}")
                params += [term.factor, term.token, len(term.token), term.token, _upper(term.token)]
            else:
                parts.append(f"SELECT {g} AS grp, golden_id, field, weight * ? AS score FROM {TABLE} "
                             f"WHERE token = ?{fields}")
                params += [term.factor, term.token]
            params += list(term.fields or ())
    hits = " UNION ALL ".join(parts)
    sql = f"""
        WITH hits AS MATERIALIZED ({hits}),
        words AS (SELECT golden_id, grp, max(score) AS s FROM hits GROUP BY golden_id, grp),
        cand AS (SELECT golden_id, sum(s) AS s FROM words GROUP BY golden_id HAVING count(*) = {len(groups)}),
        fields AS (SELECT golden_id, count(DISTINCT field) AS nf FROM hits SEMI JOIN cand USING (golden_id)
                   GROUP BY golden_id)
        SELECT c.golden_id, c.s + 0.1 * f.nf AS score FROM cand c JOIN fields f USING (golden_id)"""
    return sql, params
