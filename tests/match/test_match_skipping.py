"""One rules file, sources with different attributes: absent columns skip with a logged note."""

from __future__ import annotations

import logging
from collections.abc import Callable

import duckdb
import pytest

from mdm.errors import ConfigError
from mdm.match.features import build_features, census
from mdm.match.rules import load_match_rules
from mdm.match.settings import compile_settings, referenced_columns
from mdm.match.stage import prepare

from .conftest import make_record_std


def test_absent_attributes_skip_comparisons_levels_and_blocking_rules(
        hub_con: Callable[..., duckdb.DuckDBPyConnection], caplog: pytest.LogCaptureFixture) -> None:
    df, _ = make_record_std(50)
    df = df.drop(columns=["national_id", "first_name__metaphone"])  # no source carries these
    df["phone"] = None  # carried by a mapping, but NULL in every record
    con = hub_con(df)
    rules = load_match_rules()
    with caplog.at_level(logging.INFO, logger="mdm.match"):
        compiled, features = prepare(con, rules)
    notes = "\n".join(compiled.notes)
    assert "comparison national_id skipped" in notes
    assert "comparison location skipped" in notes  # no coordinates anywhere
    assert "blocking rule phone skipped" in notes
    assert "blocking rule national_id skipped" in notes
    assert "EM rule national_id skipped" in notes
    assert "level 'same metaphone key' dropped" in notes
    assert "national_id" not in compiled.comparisons and "first_name" in compiled.comparisons
    assert "same metaphone key" not in compiled.levels["first_name"]
    assert "same metaphone key" in compiled.levels["last_name"]
    # contact survives on its address levels; phone levels go
    assert "same street line and postal code" in compiled.levels["contact"]
    assert "same phone" not in compiled.levels["contact"]
    assert all(b.label not in ("phone", "national_id") for b in compiled.blocking)
    # every note was logged on mdm.match
    logged = [r.getMessage() for r in caplog.records if r.name == "mdm.match"]
    assert all(note in logged for note in compiled.notes)
    # the Splink input carries ids and only the columns the active settings read
    assert features.column_names[:2] == ["unique_id", "source_dataset"]
    assert "national_id" not in features.column_names and "phone" not in features.column_names
    assert features.num_rows == len(df)


def test_nothing_usable_is_a_config_error(hub_con: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    con = hub_con(make_record_std(20)[0][["source", "source_id", "gender"]])
    rules = load_match_rules()
    rules = rules.model_copy(update={"comparisons": rules.comparisons[:2]})  # first and last name only
    with pytest.raises(ConfigError, match="none of the comparisons can be used"):
        compile_settings(rules, census(con, referenced_columns(rules), rules))


def test_features_are_plain_sql_over_record_std(hub_con: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    df, _ = make_record_std(20)
    df.loc[0, ["first_name", "last_name"]] = ["Muñoz-Díaz", "O'Brien"]
    con = hub_con(df)
    table = build_features(con, ["first_name_key", "last_name_key", "name_key", "zip3", "phone_last7",
                                 "birth_year", "latitude"], load_match_rules())
    row = {k: v[0] for k, v in table.to_pydict().items() if k != "unique_id"}
    first = df.iloc[0]
    assert row["first_name_key"] == "munozdiaz" and row["last_name_key"] == "obrien"
    assert row["name_key"] == "munozdiaz obrien"
    assert row["zip3"] == first["postal_code"][:3]
    assert row["birth_year"] == first["birth_date"][:4] if first["birth_date"] else True
    assert row["latitude"] is None  # not in record_std: a NULL column, never an error
    assert table.column("unique_id").to_pylist() == sorted(table.column("unique_id").to_pylist())


def test_a_wide_rule_steps_aside_where_its_blocks_grow_too_large(
        hub_con: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    """max_pairs_per_record: a name + birth year block widens the search in small data only."""
    from mdm.match.rules import BlockingRule

    df, _ = make_record_std(300)
    df = df.assign(last_name="Smith")  # one surname: its year blocks hold ~5 records each
    con = hub_con(df)
    base = load_match_rules()
    wide = BlockingRule(on=("last_name_key", "birth_year"), max_pairs_per_record=1)
    cen = census(con, referenced_columns(base), base.model_copy(update={"blocking": (*base.blocking, wide)}))
    n, pairs = cen.rows, cen.block_pairs["last_name_key+birth_year"]
    # the count is the pairs the block forms: sum over its blocks of n(n-1)/2
    sizes = df.assign(y=df.birth_date.str[:4]).dropna(subset=["birth_date"]).groupby("y").size()
    assert pairs == int((sizes * (sizes - 1) // 2).sum()) and pairs > n
    for cap, kept in ((1.0, False), (pairs / n + 0.5, True)):
        rules = base.model_copy(update={"blocking": (*base.blocking, wide.model_copy(
            update={"max_pairs_per_record": cap}))})
        compiled = compile_settings(rules, census(con, referenced_columns(rules), rules))
        assert ("last_name_key+birth_year" in [b.label for b in compiled.blocking]) is kept
        assert kept or any("last_name_key+birth_year skipped" in t and "per record" in t for t in compiled.notes)


def test_a_rule_for_data_without_contact_details_steps_aside_where_they_exist(
        hub_con: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    df, _ = make_record_std(60)
    rules = load_match_rules()
    label = "last_name_key+birth_year"
    assert any(b.label == label and b.unless_present for b in rules.blocking)  # bundled
    with_contact, _ = prepare(hub_con(df), rules)
    assert label not in [b.label for b in with_contact.blocking]
    assert any(label in t and "the data carries phone" in t for t in with_contact.notes)
    names_only = df.assign(phone=None, email=None, email__local=None, street_address=None,
                           street_address__number=None, street_address__street_name=None, postal_code=None)
    compiled, _ = prepare(hub_con(names_only), rules)
    assert label in [b.label for b in compiled.blocking]
