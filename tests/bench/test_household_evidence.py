"""The household rule follows the data: it holds a pair only where the data shows households.

Members of one household share surname, address and phone, so a pair agreeing on those alone
waits for a steward (the household rule). In a set without households that rule only keeps
duplicates whose given name is missing from merging: plain Splink merged them and beat the
defaults. The run now measures, from its own scored pairs, how many pairs share a home as two
different people for each that shares it as one, and applies the rule only where households
are evident. Ground truth comes from the robustness generators (bench/corpora), never from
the code under test.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from bench.accuracy import load_truth
from bench.corpora import generate
from bench.robustness import score_mdm
from mdm.match.engine import DuckDBEngine
from mdm.match.predict import HOUSEHOLD_MIN_PAIRS, household_evidence


def _run(folder: Path, corpus: str, records: int, seed: int) -> Path:
    generate(corpus, folder, records, seed)
    result = score_mdm(folder, load_truth(folder / "truth.csv"))
    assert result["crash"] is None, result
    return folder


def _households(folder: Path) -> dict:
    doc = json.loads((folder / "hub" / "models" / "thresholds.json").read_text(encoding="utf-8"))
    return doc["details"]["households"]


def _golden(folder: Path) -> dict[str, str]:
    xref = pd.read_csv(folder / "x.csv", dtype=str, keep_default_na=False)
    return dict(zip(xref["source"] + ":" + xref["source_id"], xref["golden_id"], strict=True))


def _truth(folder: Path) -> pd.DataFrame:
    truth = pd.read_csv(folder / "truth.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["unusable"] == ""].copy()
    truth["uid"] = truth["source"] + ":" + truth["source_id"]
    return truth


@pytest.fixture(scope="module")
def dedupe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("no-households"), "b", 2000, 5)


@pytest.fixture(scope="module")
def with_households(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("households"), "d", 2000, 5)


def test_a_set_without_households_is_recognised(dedupe: Path) -> None:
    evidence = _households(dedupe)
    assert evidence["present"] is False, evidence
    assert evidence["pairs_one_person"] >= HOUSEHOLD_MIN_PAIRS
    assert "absent" in evidence["reason"]


def test_without_households_a_duplicate_missing_its_given_name_merges(dedupe: Path) -> None:
    import duckdb

    con = duckdb.connect(str(dedupe / "hub" / "hub.duckdb"), read_only=True)
    recs = con.execute("SELECT source || ':' || source_id AS uid, first_name FROM record_std").df().set_index("uid")
    con.close()
    golden = _golden(dedupe)
    merged = []
    for _, group in _truth(dedupe).groupby("entity_id"):
        for a, b in itertools.combinations(group["uid"], 2):
            if a in recs.index and b in recs.index and (pd.isna(recs.at[a, "first_name"])
                                                        != pd.isna(recs.at[b, "first_name"])):
                merged.append(golden[a] == golden[b])
    assert len(merged) >= 5  # the generator blanks given names; the test is about those duplicates
    assert sum(merged) >= 0.9 * len(merged), merged


def test_where_households_live_the_rule_holds(with_households: Path) -> None:
    evidence = _households(with_households)
    assert evidence["present"] is True, evidence
    assert evidence["share"] >= 0.2  # many pairs share a home as two people
    golden = _golden(with_households)
    truth = _truth(with_households)
    members = truth[truth["household_id"] != ""]
    apart = []
    for _, group in members.groupby("household_id"):
        for (_, a), (_, b) in itertools.combinations(group.iterrows(), 2):
            if a["entity_id"] != b["entity_id"]:
                apart.append(golden[a["uid"]] != golden[b["uid"]])
    assert len(apart) >= 50
    assert sum(apart) >= 0.99 * len(apart)  # members of one household stay different customers


def _scored(engine: DuckDBEngine, rows: list[tuple[float, float]]) -> SimpleNamespace:
    engine.con.execute("CREATE OR REPLACE TABLE scored (mw_surname DOUBLE, mw_given DOUBLE)")
    if rows:
        engine.con.executemany("INSERT INTO scored VALUES (?, ?)", rows)
    return SimpleNamespace(physical_name="scored")


SETTINGS = {"comparisons": [{"output_column_name": "surname", "comparison_levels": []},
                            {"output_column_name": "given", "comparison_levels": []}]}


def test_little_evidence_assumes_households() -> None:
    engine = DuckDBEngine(threads=1)
    try:
        one_person = [(10.0, 5.0)] * (HOUSEHOLD_MIN_PAIRS - 1)
        evidence = household_evidence(engine, _scored(engine, one_person), SETTINGS, ["surname"])
        assert evidence["present"] is True and "assumed" in evidence["reason"]
        many = [(10.0, 5.0)] * 200 + [(10.0, -9.0)] * 30  # 30 of 200: households
        assert household_evidence(engine, _scored(engine, many), SETTINGS, ["surname"])["present"] is True
        few = [(10.0, 5.0)] * 200 + [(10.0, -9.0)] * 2 + [(3.0, -9.0)] * 100  # 2 of 200, rest share no home
        evidence = household_evidence(engine, _scored(engine, few), SETTINGS, ["surname"])
        assert evidence["present"] is False and evidence["pairs_two_people"] == 2
        assert household_evidence(engine, _scored(engine, few), SETTINGS, [])["present"] is True
    finally:
        engine.close()
