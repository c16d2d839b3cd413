"""Values repaired for matching only: romanised Han names, split whole names, names read from
e-mail addresses, postal codes from one-line addresses, flagged slips read in their match form.

:func:`recovered` gives :func:`mdm.match.features.build_features` (and the real-time matcher,
whose Python mirror is :func:`mdm.match.realtime.py_recovered`) the record as matching should
see it; ``record_std`` and the golden record keep the values as standardised.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache

import duckdb
import jellyfish
import pyarrow as pa

from mdm.hub.sql import ident


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()]



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
    from mdm.refdata.chinese import SURNAMES

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
