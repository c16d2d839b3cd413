"""Real-time matching: one incoming record against the hub, in milliseconds.

Batch matching lets Splink block and score every pair; one record against a 1M-record
hub cannot afford that (``predict_between`` costs ~200 ms). Instead:

1. **Keys in the hub.** :func:`refresh_match_keys` writes every record's blocking keys
   (the batch blocking rules, over the same match features) to ``match_key(rule, key,
   unique_id)``, indexed on ``(rule, key)``; :func:`add_match_keys` adds new records.
2. **Standardise and repair like batch.** :func:`standardise_record` runs the dictionary's
   standardisers (``mdm.standardise`` registry) on one record, producing the columns
   ``record_std`` holds. Its match features and keys are those batch gives a hub record:
   repaired as :func:`mdm.match.repair.recovered` repairs (Han-script names as toneless
   pinyin, a whole name typed into ``first_name`` split, the postal code recovered from the
   raw one-line address), then derived as :func:`mdm.match.features.feature_sql` and
   :func:`key_expressions` derive them. A Python mirror of that SQL does it in ~0.2 ms
   (the SQL itself costs ~40 ms for one row: DuckDB compiles each regular expression at
   every execution); tests hold it equal to the SQL on every record of a hub and on hostile
   strings, and :meth:`Matcher.load` checks it on the hub's own records (each repaired kind)
   and uses the SQL instead when they disagree. Rules with their own SQL ``features:`` use
   the SQL (:meth:`Matcher.sql_features_of`) too.
3. **Candidates by lookup.** The keys are looked up in ``match_key`` (index
   ``match_key_by_key``: DuckDB 2.0 uses single-column indexes for point lookups, not the
   compound ``match_key_lookup``); candidates sharing more keys come first and at most
   ``max_candidates`` are scored, which bounds the latency.
4. **Score with the saved model.** :class:`ScoringModel` compiles the saved Splink JSON
   (each comparison's level conditions, m and u, term-frequency flags, the prior) once;
   gammas are evaluated by DuckDB over (incoming row x candidates) in one query, weights
   are summed exactly as Splink does (``log2(m/u)`` per level plus
   ``w * (log2(u_exact) - log2(max(tf, tf_min)))`` on term-frequency levels). The
   explanation has the shape of ``match_pair.explanation`` (:mod:`mdm.match.predict`).

Term frequencies come from the hub's records (as in batch, where Splink counts them over
all records). The only deliberate difference from batch: an incoming record that is not
yet in the hub does not count itself in those frequencies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa

from mdm.config import Dictionary, Project
from mdm.errors import MdmError
from mdm.hub.sql import ident, literal
from mdm.match.features import census, feature_sql
from mdm.match.model import MatchModel, load_model
from mdm.match.predict import level_labels
from mdm.match.repair import (
    FAMILY_COLUMNS,
    NAME_COLUMNS,
    _phonetic,
    name_from_email,
    recovered,
    romanise,
    romanise_family,
)
from mdm.match.rules import BlockingRule, MatchRules, Thresholds, load_match_rules
from mdm.match.settings import Compiled, compile_settings, referenced_columns
from mdm.match.thresholds import effective
from mdm.standardise.base import Context
from mdm.standardise.chinese_addresses import HAN as _HAN
from mdm.standardise.contexts import NAME_PARTS, REGIONAL, attribute_context, name_context
from mdm.standardise.registry import STANDARDISERS

SEP = "\x1f"  # between the values of a multi-column key
MAX_CANDIDATES = 200
#: a blocking key shared by more hub records than this is not looked up (see Matcher.candidates).
#: At 1M records 55 keys exceed 500 (common name parts in big postal codes); skipping them cut
#: the lookup's CPU p99 from 41 to 19 ms with the same top candidates on 400 benchmark queries.
#: No key at 100k comes near (largest block 119).
MAX_BLOCK = 500
_SPACES = re.compile(r"\s+")


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


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
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
            select = _keys_select(compiled, rules, source, _columns(con, "record_std"))
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
            select = _keys_select(compiled, rules, source, _columns(con, "record_std"))
            row = con.execute(f"SELECT count(*) FROM ({select})").fetchall()[0]
            con.execute(f"INSERT INTO match_key SELECT rule, key, unique_id FROM ({select})")
    finally:
        con.execute("DROP TABLE IF EXISTS _mk_std")
        con.execute("DROP TABLE IF EXISTS _mk_ids")
    return int(row[0]) if row else 0


# --------------------------------------------------------------------------- features of one record, in Python
#
# The batch features are DuckDB SQL (mdm.match.features: recovered() repairs the record,
# feature_sql() derives the features). DuckDB compiles every regular expression of a query
# at each execution (prepared or not): for ONE record the batch SQL costs ~40 ms (measured
# at 100k, load average 4: loading the row 12 ms, recovered() 18 ms, the features 15 ms)
# against ~0.2 ms here. So the built-in features and the repairs are mirrored, reusing
# features.py's own Python parts (romanise, the phonetic keys); tests check the mirror
# against the SQL on every record of a hub and on hostile strings, and Matcher.load checks
# it again on the hub's own records (the repaired kinds first) and falls back to the SQL
# (Matcher.sql_features_of) when they disagree. A feature without a mirror (a rules file's
# own ``features:``, or a built-in it redefines) makes the matcher use the SQL too.


def _is_word(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def _simple_case(text: str, fold: Callable[[str], str]) -> str:
    """One-to-one case mapping, as DuckDB's lower()/upper(): a letter whose mapping has
    several characters (ß -> SS) is kept as it is."""
    return "".join(m if len(m := fold(ch)) == 1 else ch for ch in text)


def _lower(text: str) -> str:
    return _simple_case(text, str.lower)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c)[0] != "M"))


def py_fold(value: Any, sep: str = "") -> str | None:
    """Python mirror of :func:`mdm.match.features._fold`."""
    if value is None:
        return None
    out: list[str] = []
    gap = False
    for ch in str(value):
        if _is_word(ch):
            out.append(ch)
            gap = False
        elif not gap:
            out.append(sep)
            gap = True
    text = _lower(_strip_accents("".join(out))).strip(" ")
    return text or None


def _left(value: Any, n: int) -> str | None:
    return None if value is None else str(value)[:n]


def _py_builtin(std: Mapping[str, Any]) -> dict[str, Any]:
    first, last = py_fold(std.get("first_name")), py_fold(std.get("last_name"))
    last_sp = py_fold(std.get("last_name"), " ")
    first_sp = py_fold(std.get("first_name"), " ")
    phone = std.get("phone")
    digits = None if phone is None else re.sub(r"[^0-9]", "", str(phone))
    pc = std.get("postal_code")
    gender = std.get("gender")
    num, street = std.get("street_address__number"), std.get("street_address__street_name")
    area = std.get("street_address__district")
    if area is None:
        area = std.get("street_address__city")
    both = first is not None and last is not None
    return {
        "first_name_key": first, "last_name_key": last,
        "last_name_first_token": None if last_sp is None else last_sp.split(" ")[0],
        "last_name_last_token": None if last_sp is None else last_sp.split(" ")[-1],
        "first_name_first_token": None if first_sp is None else first_sp.split(" ")[0],
        "first_initial": _left(first, 1), "last_initial": _left(last, 1),
        "initials_key": "".join(sorted((first[:1], last[:1]))) if both else None,  # type: ignore[index]
        "name_key": f"{min(first, last)} {max(first, last)}" if both else None,  # type: ignore[type-var]
        "full_name_key": f"{first}{last}" if both else None,
        "lone_name_key": (first if first is not None else last) if (first is None) != (last is None) else None,
        "gender_known": gender if gender in ("M", "F", "X") else None,
        "birth_year": _left(std.get("birth_date"), 4),
        "birth_month_day": None if std.get("birth_date") is None else str(std["birth_date"])[5:10],
        "birth_year_month": _left(std.get("birth_date"), 7),
        "email_local": std.get("email__local"),
        "phone_last7": digits[-7:] if digits is not None and len(digits) >= 7 else None,
        "zip3": _left(pc, 3) if pc is not None and len(str(pc)) >= 3 else None,
        "street_number": num, "street_name": street,
        "street_key": f"{num} {street}" if num is not None and street is not None else None,
        "street_area": area,
        "postal_area": area if area is not None else pc,
    }


def python_features(columns: Sequence[str], rules: MatchRules | None) -> bool:
    """Whether :func:`py_features` covers ``columns`` (no rules-file feature among them)."""
    custom = set(rules.features) if rules is not None else set()
    return not any(c in custom for c in columns)


def py_features(std: Mapping[str, Any], columns: Sequence[str], unique_id: str, source: str) -> dict[str, Any]:
    """The match features of one standardised record (mirror of ``feature_sql``)."""
    built = _py_builtin(std)
    out: dict[str, Any] = {"unique_id": unique_id, "source_dataset": source}
    for c in dict.fromkeys(columns):
        if c in ("unique_id", "source_dataset"):
            continue
        out[c] = built[c] if c in built else std.get(c)
    return out


def py_keys(features: Mapping[str, Any], blocking: Sequence[BlockingRule]) -> dict[str, str]:
    """Mirror of :func:`key_expressions` for one record's features."""
    out: dict[str, str] = {}
    for rule in blocking:
        parts = []
        for k in rule.keys:
            v = features.get(k.column)
            if v is not None and k.substr is not None:
                v = str(v)[k.substr[0] - 1:k.substr[0] - 1 + k.substr[1]]
            parts.append(v)
        if all(p is not None for p in parts):
            out[rule.label] = rule_code(rule.label) + SEP.join(str(p) for p in parts)
    return out


#: RE2's ``\s`` (ASCII whitespace without \v), as recovered() tests a first name for a space
_RE2_SPACE = re.compile(r"[\t\n\f\r ]")
#: POSTAL_FROM_LINE's patterns; RE2's \b, \d and \s are ASCII like Python's with re.ASCII
_US_TAIL = re.compile(r"\b[A-Z]{2}\s+\d{5}(-\d{4})?\s*$", re.ASCII)
_US_ZIP = re.compile(r"(\d{5})(-\d{4})?\s*$", re.ASCII)
_CA_TAIL = re.compile(r"\b[A-Z]\d[A-Z] ?\d[A-Z]\d\s*$", re.ASCII)
_CA_CODE = re.compile(r"([A-Z]\d[A-Z]) ?(\d[A-Z]\d)\s*$", re.ASCII)
_UK_TAIL = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\s*$", re.ASCII)
_UK_CODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})\s*$", re.ASCII)
_CN_HEAD = re.compile(r"^\d{6}\s", re.ASCII)


def _upper(text: str) -> str:
    return _simple_case(text, str.upper)


def py_postal_from_line(line: str | None) -> str | None:
    """Python mirror of :data:`mdm.match.repair.POSTAL_FROM_LINE`."""
    if line is None:
        return None
    if _US_TAIL.search(line):
        m = _US_ZIP.search(line)
        return m.group(1) if m else ""
    up = _upper(line)
    if _CA_TAIL.search(up):
        m = _CA_CODE.search(up)
        return _CA_CODE.sub(r"\1 \2", m.group(0), count=1) if m else ""
    if _UK_TAIL.search(up):
        m = _UK_CODE.search(up)
        return m.group(1) if m else ""
    if _CN_HEAD.search(line):
        return line[:6]
    return None


def py_recovered(std: Mapping[str, Any], line: str | None, columns: Collection[str], postal: bool
                 ) -> dict[str, Any]:
    """Python mirror of :func:`mdm.match.repair.recovered` for one record.

    ``columns``: the record_std columns; ``line``: the raw one-line address (``record.street_address``);
    ``postal``: whether batch recovers postal codes (the hub's ``record`` has ``street_address``).
    """
    have = set(columns)
    out = dict(std)
    fixed: dict[str, str] = {}  # column -> repaired name (the first repair wins, as in recovered()'s coalesce)
    for col in have:
        form = std.get(f"{col}__match_form")
        if f"{col}__match_form" in have and std.get(col) is None and form is not None:
            if col in NAME_COLUMNS:
                fixed[col] = str(form)
            else:
                out[col] = form
    first, last = std.get("first_name"), std.get("last_name")
    if ({"first_name", "last_name"} <= have and isinstance(first, str)
            and (last is None or str(last).strip(" ") == "") and _RE2_SPACE.search(first.strip(" "))):
        parts = tuple(p for p in first.split() if p)
        if len(parts) >= 2:
            fixed.setdefault("first_name", romanise(parts[0]) or parts[0])
            fixed.setdefault("last_name", romanise(" ".join(parts[1:])) or " ".join(parts[1:]))
    local = std.get("email__local")
    if {"first_name", "last_name", "email__local"} <= have and local is not None:
        # one name part and an e-mail address that spells both: the other part read from it
        def blank(v: Any) -> bool:
            return v is None or str(v).strip(" ") == ""

        if blank(first) != blank(last) and not _RE2_SPACE.search(str(first or "").strip(" ")):
            has_first = first is not None and bool(str(first).strip())
            other = name_from_email(str(first) if has_first else str(last or ""), str(local))
            if other is not None:
                fixed.setdefault("last_name" if has_first else "first_name", other)
    for col in NAME_COLUMNS:
        value = std.get(col)
        roman = romanise_family if col in FAMILY_COLUMNS else romanise
        if col in have and col not in fixed and isinstance(value, str) and (r := roman(value)):
            fixed[col] = r
    for col, value in fixed.items():
        out[col] = value
        for suffix, key in zip(("metaphone", "nysiis", "soundex"), _phonetic(value), strict=True):
            if f"{col}__{suffix}" in have:
                out[f"{col}__{suffix}"] = key or None
        if f"{col}__nickname_canonical" in have:
            out[f"{col}__nickname_canonical"] = value
    if postal and "postal_code" in have and {"source", "source_id"} <= have and std.get("postal_code") is None:
        out["postal_code"] = py_postal_from_line(line)
    return out


# --------------------------------------------------------------------------- standardising one record


def _text(v: object) -> str | None:
    if v is None:
        return None
    return str(v).lower() if isinstance(v, bool) else str(v)


def _raw(value: Any) -> str | None:
    if value is None:
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    return text or None


def standardise_record(record: Mapping[str, Any], dictionary: Dictionary, context: Context | None = None,
                       *, han_names: bool = False) -> dict[str, Any]:
    """One raw record (attribute -> value) -> the ``record_std`` columns batch would produce.

    Follows :func:`mdm.standardise.stage.standardise`: name parts split from ``full_name``
    stand in for missing first/middle/last names, the record's own valid country decides
    the region of regional standardisers, and each attribute gets ``<attr>``,
    ``<attr>__valid``, ``<attr>__reason`` and ``<attr>__<field>``. Attributes the record
    lacks (or leaves empty) are NULL in every column, as in batch. Unknown keys are ignored.
    Not applied here: ingest validation flags (batch NULLs a value the dictionary's
    validation flagged); real-time matching uses every value the standardiser accepts.
    ``han_names``: the record's source carries Han-script names, so its full name is split
    as batch splits them (:func:`mdm.standardise.contexts.name_context`); so does a record that
    has Han-script names itself.
    """
    base = context or Context(date_formats=dictionary.date_formats)
    raw = {a: _raw(record.get(a)) for a, spec in dictionary.attributes.items() if spec.standardiser}
    out: dict[str, Any] = {}
    region = base.region

    def run(attr: str, value: str | None, reg: str) -> dict[str, Any]:
        spec = STANDARDISERS[dictionary.attributes[attr].standardiser or ""]
        ctx = attribute_context(dictionary, attr, Context(default_region=reg, date_formats=base.date_formats,
                                                          today=base.today))
        res: dict[str, Any] = dict.fromkeys(spec.fields) if value is None else dict(spec.func(value, ctx))
        out[attr] = res.get("value")
        out[f"{attr}__valid"] = None if value is None else bool(res.get("valid"))
        out[f"{attr}__reason"] = res.get("reason")
        for f in spec.fields[3:]:
            out[f"{attr}__{f}"] = _text(res.get(f))
        return res

    done: set[str] = set()
    full = dictionary.attributes.get("full_name")
    if "full_name" in raw and full is not None and full.standardiser == "full_name":
        han = han_names or any(v is not None and _HAN.search(v) for a, v in raw.items()
                               if dictionary.attributes[a].standardiser in ("full_name", "person_name"))
        parts = run("full_name", raw["full_name"], name_context(base, han).region)
        done.add("full_name")
        for part, attr in NAME_PARTS.items():
            if attr in raw and raw[attr] is None and parts.get(part) is not None:
                raw[attr] = _raw(parts[part])
    country = dictionary.attributes.get("country")
    if "country" in raw and country is not None and country.standardiser == "country":
        res = run("country", raw["country"], base.region)
        done.add("country")
        value = res.get("value")
        if raw["country"] is not None and res.get("valid") and isinstance(value, str) and len(value) == 2:
            region = value
    for attr, value in raw.items():
        if attr in done:
            continue
        std = dictionary.attributes[attr].standardiser or ""
        run(attr, value, region if std in REGIONAL else base.region)
    return out


# --------------------------------------------------------------------------- the saved model as code


@dataclass(frozen=True)
class _Level:
    gamma: int
    label: str
    condition: str
    weight: float  # log2(m/u); 0 for the null level
    bayes_factor: float
    tf_column: str | None = None
    tf_weight: float = 1.0
    tf_min_u: float = 0.0
    tf_u_exact: float = 1.0


@dataclass(frozen=True)
class _Comparison:
    name: str
    levels: tuple[_Level, ...]  # in settings order (null level first)

    def level(self, gamma: int) -> _Level:
        for lv in self.levels:
            if lv.gamma == gamma:
                return lv
        raise KeyError(gamma)


_EXACT = re.compile(r'^\s*"?([A-Za-z_][A-Za-z0-9_]*)_l"?\s*=\s*"?([A-Za-z_][A-Za-z0-9_]*)_r"?\s*$')


def _exact_column(condition: str) -> str | None:
    m = _EXACT.match(condition)
    return m.group(1) if m and m.group(1) == m.group(2) else None


class ScoringModel:
    """A saved Splink model compiled once into a gamma query and weight tables."""

    def __init__(self, settings: dict[str, Any]) -> None:
        prior = float(settings["probability_two_random_records_match"])
        self.prior_bf = prior / (1 - prior)
        self.prior_weight = math.log2(self.prior_bf)
        labels = level_labels(settings)
        comps: list[_Comparison] = []
        for comp in settings["comparisons"]:
            name = comp["output_column_name"]
            raw_levels = comp["comparison_levels"]
            counter = sum(1 for lv in raw_levels if not lv.get("is_null_level")) - 1
            exact_u = {c: float(lv["u_probability"]) for lv in raw_levels if not lv.get("is_null_level")
                       and (c := _exact_column(lv["sql_condition"])) is not None}
            levels: list[_Level] = []
            for lv in raw_levels:
                if lv.get("is_null_level"):
                    gamma, weight, bf = -1, 0.0, 1.0
                else:
                    gamma = counter
                    counter -= 1
                    m, u = float(lv["m_probability"]), float(lv["u_probability"])
                    bf = m / u
                    weight = math.log2(bf)
                tf_col = lv.get("tf_adjustment_column")
                tf_weight = float(lv.get("tf_adjustment_weight", 1.0))
                use_tf = bool(tf_col) and gamma != -1 and tf_weight != 0 and lv["sql_condition"] != "ELSE"
                if use_tf and tf_col not in exact_u:
                    raise RealtimeError(f"comparison {name}: term-frequency column {tf_col} has no exact level")
                levels.append(_Level(
                    gamma=gamma, label=labels[name][gamma], condition=lv["sql_condition"], weight=weight,
                    bayes_factor=bf, tf_column=tf_col if use_tf else None, tf_weight=tf_weight,
                    tf_min_u=float(lv.get("tf_minimum_u_value", 0.0)),
                    tf_u_exact=exact_u.get(tf_col, 1.0) if use_tf and tf_col else 1.0))
            comps.append(_Comparison(name=name, levels=tuple(levels)))
        self.comparisons = tuple(comps)
        self.tf_columns = sorted({lv.tf_column for c in comps for lv in c.levels if lv.tf_column})

    def gamma_sql(self, table: str) -> str:
        """``SELECT unique_id_r, gamma_<comparison>...`` over ``table`` (columns ``<col>_l``, ``<col>_r``)."""
        cols = ["unique_id_r"]
        for comp in self.comparisons:
            whens = []
            for lv in comp.levels:
                if lv.condition.strip().upper() == "ELSE":
                    whens.append(f"ELSE {lv.gamma}")
                else:
                    whens.append(f"WHEN {lv.condition} THEN {lv.gamma}")
            cols.append(f"CASE {' '.join(whens)} END AS {ident('gamma_' + comp.name)}")
        return f"SELECT {', '.join(cols)} FROM {table}"

    def weigh(self, gammas: Sequence[int], tf: Mapping[str, float | None]
              ) -> tuple[float, list[dict[str, Any]]]:
        """Match weight and explanation (prior first) for one pair's gammas.

        ``tf``: term frequency of the incoming record's value per tf column (None: unknown).
        """
        total = self.prior_weight
        expl: list[dict[str, Any]] = [{"comparison": "prior", "level": "prior", "gamma": None,
                                       "bayes_factor": self.prior_bf, "weight": self.prior_weight}]
        for comp, gamma in zip(self.comparisons, gammas, strict=True):
            lv = comp.level(int(gamma))
            weight = lv.weight
            if lv.tf_column is not None:
                freq = tf.get(lv.tf_column)
                if freq is not None:
                    weight += lv.tf_weight * (math.log2(lv.tf_u_exact) - math.log2(max(freq, lv.tf_min_u)))
            total += weight
            expl.append({"comparison": comp.name, "level": lv.label, "gamma": int(gamma),
                         "bayes_factor": 2.0 ** weight, "weight": weight})
        return total, expl


def probability(weight: float) -> float:
    """Splink's match probability from a match weight (overflow-safe)."""
    if weight >= 0:
        return float(1.0 / (1.0 + math.pow(2.0, -weight)))
    bf = math.pow(2.0, weight)
    return float(bf / (1.0 + bf))


def band(p: float, thresholds: Thresholds) -> str:
    low, high = thresholds.review
    if p >= thresholds.auto_match:
        return "match"
    if low <= p < high:
        return "review"
    return "low"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Candidate:
    """One hub record scored against the incoming record."""

    unique_id: str
    golden_id: str | None
    match_weight: float
    match_probability: float
    band: str
    explanation: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"unique_id": self.unique_id, "golden_id": self.golden_id, "match_weight": self.match_weight,
                "match_probability": self.match_probability, "band": self.band, "explanation": self.explanation}


@dataclass(frozen=True)
class GoldenCandidate:
    """A golden record, scored by its best-matching member."""

    golden_id: str
    match_weight: float
    match_probability: float
    band: str
    best_unique_id: str
    members_matched: list[str]
    explanation: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"golden_id": self.golden_id, "match_probability": self.match_probability,
                "match_weight": self.match_weight, "band": self.band, "best_unique_id": self.best_unique_id,
                "members_matched": self.members_matched, "explanation": self.explanation}


@dataclass
class MatchResult:
    """Ranked candidates, best first: per golden record and per source record."""

    goldens: list[GoldenCandidate]
    records: list[Candidate]
    candidates_found: int  # records sharing at least one blocking key
    candidates_scored: int  # after the cap
    standardised: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"candidates": [g.to_dict() for g in self.goldens],
                "records": [c.to_dict() for c in self.records],
                "candidates_found": self.candidates_found, "candidates_scored": self.candidates_scored}


@dataclass(frozen=True)
class Decision:
    """Search-before-create: what ``POST /records`` does with the incoming record."""

    action: Literal["attach", "review", "create"]
    golden_id: str | None  # attach: the golden record to join; review: the candidate to review against
    candidate: GoldenCandidate | None


def decide(result: MatchResult, thresholds: Thresholds) -> Decision:
    """Attach at and above ``auto_match``, review inside the review band, else create."""
    best = result.goldens[0] if result.goldens else None
    if best is None:
        return Decision("create", None, None)
    if best.match_probability >= thresholds.auto_match:
        return Decision("attach", best.golden_id, best)
    low, high = thresholds.review
    if low <= best.match_probability < high:
        return Decision("review", best.golden_id, best)
    return Decision("create", None, None)


# --------------------------------------------------------------------------- the matcher


def source_contexts(project: Project) -> dict[str, Context]:
    """Each configured source's standardisation context (as the pipeline builds it)."""
    d = project.dictionary
    return {m.source: Context(default_region=m.default_region, date_formats=m.date_formats or d.date_formats)
            for m, _ in project.sources}


class Matcher:
    """Scores one record against the hub. Load once per server (:meth:`load`); thread-compatible
    when each thread passes its own hub cursor (the matcher's private DuckDB is guarded)."""

    def __init__(self, *, model: MatchModel, rules: MatchRules, compiled: Compiled, dictionary: Dictionary,
                 contexts: Mapping[str, Context], features: pa.Table, max_candidates: int = MAX_CANDIDATES,
                 max_block: int = MAX_BLOCK) -> None:
        import threading

        self.model = model
        self.rules = rules
        # the cut-offs the last run chose (models/thresholds.json), so real time cuts where batch did
        self.thresholds = effective(rules.thresholds, model.directory)
        self.compiled = compiled
        self.dictionary = dictionary
        self.contexts = dict(contexts)
        self.max_candidates = max_candidates
        self.max_block = max_block
        #: keys whose block holds more than ``max_block`` hub records (read at load)
        self.huge_keys: frozenset[str] = frozenset()
        self.han_sources: frozenset[str] = frozenset()  # sources with Han-script names (standardise())
        self.scoring = ScoringModel(model.settings)
        self.columns = [c for c in features.column_names if c not in ("unique_id", "source_dataset")]
        self._features = features.combine_chunks()
        self._row: dict[str, int] = {u: i for i, u in enumerate(self._features.column("unique_id").to_pylist())}
        self._tf_counts: dict[str, dict[str, int]] = {}
        self._tf_totals: dict[str, int] = {}
        for col in self.scoring.tf_columns:
            self._count_tf(col, self._features.column(col).to_pylist())
        self._lock = threading.Lock()
        self._mem = duckdb.connect(":memory:", config={"threads": 1})
        self._key_exprs = key_expressions(compiled.blocking)
        self._std_columns: list[str] = []
        self._std_types: dict[str, str] = {}
        #: columns of the hub's ``record`` table that :func:`recovered` reads (the raw one-line address)
        self._raw_columns: list[str] = []
        self._prepared = False
        self._pair_names: list[str] = []
        self.use_python_features = python_features(compiled.columns, rules)
        self._golden: dict[str, str] = {}
        #: False (default): golden ids from the in-memory copy of xref (kept current through
        #: :meth:`set_golden` / :meth:`reload_goldens`); True: read ``xref`` per request (a scan:
        #: DuckDB does not use the compound ``xref_key`` index for lookups)
        self.goldens_from_hub = False

    # ---- construction

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, project: Project, *, model_dir: Path | None = None,
             max_candidates: int = MAX_CANDIDATES, max_block: int = MAX_BLOCK) -> Matcher:
        """Model from ``model_dir`` (default: the pipeline's ``<hub folder>/models``), features of every
        hub record, term frequencies. Costs one scan of ``record_std``."""
        model_dir = model_dir or project.hub.parent / "models"
        model = load_model(model_dir)
        if model is None:
            raise RealtimeError(f"no trained match model in {model_dir}: run the pipeline (`mdm run`) first")
        rules = load_match_rules(project.match_rules)
        compiled = compile_for_hub(con, rules)
        active = model.manifest.get("active")
        if active is not None and active != compiled.signature:
            raise RealtimeError("the saved match model does not fit the hub's data or rules: run `mdm run` to "
                                "retrain before real-time matching")
        table_cols = _columns(con, "record_std")
        with recovered(con, "record_std") as source:   # the hub's features exactly as batch built them
            features = con.sql(feature_sql(compiled.columns, rules, source, table_cols)).to_arrow_table()
        m = cls(model=model, rules=rules, compiled=compiled, dictionary=project.dictionary,
                contexts=source_contexts(project), features=features, max_candidates=max_candidates,
                max_block=max_block)
        m._std_columns = [c for c in table_cols if c not in ("source", "source_id")]
        m._std_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE record_std").fetchall()}
        m._raw_columns = [c for c in ("street_address",) if c in _columns(con, "record")]
        han = " OR ".join(f"regexp_matches({ident(c)}, '\\p{{Han}}')" for c in NAME_COLUMNS if c in table_cols)
        if han:
            m.han_sources = frozenset(str(r[0]) for r in con.execute(
                f"SELECT DISTINCT source FROM record_std WHERE {han}").fetchall())
        m.huge_keys = frozenset(str(r[0]) for r in con.execute(
            "SELECT key FROM match_key GROUP BY key HAVING count(*) > ?", [max_block]).fetchall())
        if m.use_python_features and not m.check_python_features(con):
            log.warning("real-time matching: the Python mirror of the feature SQL disagrees with batch on this "
                        "hub's records; using the SQL (slower) for incoming records")
            m.use_python_features = False
        m.reload_goldens(con)
        return m

    @property
    def _std_columns_all(self) -> list[str]:
        return ["source", "source_id", *self._std_columns]

    def check_python_features(self, con: duckdb.DuckDBPyConnection, sample: int = 300) -> bool:
        """Whether the Python mirror gives this hub's records the features batch gave them.

        Checked on up to ``sample`` records of each kind batch repairs (Han-script names, a
        whole name in ``first_name``, no postal code) and ``sample`` others, against the
        features :meth:`load` read through the batch SQL, and their keys against the key SQL.
        """
        have = set(self._std_columns_all)
        kinds = ["true"]
        for col in ("first_name", "middle_name", "last_name", "full_name"):
            if col in have:
                kinds.append(f"regexp_matches({ident(col)}, '\\p{{Han}}')")
        if {"first_name", "last_name"} <= have:
            kinds.append("(last_name IS NULL OR trim(last_name) = '') AND regexp_matches(trim(first_name), '\\s')")
        if {"first_name", "last_name", "email__local"} <= have:
            kinds.append("email__local IS NOT NULL AND ((first_name IS NULL OR trim(first_name) = '') "
                         "<> (last_name IS NULL OR trim(last_name) = ''))")
        if "postal_code" in have:
            kinds.append("postal_code IS NULL")
        raw = ", ".join(f"r.{ident(c)} AS {ident('raw:' + c)}" for c in self._raw_columns)
        join = ("LEFT JOIN record r ON r.source = s.source AND r.source_id = s.source_id"
                if self._raw_columns else "")
        picks = " UNION ".join(f"(SELECT source || ':' || source_id AS u FROM record_std WHERE {k} "
                               f"ORDER BY hash(source, source_id) LIMIT {int(sample)})" for k in kinds)
        cur = con.execute(f"SELECT s.*{', ' + raw if raw else ''} FROM record_std s {join} "
                          f"WHERE s.source || ':' || s.source_id IN ({picks})")
        names = [d[0] for d in cur.description or []]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if not rows:
            return True
        got: list[dict[str, Any]] = []
        for row in rows:
            uid = f"{row['source']}:{row['source_id']}"
            if uid not in self._row:
                continue
            raw_row = {c[4:]: v for c, v in row.items() if c.startswith("raw:")}
            feats, keys = self.features_of(row, uid, raw_row)
            i = self._row[uid]
            if any(feats.get(c) != self._features.column(c)[i].as_py() for c in self.columns):
                return False
            got.append({"unique_id": uid, **{f"key:{k}": v for k, v in keys.items()}})
        # the keys, by the batch key SQL over the features load() read
        sample_ids = pa.array([g["unique_id"] for g in got], pa.string())
        idx = pa.array([self._row[u] for u in sample_ids.to_pylist()], pa.int64())
        sel = ", ".join(f"{e} AS {ident('key:' + k)}" for k, e in self._key_exprs.items())
        with self._lock:
            self._mem.register("_kf", self._features.take(idx))
            try:
                kc = self._mem.execute(f"SELECT unique_id, {sel} FROM _kf")
                knames = [d[0] for d in kc.description or []]
                want = {r[0]: {n[4:]: v for n, v in zip(knames[1:], r[1:], strict=True) if v is not None}
                        for r in kc.fetchall()}
            finally:
                self._mem.unregister("_kf")
        return all(want.get(g["unique_id"]) == {k[4:]: v for k, v in g.items() if k.startswith("key:")}
                   for g in got)

    def _count_tf(self, col: str, values: Iterable[Any]) -> None:
        counts = self._tf_counts.setdefault(col, {})
        n = 0
        for v in values:
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
                n += 1
        self._tf_totals[col] = self._tf_totals.get(col, 0) + n

    @property
    def records(self) -> int:
        return len(self._row)

    def add_records(self, con: duckdb.DuckDBPyConnection, unique_ids: Iterable[str]) -> int:
        """Take records newly written to ``record_std`` into the matcher (features, term frequencies).

        Call after :func:`add_match_keys`; records already known are replaced."""
        ids = [u for u in dict.fromkeys(unique_ids)]
        if not ids:
            return 0
        con.execute("CREATE OR REPLACE TEMP TABLE _rt_new AS SELECT * FROM record_std WHERE source || ':' || "
                    "source_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        try:
            with recovered(con, "_rt_new") as source:   # repaired as load() reads every record
                sql = feature_sql(self.compiled.columns, self.rules, source, _columns(con, "record_std"))
                got: pa.Table = con.sql(sql).to_arrow_table()
        finally:
            con.execute("DROP TABLE IF EXISTS _rt_new")
        new = got.select(self._features.column_names).cast(self._features.schema)
        with self._lock:
            for u in new.column("unique_id").to_pylist():  # a changed record: its old values stop counting
                i = self._row.get(u)
                if i is not None:
                    for col in self.scoring.tf_columns:
                        old = self._features.column(col)[i].as_py()
                        if old is not None:
                            self._tf_counts[col][old] -= 1
                            self._tf_totals[col] -= 1
            for col in self.scoring.tf_columns:
                self._count_tf(col, new.column(col).to_pylist())
            start = self._features.num_rows
            self._features = pa.concat_tables([self._features, new]).combine_chunks()
            for j, u in enumerate(new.column("unique_id").to_pylist()):
                self._row[u] = start + j
        return int(new.num_rows)

    # ---- per request

    def context_for(self, source: str | None) -> Context:
        if source is not None and source in self.contexts:
            return self.contexts[source]
        return Context(date_formats=self.dictionary.date_formats)

    def standardise(self, record: Mapping[str, Any], source: str | None = None) -> dict[str, Any]:
        return standardise_record(record, self.dictionary, self.context_for(source),
                                  han_names=source is not None and source in self.han_sources)

    def _prepare(self) -> None:
        """Create the one-row tables and the pairs table, and compile the per-request statements once
        (binding the gamma SQL costs more than running it)."""
        if self._prepared:
            return
        types = self._std_types
        cols = ["source", "source_id", *self._std_columns]
        # the incoming record as a one-row record_std (and its raw line as a one-row record), so the
        # batch SQL -- recovered() and feature_sql() -- runs over it unchanged
        self._mem.execute("CREATE TEMP TABLE record_std (" + ", ".join(
            f"{ident(c)} {types.get(c, 'VARCHAR')}" for c in cols) + ")")
        one = ", ".join(f"CAST(j->>{literal(c)} AS {types.get(c, 'VARCHAR')}) AS {ident(c)}" for c in cols)
        self._mem.execute(f"PREPARE rt_load AS INSERT INTO record_std SELECT {one} FROM "
                          f"(SELECT CAST($1 AS JSON) AS j)")
        if self._raw_columns:
            self._mem.execute("CREATE TEMP TABLE record (source VARCHAR, source_id VARCHAR, " + ", ".join(
                f"{ident(c)} VARCHAR" for c in self._raw_columns) + ")")
        self._mem.execute("CREATE TEMP TABLE _rec AS SELECT * FROM record_std")
        feats = feature_sql(self.compiled.columns, self.rules, "_rec", cols)
        keys = ", ".join(f"{expr} AS {ident('key:' + label)}" for label, expr in self._key_exprs.items())
        self._mem.execute(f"PREPARE rt_features AS WITH _f AS ({feats}) SELECT *, {keys} FROM _f")
        schema = self._features.schema
        pair_types = [("unique_id_r", schema.field("unique_id").type),
                      *((f"{c}_l", schema.field(c).type) for c in self.columns),
                      *((f"{c}_r", schema.field(c).type) for c in self.columns)]
        self._pair_names = [name for name, _ in pair_types]
        self._mem.execute("CREATE TEMP TABLE _pairs (" + ", ".join(
            f"{ident(n)} {_duck_type(t)}" for n, t in pair_types) + ")")
        self._mem.execute(f"PREPARE rt_score AS {self.scoring.gamma_sql('_pairs')}")
        self._prepared = True

    def features_of(self, std: Mapping[str, Any], unique_id: str = "incoming:0",
                    raw: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
        """Match features and blocking keys of one standardised record, repaired as batch repairs hub
        records; ``raw``: the record as sent (batch recovers a postal code from its one-line address).

        The Python mirror when it covers the rules and agreed with the batch SQL on this hub's
        records at load (:meth:`check_python_features`), else the batch SQL itself.
        """
        if self.use_python_features:
            line = None if raw is None or raw.get("street_address") is None else str(raw["street_address"])
            fixed = py_recovered(std, line, self._std_columns_all, bool(self._raw_columns))
            feats = py_features(fixed, self.compiled.columns, unique_id, unique_id.partition(":")[0])
            return feats, py_keys(feats, self.compiled.blocking)
        return self.sql_features_of(std, unique_id, raw)

    def sql_features_of(self, std: Mapping[str, Any], unique_id: str = "incoming:0",
                        raw: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
        """Match features and blocking keys of one standardised record, by the batch SQL.

        The record becomes a one-row ``record_std`` (``raw``, the record as sent, a one-row
        ``record``) in the matcher's private DuckDB, read through :func:`recovered` and
        :func:`feature_sql` exactly as batch reads the hub: Han-script names romanised, a
        whole name in ``first_name`` split, the postal code recovered from a one-line
        address (only with ``raw``: batch takes it from the raw record too).
        """
        source, _, source_id = unique_id.partition(":")
        doc = {c: std.get(c) for c in self._std_columns}
        doc.update(source=source, source_id=source_id)
        line = [None if raw is None or raw.get(c) is None else str(raw[c]) for c in self._raw_columns]
        with self._lock:
            self._prepare()
            mem = self._mem
            mem.execute("DELETE FROM record_std")
            mem.execute(f"EXECUTE rt_load({literal(json.dumps(doc, default=str))})")
            if self._raw_columns:
                mem.execute("DELETE FROM record")
                mem.execute(f"INSERT INTO record VALUES (?, ?{', ?' * len(line)})", [source, source_id, *line])
            mem.execute("DELETE FROM _rec")
            with recovered(mem, "record_std") as src:
                mem.execute(f"INSERT INTO _rec SELECT * FROM {src}")
            cur = mem.execute("EXECUTE rt_features")
            names = [d[0] for d in cur.description or []]
            row = cur.fetchall()[0]
        values = dict(zip(names, row, strict=True))
        out_keys = {n[4:]: v for n, v in values.items() if n.startswith("key:") and v is not None}
        feats_out = {n: v for n, v in values.items() if not n.startswith("key:")}
        return feats_out, out_keys

    def candidates(self, con: duckdb.DuckDBPyConnection, keys: Mapping[str, str], exclude: str | None = None
                   ) -> tuple[list[str], int]:
        """Hub records sharing a blocking key, most shared keys first, capped; and how many there were.

        Bounded work per call: one index scan for all keys (``key IN (...)``; measured faster
        than one lookup per key), at most ``max_candidates`` scored, and keys whose block
        holds more than ``max_block`` records (:attr:`huge_keys`, read at load) are not
        looked up. Batch blocking would pair the record with every member of such a block;
        at 100k no block comes near (largest ~120, common names), at 1M the largest natural
        blocks are ~10x that: the cap stops unspecific keys (a common name in a big postal
        code, placeholder values shared by thousands) from costing a lookup of thousands of
        rows; the record's other keys still find its duplicates.
        """
        wanted = [k for k in dict.fromkeys(keys.values()) if k not in self.huge_keys]
        if not wanted:
            return [], 0
        rows = con.execute(
            f"SELECT unique_id, count(*) AS n, count(*) OVER () AS total FROM match_key "
            f"WHERE key IN ({', '.join('?' * len(wanted))}) AND unique_id <> ? "
            f"GROUP BY unique_id ORDER BY n DESC, unique_id LIMIT {int(self.max_candidates)}",
            [*wanted, exclude or ""]).fetchall()
        total = int(rows[0][2]) if rows else 0
        return [str(r[0]) for r in rows], total

    def score(self, incoming: Mapping[str, Any], unique_ids: Sequence[str]) -> list[tuple[str, float,
                                                                                           list[dict[str, Any]]]]:
        """(unique_id, match_weight, explanation) of the incoming features against known hub records.

        The pairs (incoming features repeated beside each candidate's) are built in Arrow and
        copied into a temporary table the prepared gamma statement reads: binding the gamma
        SQL costs ~4 ms, running it ~3 ms (measured at 100k; a prepared statement over a
        registered Arrow table would keep reading the table it was prepared with).
        """
        with self._lock:
            self._prepare()
            rows = [self._row[u] for u in unique_ids if u in self._row]
            if not rows:
                return []
            right = self._features.take(rows)
            n, schema = len(rows), self._features.schema
            arrays = [right.column("unique_id"), *(_repeat(incoming.get(c), schema.field(c).type, n)
                                                   for c in self.columns),
                      *(right.column(c) for c in self.columns)]
            pairs = pa.Table.from_arrays(arrays, names=self._pair_names)
            self._mem.execute("DELETE FROM _pairs")
            # not register(): a view added or dropped makes DuckDB bind the prepared statement again
            self._mem.from_arrow(pairs).insert_into("_pairs")
            got = self._mem.execute("EXECUTE rt_score").fetchall()
        tf = {c: self._tf(c, incoming.get(c)) for c in self.scoring.tf_columns}
        seen: dict[tuple[int, ...], tuple[float, list[dict[str, Any]]]] = {}
        out = []
        for row in got:
            gammas = tuple(int(g) for g in row[1:])
            hit = seen.get(gammas)
            if hit is None:
                hit = seen[gammas] = self.scoring.weigh(gammas, tf)
            out.append((str(row[0]), hit[0], hit[1]))
        return out

    def reload_goldens(self, con: duckdb.DuckDBPyConnection) -> int:
        """Re-read unique_id -> golden_id from ``xref`` (after a run, a merge or a split)."""
        rows = con.execute("SELECT source || ':' || source_id, golden_id FROM xref WHERE valid_to IS NULL"
                           ).fetchall()
        with self._lock:
            self._golden = {str(u): str(g) for u, g in rows}
        return len(rows)

    def set_golden(self, unique_id: str, golden_id: str | None) -> None:
        """Record one xref change made by the server (attach, create, merge, split)."""
        with self._lock:
            if golden_id is None:
                self._golden.pop(unique_id, None)
            else:
                self._golden[unique_id] = golden_id

    def golden_ids(self, con: duckdb.DuckDBPyConnection, unique_ids: Sequence[str]) -> dict[str, str]:
        if self.goldens_from_hub:
            return _golden_ids(con, unique_ids)
        with self._lock:
            return {u: g for u in unique_ids if (g := self._golden.get(u)) is not None}

    def _tf(self, col: str, value: Any) -> float | None:
        if value is None:
            return None
        count = self._tf_counts.get(col, {}).get(value, 0)
        total = self._tf_totals.get(col, 0)
        return count / total if count and total else None

    def match(self, con: duckdb.DuckDBPyConnection, record: Mapping[str, Any], *, source: str | None = None,
              source_id: str | None = None, limit: int = 10, standardised: bool = False,
              raw: Mapping[str, Any] | None = None) -> MatchResult:
        """Score one record (raw attribute -> value, or ``standardised`` record_std columns) against the hub.

        ``source``/``source_id``: where the record comes from (its standardisation context; a
        record already in the hub under that id is not its own candidate). ``raw``: with a
        ``standardised`` record, the record as sent (batch recovers a postal code from its
        one-line address).
        """
        std = dict(record) if standardised else self.standardise(record, source)
        uid = f"{source}:{source_id}" if source and source_id else None
        feats, keys = self.features_of(std, uid or "incoming:0", raw if standardised else record)
        ids, found = self.candidates(con, keys, exclude=uid)
        scored = self.score(feats, ids)
        scored.sort(key=lambda t: (-t[1], t[0]))
        goldens = self.golden_ids(con, [u for u, _, _ in scored])
        records = [Candidate(u, goldens.get(u), w, probability(w), band(probability(w), self.thresholds), e)
                   for u, w, e in scored]
        best: dict[str, GoldenCandidate] = {}
        for c in records:
            if c.golden_id is None:
                continue
            g = best.get(c.golden_id)
            if g is None:
                best[c.golden_id] = GoldenCandidate(c.golden_id, c.match_weight, c.match_probability, c.band,
                                                    c.unique_id, [c.unique_id], c.explanation)
            else:
                g.members_matched.append(c.unique_id)
        ranked = sorted(best.values(), key=lambda g: (-g.match_weight, g.golden_id))[:limit]
        return MatchResult(goldens=ranked, records=records[:limit], candidates_found=found,
                           candidates_scored=len(scored), standardised=std)


def _repeat(value: Any, t: pa.DataType, n: int) -> pa.Array:
    """``value`` ``n`` times as an Arrow array of type ``t`` (a value of another type via its text)."""
    try:
        return pa.array([value] * n, t)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([_text(value)] * n, pa.string()).cast(t, safe=False)


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
    return "VARCHAR"


def _golden_ids(con: duckdb.DuckDBPyConnection, unique_ids: Sequence[str]) -> dict[str, str]:
    """unique_id -> current golden id, from ``xref``."""
    if not unique_ids:
        return {}
    pairs = [u.partition(":") for u in unique_ids]
    rows = con.execute(
        "SELECT x.source || ':' || x.source_id, x.golden_id FROM xref x "
        "SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS s, unnest(?::VARCHAR[]) AS i) q "
        "ON x.source = q.s AND x.source_id = q.i WHERE x.valid_to IS NULL",
        [[p[0] for p in pairs], [p[2] for p in pairs]]).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}
