"""Prediction: pairs, bands, review band, and explanations that add up to the match weight."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mdm.match.predict import PAIR_COLUMNS, review_pairs
from mdm.match.rules import load_match_rules
from mdm.match.stage import MatchResult, match_records

from .conftest import connected_components, fast_rules, make_record_std, pairwise_f1


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[MatchResult, pd.DataFrame]:
    df, truth = make_record_std(500, seed=23)
    con = duckdb.connect()
    con.register("_df", df)
    con.execute("CREATE TABLE record_std AS SELECT * FROM _df")
    rules = fast_rules()
    fixed = {"keep": 0.0, "review": (0.0, 0.99), "auto_match": 0.99, "adaptive": False, "adaptive_review": False}
    rules = rules.model_copy(update={"thresholds": rules.thresholds.model_copy(update=fixed)})
    res = match_records(con, rules, tmp_path_factory.mktemp("model"))
    con.close()
    return res, truth


def test_pairs_table_shape(result: tuple[MatchResult, pd.DataFrame]) -> None:
    res, _ = result
    pairs = res.pairs
    assert tuple(pairs.column_names) == PAIR_COLUMNS
    df = pairs.to_pandas()
    assert len(df) > 0
    assert (df["unique_id_l"] != df["unique_id_r"]).all()
    assert df["source_l"].isin(["crm", "web"]).all()
    assert not df.duplicated(["unique_id_l", "unique_id_r"]).any()
    assert df["match_probability"].is_monotonic_decreasing


def test_explanations_add_up_to_the_match_weight(result: tuple[MatchResult, pd.DataFrame]) -> None:
    res, _ = result
    df = res.pairs.to_pandas()
    comparisons = res.compiled.comparisons
    for weight, explanation in zip(df["match_weight"], df["explanation"], strict=True):
        parts = json.loads(explanation)
        assert parts[0]["comparison"] == "prior" and parts[0]["gamma"] is None
        assert [p["comparison"] for p in parts[1:]] == comparisons
        assert math.isclose(sum(p["weight"] for p in parts), weight, abs_tol=1e-6)
        for p in parts:
            assert math.isclose(math.log2(p["bayes_factor"]), p["weight"], abs_tol=1e-9)
            assert p["level"]  # every gamma has its label
    # levels come with their labels, e.g. an exact first name, a NULL (weight 0) comparison
    all_parts = [p for e in df["explanation"] for p in json.loads(e)]
    assert any(p["comparison"] == "first_name" and p["level"] == "exact" and p["weight"] > 0 for p in all_parts)
    assert all(p["weight"] == 0 for p in all_parts if p["gamma"] == -1)


def test_bands_follow_thresholds_and_review_pairs(result: tuple[MatchResult, pd.DataFrame]) -> None:
    res, _ = result
    df = res.pairs.to_pandas()
    auto = 0.99
    assert (df.loc[df["band"] == "match", "match_probability"] >= auto).all()
    assert (df.loc[df["band"] == "review", "match_probability"] < auto).all()
    assert set(df["band"]) <= {"match", "review", "low"}
    review = review_pairs(res.pairs).to_pandas()
    assert len(review) == (df["band"] == "review").sum() > 0
    assert review["explanation"].notna().all()
    assert res.review().num_rows == len(review)


def test_duplicates_are_found(result: tuple[MatchResult, pd.DataFrame]) -> None:
    res, truth = result
    clusters = connected_components(res.pairs.to_pandas(), 0.99)
    precision, recall, f1 = pairwise_f1(clusters, truth)
    assert precision > 0.95 and recall > 0.85, (precision, recall, f1)


def test_keep_threshold_drops_unlikely_pairs(tmp_path: Path, hub_con: Callable[..., duckdb.DuckDBPyConnection]
                                             ) -> None:
    rules = fast_rules()
    assert rules.thresholds.keep > 0
    res = match_records(hub_con(make_record_std(200, seed=3)[0]), rules, tmp_path)
    assert (res.pairs.to_pandas()["match_probability"] >= rules.thresholds.keep).all()


def test_bundled_rules_on_the_demo_sample(demo_hub: Path, tmp_path: Path) -> None:
    """The 2,000-record demo sample, bundled rules as shipped: sane accuracy at auto_match."""
    rules = load_match_rules()
    con = duckdb.connect(str(demo_hub / "hub.duckdb"), read_only=True)
    try:
        res = match_records(con, rules, tmp_path)
    finally:
        con.close()
    truth = pd.read_csv(demo_hub / "data" / "truth.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["unusable"] == ""]
    truth = pd.DataFrame({"unique_id": truth["source"] + ":" + truth["source_id"], "entity_id": truth["entity_id"]})
    truth = truth[truth["unique_id"].isin(res.features.column("unique_id").to_pylist())]
    clusters = connected_components(res.pairs.to_pandas(), rules.thresholds.auto_match)
    precision, recall, f1 = pairwise_f1(clusters, truth)
    assert f1 > 0.9, (precision, recall, f1)
    assert res.model.manifest["em_failures"] == []
