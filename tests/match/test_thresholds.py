"""Adaptive cut-offs: the valley of the match-weight density, guards, labels, the saved choice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdm.match.rules import Thresholds, load_match_rules
from mdm.match.stage import match_records
from mdm.match.thresholds import (
    CEILING_PROBABILITY,
    FLOOR_PROBABILITY,
    choose,
    density_valley,
    effective,
    load_choice,
    probability,
    review_below,
    save_choice,
    weight_of,
)

from .conftest import connected_components, fast_rules, make_record_std, pairwise_f1

AUTO = Thresholds.model_validate({"auto_match": "auto", "review": "auto"})


def _mixture(rng: np.random.Generator, non: tuple[float, float, int], match: tuple[float, float, int]
             ) -> tuple[np.ndarray, np.ndarray]:
    w0 = rng.normal(non[0], non[1], non[2])
    w1 = rng.normal(match[0], match[1], match[2])
    w = np.concatenate([w0, w1])
    truth = np.concatenate([np.zeros(len(w0), bool), np.ones(len(w1), bool)])
    keep = w > weight_of(0.01)  # what predict returns: pairs at or above keep
    return w[keep], truth[keep]


def _best_cut_f1(w: np.ndarray, truth: np.ndarray, cut: float) -> tuple[float, float]:
    """(F1 at ``cut``, best F1 over every cut) for pairs classified by weight."""
    def f1(c: float) -> float:
        sel = w >= c
        tp = int((sel & truth).sum())
        return 2 * tp / (int(sel.sum()) + int(truth.sum())) if tp else 0.0
    return f1(cut), max(f1(c) for c in np.unique(w))


def test_rules_file_auto_parses_to_adaptive_with_fallbacks() -> None:
    t = load_match_rules().thresholds
    assert t.adaptive and t.adaptive_review
    assert t.auto_match == 0.99 and t.review[1] == 0.99 and 0 < t.review[0] < 0.99
    fixed = Thresholds.model_validate({"auto_match": 0.95, "review": [0.8, 0.95]})
    assert not fixed.adaptive and not fixed.adaptive_review
    band = Thresholds.model_validate({"auto_match": 0.95, "review": "auto"})
    assert band.review == pytest.approx(review_below(0.95))


def test_explicit_thresholds_are_kept_whatever_the_scores() -> None:
    fixed = Thresholds.model_validate({"auto_match": 0.9, "review": [0.5, 0.9]})
    rng = np.random.default_rng(1)
    choice = choose(rng.normal(0, 10, 500), fixed)
    assert (choice.auto_match, choice.review, choice.method) == (0.9, (0.5, 0.9), "fixed")


@pytest.mark.parametrize("non, match", [
    ((-4.0, 2.0, 4000), (22.0, 6.0, 800)),    # many attributes: matches far above
    ((-5.0, 2.5, 6000), (5.0, 1.0, 300)),     # names and birth dates only: matches top out near 0.985
    ((-2.0, 3.0, 3000), (12.0, 4.0, 1500)),   # heavy corruption: the masses overlap more
])
def test_the_valley_lands_near_the_best_cut(non: tuple[float, float, int], match: tuple[float, float, int]) -> None:
    w, truth = _mixture(np.random.default_rng(7), non, match)
    choice = choose(w, AUTO)
    assert choice.method == "density_valley"
    got, best = _best_cut_f1(w, truth, weight_of(choice.auto_match))
    assert got >= best - 0.01, (choice.auto_match, got, best)
    assert choice.review[1] == choice.auto_match and choice.review[0] < choice.auto_match
    assert "valley" in choice.reason


def test_a_model_that_tops_out_below_099_still_merges() -> None:
    """Names and birth dates only: the strongest pairs score ~0.98, a fixed 0.99 would merge nothing."""
    w, truth = _mixture(np.random.default_rng(3), (-6.0, 2.0, 5000), (5.0, 0.5, 400))
    assert probability(float(w.max())) < 0.99
    choice = choose(w, AUTO)
    merged = w >= weight_of(choice.auto_match)
    assert merged.sum() > 0.9 * truth.sum()
    assert (merged & ~truth).sum() < 0.05 * merged.sum()


def test_a_mass_of_matches_straddling_even_odds_is_not_taken_for_the_non_matches() -> None:
    """Names and birth dates with slips: many true pairs sit around 0-2 bits, above a falling tail of
    non-matches cut off at the keep probability. The non-matches' mode is the peak of that tail, not
    the rising flank of the matches at even odds, so the cut goes below the straddling mass."""
    rng = np.random.default_rng(11)
    w, truth = _mixture(rng, (-14.0, 3.0, 4000), (16.0, 2.5, 1500))  # ~30 non-matches above keep
    # matches fall away slowly to the left (one slip, two, a missing value), and a mass of them sits
    # at even odds: the names agree, the birth date carries two slips
    extra = np.concatenate([rng.uniform(2.0, 12.0, 150), rng.normal(1.0, 0.5, 80)])
    w, truth = np.concatenate([w, extra]), np.concatenate([truth, np.ones(len(extra), bool)])
    choice = choose(w, AUTO)
    assert choice.method == "density_valley"
    assert choice.details["non_match_mode_weight"] < 0
    got, best = _best_cut_f1(w, truth, weight_of(choice.auto_match))
    assert got >= best - 0.01, (choice.auto_match, got, best)
    assert (w[truth & (w >= 0.5)] >= weight_of(choice.auto_match)).all()  # the straddling mass merges


@given(st.lists(st.floats(min_value=-40, max_value=80, allow_nan=False), min_size=0, max_size=400))
@settings(max_examples=150, deadline=None)
def test_any_scores_give_cut_offs_within_the_guards(weights: list[float]) -> None:
    choice = choose(weights, AUTO)
    assert FLOOR_PROBABILITY <= choice.auto_match <= CEILING_PROBABILITY or choice.method == "fallback"
    low, high = choice.review
    assert 0 <= low < high == choice.auto_match
    assert choice.apply(AUTO).auto_match == choice.auto_match  # a valid Thresholds


def test_too_few_pairs_fall_back_with_a_reason() -> None:
    choice = choose([1.0, 30.0, -3.0], AUTO)
    assert choice.method == "fallback" and choice.auto_match == 0.99
    assert "too few" in choice.reason
    valley, info = density_valley(np.full(200, -5.0))
    assert valley is None and "even odds" in info["why"]


def test_steward_labels_move_the_cut_towards_where_they_cross() -> None:
    w, _ = _mixture(np.random.default_rng(11), (-4.0, 2.0, 3000), (20.0, 5.0, 600))
    without = choose(w, AUTO)
    # stewards say pairs up to 2 bits above the valley were different people, beyond it the same
    cut = weight_of(without.auto_match) + 2
    lw = np.linspace(cut - 8, cut + 8, 60)
    labels = (lw.tolist(), (lw > cut).tolist())
    with_labels = choose(w, AUTO, labels)
    assert with_labels.method == "labels"
    assert abs(weight_of(with_labels.auto_match) - cut) < 1.0
    far = choose(w, AUTO, ((lw + 30).tolist(), (lw > cut).tolist()))  # labels far off move it six bits at most
    reach = min(weight_of(without.auto_match) + 6, weight_of(CEILING_PROBABILITY))
    assert weight_of(far.auto_match) == pytest.approx(reach, abs=0.01)
    too_few = choose(w, AUTO, ([1.0, 2.0, 30.0], [False, True, True]))
    assert too_few.method == "density_valley"


def test_saved_choice_is_what_real_time_and_rebuilds_read(tmp_path: Path) -> None:
    assert effective(AUTO, tmp_path).auto_match == 0.99  # before any run: the fallback
    w, _ = _mixture(np.random.default_rng(5), (-4.0, 2.0, 2000), (20.0, 5.0, 500))
    choice = choose(w, AUTO)
    save_choice(choice, tmp_path)
    assert load_choice(tmp_path) == choice
    now = effective(AUTO, tmp_path)
    assert (now.auto_match, now.review) == (choice.auto_match, choice.review)
    fixed = Thresholds.model_validate({"auto_match": 0.9, "review": [0.5, 0.9]})
    assert effective(fixed, tmp_path).auto_match == 0.9  # numbers in the rules always win


def test_a_run_bands_by_its_own_choice_and_saves_it(tmp_path: Path,
                                                    hub_con: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    """match_records on data with a known truth: the cut-off is chosen from the scores, recorded, and every
    pair in the match band is at or above it with two or more agreeing comparisons."""
    df, truth = make_record_std(400, seed=31)
    res = match_records(hub_con(df), fast_rules(), tmp_path)
    choice = res.thresholds
    assert choice is not None and choice.method in ("density_valley", "labels", "fallback")
    assert load_choice(tmp_path) == choice
    assert res.summary()["thresholds"]["auto_match"] == choice.auto_match
    pairs = res.pairs.to_pandas()
    merged = pairs[pairs["band"] == "match"]
    assert (merged["match_probability"] >= choice.auto_match).all()
    for explanation in merged["explanation"]:
        assert sum(1 for part in json.loads(explanation)[1:] if part["weight"] > 0) >= 2
    assert (pairs.loc[pairs["band"] == "review", "match_probability"] >= choice.review[0]).all()
    clusters = connected_components(merged.assign(match_probability=1.0), 0.5)
    precision, recall, _ = pairwise_f1(clusters, truth)
    assert precision > 0.95 and recall > 0.85, (precision, recall)
