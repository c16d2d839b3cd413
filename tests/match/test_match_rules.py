"""rules/match.yaml: the bundled file loads; mistakes are one-line ConfigErrors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mdm.config import BUNDLED_MATCH_RULES
from mdm.errors import ConfigError
from mdm.match.rules import BlockingRule, MatchRules, load_match_rules


def _write(tmp_path: Path, doc: dict[str, object]) -> Path:
    path = tmp_path / "match.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def bundled_doc() -> dict[str, object]:
    return yaml.safe_load(BUNDLED_MATCH_RULES.read_text(encoding="utf-8"))


def test_bundled_rules_load() -> None:
    rules = load_match_rules()
    assert isinstance(rules, MatchRules)
    assert rules.engine == "duckdb"
    assert {c.name for c in rules.comparisons} >= {"first_name", "last_name", "birth_date", "email"}
    low, high = rules.thresholds.review
    assert low < high <= rules.thresholds.auto_match
    assert len(rules.training.em) >= 2


def test_blocking_rule_forms() -> None:
    assert BlockingRule.model_validate(["first_name", "last_name"]).columns == ["first_name", "last_name"]
    rule = BlockingRule.model_validate({"on": [{"column": "postal_code", "substr": [1, 3]}, "last_name"]})
    assert rule.label == "postal_code[1:3]+last_name"


def _error(tmp_path: Path, doc: dict[str, object]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_match_rules(_write(tmp_path, doc))
    err = info.value
    assert "\n" not in str(err), "errors are one line"
    assert str(tmp_path / "match.yaml") in str(err), "errors name the file"
    return err


def test_misspelt_top_level_key_suggests_the_right_one(tmp_path: Path, bundled_doc: dict[str, object]) -> None:
    bundled_doc["thresholdz"] = bundled_doc.pop("thresholds")
    err = _error(tmp_path, bundled_doc)
    assert "thresholdz" in str(err) and "did you mean 'thresholds'" in str(err)
    assert err.code == "config.unknown_key"


def test_unknown_comparison_kind(tmp_path: Path, bundled_doc: dict[str, object]) -> None:
    comparisons = bundled_doc["comparisons"]
    assert isinstance(comparisons, list)
    comparisons[0]["kind"] = "soundalike"
    err = _error(tmp_path, bundled_doc)
    assert "comparisons.0" in str(err)


def test_bad_threshold_values(tmp_path: Path, bundled_doc: dict[str, object]) -> None:
    bundled_doc["thresholds"] = {"auto_match": 0.9, "review": [0.95, 0.99]}
    err = _error(tmp_path, bundled_doc)
    assert "thresholds" in str(err) and "review" in str(err)


def test_bad_jaro_winkler_threshold(tmp_path: Path, bundled_doc: dict[str, object]) -> None:
    bundled_doc["comparisons"] = [{"name": "x", "kind": "jaro_winkler", "column": "last_name", "thresholds": [1.5]}]
    _error(tmp_path, bundled_doc)


def test_missing_required_key(tmp_path: Path, bundled_doc: dict[str, object]) -> None:
    del bundled_doc["training"]
    err = _error(tmp_path, bundled_doc)
    assert "'training' is required" in str(err)
    assert err.code == "config.missing_key"


def test_duplicate_comparison_name(tmp_path: Path, bundled_doc: dict[str, object]) -> None:
    comparisons = bundled_doc["comparisons"]
    assert isinstance(comparisons, list)
    comparisons.append(dict(comparisons[0]))
    assert "used twice" in str(_error(tmp_path, bundled_doc))


def test_yaml_syntax_error_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "match.yaml"
    path.write_text("engine: duckdb\ncomparisons: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_match_rules(path)
    assert "\n" not in str(info.value) and "line" in str(info.value)


def test_model_hash_ignores_thresholds_but_not_comparisons() -> None:
    rules = load_match_rules()
    same = rules.model_copy(update={"thresholds": rules.thresholds.model_copy(update={"auto_match": 0.999,
                                                                                       "review": (0.4, 0.9)})})
    assert same.model_hash == rules.model_hash
    fewer = rules.model_copy(update={"comparisons": rules.comparisons[:-1]})
    assert fewer.model_hash != rules.model_hash


def test_misspelt_key_inside_a_comparison_names_its_kind(tmp_path: Path, bundled_doc: dict[str, object]) -> None:
    comparisons = bundled_doc["comparisons"]
    assert isinstance(comparisons, list)
    comparisons[0]["swap_wth"] = "last_name_key"
    err = _error(tmp_path, bundled_doc)
    assert "comparisons.0.swap_wth" in str(err) and "did you mean 'swap_with'" in str(err)
    assert "kind 'name'" in str(err)


def test_bare_on_and_otherwise_in_yaml(tmp_path: Path) -> None:
    """``{on: [...]}`` as a user types it: YAML 1.1 reads a bare ``on`` as true, which is still the key."""
    doc = BUNDLED_MATCH_RULES.read_text(encoding="utf-8")
    assert "{on: [first_name_key, last_name_key, postal_area], otherwise:" in doc  # the bundled file uses it
    typed = "{on: [first_name_key, postal_area], otherwise: [first_name_key]}"
    rule = BlockingRule.model_validate(yaml.safe_load(typed))
    assert rule.columns == ["first_name_key", "postal_area"]
    instead = rule.instead()
    assert instead is not None and instead.columns == ["first_name_key"]
    assert BlockingRule.model_validate(["a"]).instead() is None


def test_an_em_rule_over_an_absent_column_falls_back_to_otherwise() -> None:
    from mdm.match.features import ColumnCensus
    from mdm.match.settings import compile_settings, referenced_columns

    rules = load_match_rules()
    assert "postal_area" in referenced_columns(rules)
    every = {c: 10 for c in referenced_columns(rules)}
    with_area = compile_settings(rules, ColumnCensus(non_null=every, missing=frozenset(), rows=10))
    assert ("first_name_key", "last_name_key", "postal_area") in [tuple(r.columns) for r in with_area.em_rules]
    names_only = {c: n for c, n in every.items() if c in {"first_name_key", "last_name_key", "birth_date",
                                                          "first_name__metaphone", "last_name__metaphone"}}
    bare = compile_settings(rules, ColumnCensus(non_null=names_only, missing=frozenset(), rows=10))
    em = [tuple(r.columns) for r in bare.em_rules]
    assert ("first_name_key", "last_name_key") in em and ("birth_date",) in em  # names + birth dates still train
    assert any("is first_name_key+last_name_key" in n for n in bare.notes)
