"""The plain-Splink baseline: reading the sources, and one small end-to-end run."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from bench.accuracy import cluster_baseline_pairs, evaluate, load_truth, strong_identifiers
from bench.plain_splink import BaselineResult, load_records, run_plain_splink
from mdm.demo.generator import generate


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "data"
    generate(out, n_records=400, seed=3)
    return out


def test_load_records_reads_every_usable_record(data: Path) -> None:
    records = load_records(data)
    truth = load_truth(data / "truth.csv")
    assert records["unique_id"].is_unique
    assert set(truth["unique_id"]) <= set(records["unique_id"])
    assert set(records["source_dataset"]) == {"crm", "erp", "web", "legacy"}
    dob = records["birth_date"].dropna()
    assert dob.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()  # every source's own format parsed to ISO
    names = records.dropna(subset=["first_name"])
    assert (names["first_name"] == names["first_name"].str.lower()).all()
    assert not (records[["email", "phone"]] == "").any().any()  # empty text became NULL
    web = records[records["source_dataset"] == "web"]
    assert not web["unique_id"].str.endswith(".0").any()


@pytest.fixture(scope="module")
def baseline(data: Path) -> BaselineResult:
    return run_plain_splink(data, u_max_pairs=2e5)


def test_run_plain_splink_small(data: Path, baseline: BaselineResult) -> None:
    result = baseline
    assert set(result.timings) == {"read", "train", "predict", "cluster"}
    assert list(result.clusters.columns) == ["unique_id", "cluster_id"]
    assert set(result.clusters["unique_id"]) == set(result.records["unique_id"])
    assert isinstance(result.pairs, pd.DataFrame) and (result.pairs["match_probability"] >= 0.5).all()
    report = evaluate(result.clusters, load_truth(data / "truth.csv"))
    assert report.pairwise.f1 > 0.5  # a working baseline, not a tuned one


def test_constrained_clustering_of_the_baseline_pairs(data: Path, baseline: BaselineResult) -> None:
    ids = strong_identifiers(baseline.records)
    assert list(ids.columns) == ["unique_id", "national_id", "birth_date"]
    nid = ids["national_id"].dropna()
    assert len(nid) > 0 and not nid.isin(["000-00-0000", "000000000", "999-99-9999"]).any()
    clusters, report, seconds = cluster_baseline_pairs(baseline.records, baseline.pairs)
    assert set(clusters["unique_id"]) == set(baseline.records["unique_id"])
    assert report["n_records"] == len(baseline.records) and seconds < 10
    truth = load_truth(data / "truth.csv")
    plain, constrained = evaluate(baseline.clusters, truth), evaluate(clusters, truth)
    assert constrained.pairwise.precision >= plain.pairwise.precision


class _FakeRule:
    def get_blocking_rule(self, dialect: str) -> object:
        return type("R", (), {"blocking_rule_sql": "l.x = r.x"})()


class _FakeLinker:
    """Stands in for splink.Linker: EM always underflows, the model is a plain dict."""

    def __init__(self, inputs: object, model: dict[str, object], log_level: object = None) -> None:
        self.model = model
        self.misc = self
        self.training = self

    def save_model_to_json(self) -> dict[str, object]:
        return copy.deepcopy(self.model)

    def estimate_parameters_using_expectation_maximisation(self, rule: object) -> None:
        self.model["comparisons"][0]["comparison_levels"][0]["m_probability"] = 0.0  # type: ignore[index]
        raise ValueError("m_probability value 0.0 is below the minimum allowed value of 1e-300")


def test_failed_em_is_retried_from_a_clamped_snapshot_then_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    import splink

    from bench.plain_splink import _safe_em

    monkeypatch.setattr(splink, "Linker", _FakeLinker)
    model = {"comparisons": [{"comparison_levels": [{"m_probability": 1e-320, "u_probability": 0.5}]}]}
    notes: list[str] = []
    linker = _safe_em(_FakeLinker([], model), [], _FakeRule(), notes)
    assert len(notes) == 3 and notes[-1].endswith("skipped")
    assert "below the minimum" in notes[0]
    # rebuilt from the snapshot taken before the failing session, with probabilities clamped above 0
    assert linker.model["comparisons"][0]["comparison_levels"][0]["m_probability"] == 1e-10
