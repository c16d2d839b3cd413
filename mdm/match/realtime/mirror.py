"""The match features of one record in Python: a mirror of the batch SQL (features, repairs, keys)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from mdm.match.realtime.keys import SEP, rule_code
from mdm.match.repair import (
    FAMILY_COLUMNS,
    NAME_COLUMNS,
    _phonetic,
    name_from_email,
    romanise,
    romanise_family,
)
from mdm.match.rules import BlockingRule, MatchRules

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


