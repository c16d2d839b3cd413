"""Which level of the bundled comparisons a pair of records reaches, and which pairs blocking offers.

Each case is a pair whose answer is known from how the records were written (a swapped
name with a nickname, a sign-up with a postal code only), evaluated with the SQL the
compiled Splink settings carry, best level first, as Splink evaluates it.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pytest

from mdm.config import BUNDLED_MATCH_RULES
from mdm.match.features import ColumnCensus, build_features
from mdm.match.rules import load_match_rules
from mdm.match.settings import Compiled, compile_settings, referenced_columns


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    rules = load_match_rules(BUNDLED_MATCH_RULES)
    columns = referenced_columns(rules)
    return compile_settings(rules, ColumnCensus(non_null=dict.fromkeys(columns, 1), missing=frozenset(), rows=2))


def level_of(compiled: Compiled, comparison: str, left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """The first level of ``comparison`` (Splink's order) that holds for the pair."""
    comp = next(c for c in compiled.settings["comparisons"] if c["output_column_name"] == comparison)
    cols = list(dict.fromkeys([*compiled.columns, *left, *right]))
    select = ", ".join(f'CAST(? AS VARCHAR) AS "{c}_l", CAST(? AS VARCHAR) AS "{c}_r"' for c in cols)
    params = [v for c in cols for v in (left.get(c), right.get(c))]
    con = duckdb.connect()
    con.execute(f"CREATE TABLE p AS SELECT {select}", params)
    for level in comp["comparison_levels"]:
        sql = level["sql_condition"]
        if sql == "ELSE" or con.execute(f"SELECT count(*) FROM p WHERE {sql}").fetchone() == (1,):
            return dict(level)
    raise AssertionError("no level holds")


def names(first: str | None, last: str | None, first_nick: str | None = None, last_nick: str | None = None
          ) -> dict[str, Any]:
    return {"first_name_key": first, "last_name_key": last, "first_name__nickname_canonical": first_nick or first,
            "last_name__nickname_canonical": last_nick or last}


@pytest.mark.parametrize(("left", "right"), [
    # Barbara Walker typed as first name Walker, last name Barb
    (names("barbara", "walker"), names("walker", "barb", last_nick="barbara")),
    # James Wilson typed as first name Wilsn (typo), last name James
    (names("james", "wilson"), names("wilsn", "james")),
])
def test_names_swapped_with_a_nickname_or_typo(compiled: Compiled, left: dict[str, Any],
                                               right: dict[str, Any]) -> None:
    first = level_of(compiled, "first_name", left, right)
    assert first["label_for_charts"] == "swapped with last_name_key, with a typo or nickname"
    # the last name's swap level carries no weight: the event counts once, in first_name
    last = level_of(compiled, "last_name", left, right)
    assert last["label_for_charts"] == "swapped with first_name_key, with a typo or nickname"
    assert last["m_probability"] == last["u_probability"]


def test_different_people_of_one_family_are_not_a_swap(compiled: Compiled) -> None:
    # household members share a surname: their first names differ and nothing is swapped
    left, right = names("james", "wilson"), names("mary", "wilson")
    assert "swapped" not in level_of(compiled, "first_name", left, right)["label_for_charts"]
    assert level_of(compiled, "last_name", left, right)["label_for_charts"] == "exact"


def contact(phone: str | None, street: str | None, postal: str | None) -> dict[str, Any]:
    return {"phone": phone, "street_key": street, "postal_code": postal, "postal_area": postal,
            "zip3": postal and postal[:3],
            "phone_last7": phone and phone[-7:]}


def test_postal_code_alone_is_its_own_level_when_nothing_else_can_be_compared(compiled: Compiled) -> None:
    crm = contact("+16174305195", "3 CHERRY", "02115")
    web = contact(None, None, "02115")               # a sign-up form asks for the ZIP code only
    other_phone = contact("+16175550123", "3 CHERRY", "02115")
    moved_street = contact("+16175550123", "9 ELM", "02115")
    assert level_of(compiled, "contact", crm, web)["label_for_charts"] == \
        "same postal code, no phone or street to compare"
    assert level_of(compiled, "contact", crm, moved_street)["label_for_charts"] == "same postal code or district"
    # a different phone at the same street line is still the street level, not the lone-postcode one
    assert level_of(compiled, "contact", crm, other_phone)["label_for_charts"] == "same street line and postal code"
    assert level_of(compiled, "contact", crm, contact("+16174305195", None, None))["label_for_charts"] == \
        "same phone, no address to compare"


def test_sign_up_with_one_name_and_an_email_is_a_candidate_for_the_full_record(compiled: Compiled) -> None:
    """'amy' + amycarter91@... (no last name) and 'Amy Carter' without an e-mail share a blocking key."""
    con = duckdb.connect()
    std = pd.DataFrame({
        "source": ["web", "crm", "crm"], "source_id": ["1", "2", "3"],
        "first_name": ["amy", "amy", "amy"], "first_name__nickname_canonical": ["amy", "amy", "amy"],
        "first_name__metaphone": ["AM", "AM", "AM"],
        "last_name": [None, "carter", "carter"], "last_name__metaphone": [None, "KRTR", "KRTR"],
        "email": ["amycarter91@gmail.com", None, None], "email__local": ["amycarter91", None, None],
        "postal_code": [None, "02115", "60601"], "birth_date": [None, "1991-01-06", "1980-03-02"]})
    for column in ("gender", "phone", "national_id", "street_address__number", "street_address__street_name"):
        std[column] = None   # the rest of record_std's columns, unknown here
    con.register("std", std)
    con.execute("CREATE TABLE record_std AS SELECT * FROM std")
    features = build_features(con, compiled.columns).to_pylist()
    web = next(r for r in features if r["unique_id"] == "web:1")
    assert web["last_name_key"] == "carter"
    assert web["last_name__metaphone"] == "KRTR"   # the recovered part brings its phonetic key
    crm = next(r for r in features if r["unique_id"] == "crm:2")
    shared = [b.label for b in compiled.blocking
              if all(web.get(k.column) is not None and web.get(k.column) == crm.get(k.column) for k in b.keys)]
    assert shared, "no blocking rule pairs the sign-up with the full record"
    assert level_of(compiled, "last_name", web, crm)["label_for_charts"] == "exact"


def test_swap_with_a_typo_is_written_in_the_engines_own_sql() -> None:
    rules = load_match_rules(BUNDLED_MATCH_RULES).model_copy(update={"engine": "spark"})
    columns = referenced_columns(rules)
    spark = compile_settings(rules, ColumnCensus(non_null=dict.fromkeys(columns, 1), missing=frozenset(), rows=2))
    comp = next(c for c in spark.settings["comparisons"] if c["output_column_name"] == "first_name")
    sql = next(lv["sql_condition"] for lv in comp["comparison_levels"]
               if lv.get("label_for_charts") == "swapped with last_name_key, with a typo or nickname")
    assert "jaro_winkler(`first_name_key_l`, `last_name_key_r`)" in sql   # Splink's Spark UDF, not DuckDB's name
    assert "jaro_winkler_similarity" not in sql


def test_one_keystroke_typo_that_jaro_winkler_misses(compiled: Compiled) -> None:
    # "beyty" is Betty with one letter mistyped; Jaro-Winkler puts it under 0.92
    level = level_of(compiled, "first_name", names("betty", "jones"), names("beyty", "jones"))
    assert level["label_for_charts"] == "at most 1 keystroke apart"
    assert level_of(compiled, "first_name", names("betty", "jones"), names("bettina", "jones"))[
        "label_for_charts"] != "at most 1 keystroke apart"
