"""Cache keys of raw values: the folding (whitespace, and case where it cannot matter) each
standardiser reads its input under, and the sort order of a distinct pass."""

from __future__ import annotations

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


def sort_sql(std_name: str) -> str:
    sort = SORT_SQL.get(std_name)
    return sort.replace("{v}", "d.raw") + ", " if sort else ""


def key_sql(std_name: str, column: str) -> str:
    return KEY_SQL.get(std_name, _SPACES).replace("{v}", column)
