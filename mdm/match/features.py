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
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb
import jellyfish
import pyarrow as pa

from mdm.hub.sql import ident
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


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()]


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


# --------------------------------------------------------------------------- recovered values
#
# Things sources routinely do that defeat exact comparison, repaired for matching
# only (record_std and the golden record keep the values as standardised):
#
# * a value validation flags for a slip, not for being meaningless: a look-alike digit in a
#   name (Claudiu5), a birth date that names no real day (1944-01-51) or a far-off one
#   (9140-10-30). record_std leaves it NULL; matching reads the standardiser's match_form,
#   so the slip counts as a slip (a typo level, a shared year) and not as a missing value;
#
# * a name written in Han characters in one system (王刚) and romanised in another (Gang
#   Wang): the Han form is compared as its toneless pinyin (wang, gang), with phonetic
#   keys recomputed from it, so the romanised forms and spelling variants (wong, lee)
#   meet it at the exact or phonetic level;
# * a legacy one-line address ("14 MAPLE TRL, GLENDALE, AZ 85301") that the address
#   parser reduced to its street line: the postal code at its end is taken back when the
#   record has none.

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
NAME_COLUMNS = ("first_name", "middle_name", "last_name", "full_name")
#: name columns whose Han values start with the family name (romanised by :func:`romanise_family`)
FAMILY_COLUMNS = ("last_name", "full_name")
#: postal code at the end (or, for Chinese addresses, the start) of a one-line address
POSTAL_FROM_LINE = (
    # US ZIP after a state code: "..., AZ 85301" / "AZ 85301-1234"
    r"CASE WHEN regexp_matches({x}, '\b[A-Z]{{2}}\s+\d{{5}}(-\d{{4}})?\s*$') "
    r"THEN regexp_extract({x}, '(\d{{5}})(-\d{{4}})?\s*$', 1) "
    # Canadian "A1A 1A1" and British "G12 4SF" postcodes at the end
    r"WHEN regexp_matches(upper({x}), '\b[A-Z]\d[A-Z] ?\d[A-Z]\d\s*$') "
    r"THEN regexp_replace(regexp_extract(upper({x}), '([A-Z]\d[A-Z]) ?(\d[A-Z]\d)\s*$', 0), "
    r"'([A-Z]\d[A-Z]) ?(\d[A-Z]\d)\s*$', '\1 \2') "
    r"WHEN regexp_matches(upper({x}), '\b[A-Z]{{1,2}}\d[A-Z\d]? \d[A-Z]{{2}}\s*$') "
    r"THEN regexp_extract(upper({x}), '([A-Z]{{1,2}}\d[A-Z\d]? \d[A-Z]{{2}})\s*$', 1) "
    # Chinese six-digit code in front: "430310 武汉市..."
    r"WHEN regexp_matches({x}, '^\d{{6}}\s') THEN left({x}, 6) END"
)


_EMAIL_KEY_SEP = "\x1f"
_NOT_LETTER = re.compile(r"[^a-z]+")


def _letters(text: str) -> str:
    """Lower-case ASCII letters of ``text``, accents dropped (as the name keys fold it)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if "a" <= c <= "z")


def name_from_email(known: str, local: str) -> str | None:
    """The other name part an e-mail local part spells beside the ``known`` one, or ``None``.

    ``("elizabeth", "elizabeth.west43")`` -> ``"west"``; ``("wilson", "marcuswilson")`` ->
    ``"marcus"``. Only an unambiguous reading counts: separated parts give the one part
    that is not the known name (two letters at least); an unseparated local part must
    start or end with the known name and leave three letters or more. Initials, numbers
    and anything not built around the known name give ``None``.
    """
    k = _letters(known)
    if len(k) < 2 or not local:
        return None
    tokens = [t for t in _NOT_LETTER.split(local.lower()) if t]
    if len(tokens) >= 2:
        if k not in tokens:
            return None
        others = [t for t in tokens if t != k]
        return others[0] if len(others) == 1 and len(others[0]) >= 2 else None
    if len(tokens) != 1:
        return None
    word = tokens[0]
    if word.startswith(k) and len(word) - len(k) >= 3:
        return word[len(k):]
    if word.endswith(k) and len(word) - len(k) >= 3:
        return word[:-len(k)]
    return None


@lru_cache(maxsize=65536)
def romanise_family(text: str) -> str | None:
    """:func:`romanise` for a value that starts with a family name (``last_name``, a Han
    ``full_name``): its surname read as a surname (曾 zeng, not ceng; 单 shan; 欧阳 ouyang)."""
    whole = romanise(text)
    if whole is None:
        return None
    from mdm.standardise.chinese_data import SURNAMES

    for n in (2, 1):
        reading = SURNAMES.get(text[:n])
        if reading is not None and len(text) >= n:
            return reading + (romanise(text[n:]) or text[n:].lower())
    return whole


@lru_cache(maxsize=65536)
def romanise(text: str) -> str | None:
    """Han characters as toneless pinyin, one syllable after another ("王刚" -> "wanggang").

    ``None`` when ``text`` holds no Han character or pypinyin is not installed. Other
    characters are kept as they are (the name keys fold case, accents and spaces).
    """
    if not _HAN.search(text):
        return None
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return None
    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="default")).lower()


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()
    return bool(row and row[0])


def _phonetic(value: str) -> tuple[str | None, str | None, str | None]:
    """metaphone, NYSIIS and Soundex of a romanised name, as the name standardiser computes them."""
    letters = "".join(c for c in value.lower() if "a" <= c <= "z")
    if not letters:
        return None, None, None
    return jellyfish.metaphone(letters) or None, jellyfish.nysiis(letters) or None, jellyfish.soundex(letters) or None


def _name_table(pairs: Mapping[str, str]) -> pa.Table:
    """raw -> repaired name part, with its phonetic keys."""
    keys = list(pairs)
    values = [pairs[k] for k in keys]
    phon = [_phonetic(v) for v in values]
    return pa.table({"raw": pa.array(keys, pa.string()), "value": pa.array(values, pa.string()),
                     "metaphone": pa.array([p[0] for p in phon], pa.string()),
                     "nysiis": pa.array([p[1] for p in phon], pa.string()),
                     "soundex": pa.array([p[2] for p in phon], pa.string())})


@contextmanager
def recovered(con: duckdb.DuckDBPyConnection, table: str = "record_std") -> Iterator[str]:
    """``table`` with repaired names and recovered postal codes, as a FROM-able subquery.

    * Han-script names romanised (see :func:`romanise`);
    * a whole name typed into the first-name field with the last name left empty
      ("kenneth richter") split into first and last name at its first space, so the
      name comparisons (and their swap level, for "richter kenneth") can see both parts;
    * the postal code taken back from the raw one-line address (the hub's ``record``
      table) when none was standardised;
    * a value validation flagged read in its standardiser's ``match_form`` instead of not at
      all: a name with a look-alike digit (``claudiu5`` as ``claudius``), a birth date that
      names no real day as its digits were written (``1944-01-51``), so a typo counts as a
      typo (Damerau-Levenshtein levels, year and day keys) rather than as a missing value.

    Only values that need it are touched: the distinct names concerned are repaired in
    Python (a few thousand at most), everything else stays SQL.
    """
    cols = _table_columns(con, table)
    have = set(cols)
    names = [c for c in NAME_COLUMNS if c in have]
    tag = uuid.uuid4().hex[:10]
    views: list[str] = []
    joins: list[str] = []
    # column -> candidate expressions, first non-NULL wins (the original value last)
    repaired: dict[str, list[str]] = {}

    def view(role: str, table_: pa.Table) -> str:
        name = f"__mdm_{role}_{tag}"
        con.register(name, table_)
        views.append(name)
        return name

    def candidates(column: str, alias: str) -> None:
        repaired.setdefault(column, []).append(f"{alias}.value")
        for suffix in ("metaphone", "nysiis", "soundex"):
            # a repaired value brings its own phonetic keys (NULL when it has none)
            if f"{column}__{suffix}" in have:
                repaired.setdefault(f"{column}__{suffix}", []).append(
                    f"CASE WHEN {alias}.value IS NOT NULL THEN coalesce({alias}.{suffix}, '') END")
        if f"{column}__nickname_canonical" in have:
            repaired.setdefault(f"{column}__nickname_canonical", []).append(f"{alias}.value")

    # a value flagged by validation but with a standardiser's match_form (a digit read as the
    # letter it looks like, an impossible birth date's digits): matching reads the form, first
    for col in cols:
        form = f"{col}__match_form"
        if form not in have:
            continue
        if col in names:
            values = {r[0]: r[0] for r in con.execute(
                f"SELECT DISTINCT {ident(form)} FROM {table} WHERE {ident(col)} IS NULL "
                f"AND {ident(form)} IS NOT NULL").fetchall()}
            if values:
                alias = f"_mf{names.index(col)}"
                joins.append(f"LEFT JOIN {view('form_' + col, _name_table(values))} {alias} "
                             f"ON {alias}.raw = s.{ident(form)} AND s.{ident(col)} IS NULL")
                candidates(col, alias)
        else:
            repaired.setdefault(col, []).append(f"CASE WHEN s.{ident(col)} IS NULL THEN s.{ident(form)} END")
    if {"first_name", "last_name"} <= have:
        raw = [r[0] for r in con.execute(
            f"SELECT DISTINCT first_name FROM {table} WHERE (last_name IS NULL OR trim(last_name) = '') "
            "AND regexp_matches(trim(first_name), '\\s')").fetchall()]
        split = {v: tuple(p for p in v.split() if p) for v in raw}
        firsts = {k: romanise(v[0]) or v[0] for k, v in split.items() if len(v) >= 2}
        lasts = {k: romanise(" ".join(v[1:])) or " ".join(v[1:]) for k, v in split.items() if len(v) >= 2}
        if firsts:
            fv, lv = view("split_first", _name_table(firsts)), view("split_last", _name_table(lasts))
            lone = "(s.last_name IS NULL OR trim(s.last_name) = '')"
            joins += [f"LEFT JOIN {fv} _sf ON _sf.raw = s.first_name AND {lone}",
                      f"LEFT JOIN {lv} _sl ON _sl.raw = s.first_name AND {lone}"]
            candidates("first_name", "_sf")
            candidates("last_name", "_sl")
    if {"first_name", "last_name", "email__local"} <= have:
        # a record with one name part and an e-mail address that spells both ("amy" +
        # amycarter91@..., "wilson" + marcus.wilson@...): the other part read from the address
        rows = con.execute(
            f"SELECT DISTINCT first_name, last_name, email__local FROM {table} WHERE email__local IS NOT NULL "
            "AND ((first_name IS NULL OR trim(first_name) = '') <> (last_name IS NULL OR trim(last_name) = '')) "
            "AND NOT regexp_matches(trim(coalesce(first_name, '')), '\\s')").fetchall()
        mail_firsts: dict[str, str] = {}
        mail_lasts: dict[str, str] = {}
        for first, last, local in rows:
            has_first = first is not None and bool(first.strip())
            other = name_from_email(first if has_first else last, local)
            if other is not None:
                found = mail_lasts if has_first else mail_firsts
                found[_EMAIL_KEY_SEP.join((first or "", last or "", local))] = other
        key = (f"concat_ws('{_EMAIL_KEY_SEP}', coalesce(s.first_name, ''), coalesce(s.last_name, ''), "
               "s.email__local)")
        for column, found, role in (("first_name", mail_firsts, "email_first"),
                                    ("last_name", mail_lasts, "email_last")):
            if found:
                alias = f"_{role}"
                joins.append(f"LEFT JOIN {view(role, _name_table(found))} {alias} ON {alias}.raw = {key}")
                candidates(column, alias)
    for role, cols, roman in (("roman", [c for c in names if c not in FAMILY_COLUMNS], romanise),
                              ("roman_family", [c for c in names if c in FAMILY_COLUMNS], romanise_family)):
        if not cols:
            continue
        union = " UNION ".join(f"SELECT {ident(c)} AS v FROM {table} WHERE regexp_matches({ident(c)}, '\\p{{Han}}')"
                               for c in cols)
        mapping = {v: r for v in (row[0] for row in con.execute(union).fetchall()) if (r := roman(v))}
        if mapping:
            rv = view(role, _name_table(mapping))
            for c in cols:
                alias = f"_m{names.index(c)}"
                joins.append(f"LEFT JOIN {rv} {alias} ON {alias}.raw = s.{ident(c)}")
                candidates(c, alias)
    replace = [f"nullif(coalesce({', '.join(exprs)}, s.{ident(col)}), '') AS {ident(col)}"
               if col.endswith(("__metaphone", "__nysiis", "__soundex"))
               else f"coalesce({', '.join(exprs)}, s.{ident(col)}) AS {ident(col)}"
               for col, exprs in repaired.items()]
    if ("postal_code" in have and {"source", "source_id"} <= have and table != "record" and _has_table(con, "record")
            and "street_address" in _table_columns(con, "record")):
        joins.append("LEFT JOIN (SELECT source, source_id, street_address AS _line FROM record) _r "
                     "ON _r.source = s.source AND _r.source_id = s.source_id")
        replace.append("coalesce(s.postal_code, " + POSTAL_FROM_LINE.format(x="_r._line") + ") AS postal_code")
    try:
        if not joins:
            yield table
        else:
            yield (f"(SELECT s.* REPLACE ({', '.join(replace)}) FROM {table} s {' '.join(joins)}) AS {ident(table)}")
    finally:
        for name in views:
            con.unregister(name)


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
