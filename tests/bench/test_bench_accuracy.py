"""Accuracy metrics on tiny clusterings whose figures are worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench.accuracy import bcubed, evaluate, household, load_truth, pairwise


def _truth(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id", "entity_id", "household_id"])


# Records a1 a2 a3 are person A, b1 b2 person B (same household H1 as A), c1 person C (H2).
TRUTH = _truth([("a1", "A", "H1"), ("a2", "A", "H1"), ("a3", "A", "H1"),
                ("b1", "B", "H1"), ("b2", "B", "H1"), ("c1", "C", "H2")])
# Clustering: {a1 a2 b1} {a3} {b2 c1}
CLUSTERS = {"a1": "k1", "a2": "k1", "b1": "k1", "a3": "k2", "b2": "k3", "c1": "k3"}


def test_pairwise_by_hand() -> None:
    s = pairwise(CLUSTERS, TRUTH)
    # predicted pairs: C(3,2) + C(2,2) = 4; true pairs: C(3,2) + C(2,2) = 4; correct: a1-a2 = 1
    assert (s.true_positive_pairs, s.predicted_pairs, s.true_pairs) == (1, 4, 4)
    assert s.precision == pytest.approx(0.25)
    assert s.recall == pytest.approx(0.25)
    assert s.f1 == pytest.approx(0.25)


def test_bcubed_by_hand() -> None:
    s = bcubed(CLUSTERS, TRUTH)
    # precision per record: a1 2/3, a2 2/3, b1 1/3, a3 1, b2 1/2, c1 1/2 -> 11/3 / 6
    assert s.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1 / 2 + 1 / 2) / 6)
    # recall per record: a1 2/3, a2 2/3, a3 1/3, b1 1/2, b2 1/2, c1 1 -> 11/3 / 6
    assert s.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 / 2 + 1 / 2 + 1) / 6)
    assert s.f1 == pytest.approx(11 / 18)


def test_household_by_hand() -> None:
    h = household(CLUSTERS, TRUTH)
    # only H1 has two people: records a1 a2 a3 b1 b2; clusters there {a1 a2 b1} {a3} {b2}
    assert (h.records, h.households) == (5, 1)
    assert (h.pairwise.true_positive_pairs, h.pairwise.predicted_pairs, h.pairwise.true_pairs) == (1, 3, 4)
    assert h.pairwise.precision == pytest.approx(1 / 3)
    assert h.pairwise.recall == pytest.approx(1 / 4)
    assert h.pairwise.f1 == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    assert h.false_merge_entity_pairs == 1  # A with B
    assert h.false_merge_record_pairs == 2  # a1-b1, a2-b1


def test_perfect_and_missing_records_are_singletons() -> None:
    perfect = {u: e for u, e in zip(TRUTH["unique_id"], TRUTH["entity_id"], strict=True)}
    r = evaluate(perfect, TRUTH)
    assert (r.pairwise.f1, r.bcubed.f1, r.household.pairwise.f1) == (1.0, 1.0, 1.0)
    assert r.household.false_merge_entity_pairs == 0
    # nothing clustered: every record alone; no predicted pairs -> precision 1, recall 0
    alone = evaluate(pd.DataFrame({"unique_id": ["zz"], "cluster_id": ["zz"]}), TRUTH)
    assert alone.clusters == 6
    assert (alone.pairwise.precision, alone.pairwise.recall, alone.pairwise.f1) == (1.0, 0.0, 0.0)
    assert alone.bcubed.precision == 1.0
    assert alone.bcubed.recall == pytest.approx((1 / 3 * 3 + 1 / 2 * 2 + 1) / 6)


def test_load_truth_drops_unusable_rows(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("source,source_id,row_number,entity_id,household_id,noise,unusable\n"
                    "crm,C1,1,E1,H1,,\ncrm,C1,2,E9,H9,,duplicate_id\ncrm,,3,E2,H2,,missing_id\n"
                    "web,7,1,E1,H1,nickname,\n", encoding="utf-8")
    t = load_truth(path)
    assert t.to_dict("records") == [
        {"unique_id": "crm:C1", "entity_id": "E1", "household_id": "H1"},
        {"unique_id": "web:7", "entity_id": "E1", "household_id": "H1"}]
