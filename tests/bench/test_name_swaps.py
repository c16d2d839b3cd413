"""Given name and surname written the other way round: one person, even with nothing else to compare.

In a register of names and birth dates, random sampling saw a swap almost only among true
duplicates, so it estimated the swap level's u ~50 times too high and a swap weighed like one
agreeing name (-1.7 bits without a birth date); the neutral surname side also did not count
towards ``min_agreeing``. The swap's u is now bounded by a coincidence in both parts, and a swap
counts as both parts agreeing.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench.accuracy import load_truth
from bench.corpora import generate
from bench.robustness import score_mdm


def _key(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if c.isalpha())
    return folded or None


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("swaps")
    generate("a", folder, 3000, 11)
    result = score_mdm(folder, load_truth(folder / "truth.csv"))
    assert result["crash"] is None, result
    return folder


def test_swapped_names_merge_without_a_birth_date(register: Path) -> None:
    con = duckdb.connect(str(register / "hub" / "hub.duckdb"), read_only=True)
    recs = con.execute("SELECT source || ':' || source_id AS uid, first_name, last_name, birth_date "
                       "FROM record_std").df().set_index("uid")
    con.close()
    truth = pd.read_csv(register / "truth.csv", dtype=str)
    truth["uid"] = truth["source"] + ":" + truth["source_id"]
    xref = pd.read_csv(register / "x.csv", dtype=str, keep_default_na=False)
    golden = dict(zip(xref["source"] + ":" + xref["source_id"], xref["golden_id"], strict=True))
    swapped = []
    for _, group in truth.groupby("entity_id"):
        for a, b in itertools.combinations(group["uid"], 2):
            fa, la, fb, lb = (_key(recs.at[a, "first_name"]), _key(recs.at[a, "last_name"]),
                              _key(recs.at[b, "first_name"]), _key(recs.at[b, "last_name"]))
            one_dob = pd.isna(recs.at[a, "birth_date"]) != pd.isna(recs.at[b, "birth_date"])
            if fa and la and fa != la and (fa, la) == (lb, fb) and one_dob:
                swapped.append(golden[a] == golden[b])
    assert len(swapped) >= 3  # the generator writes some; the test is about them
    assert sum(swapped) >= 0.8 * len(swapped), swapped


def test_swap_u_is_bounded_and_recorded(register: Path) -> None:
    manifest = json.loads((register / "hub" / "models" / "manifest.json").read_text(encoding="utf-8"))
    fixes = [f for f in manifest["parameter_fixes"] if f["fix"] == "u_cross_column"]
    assert {f["level"] for f in fixes} >= {"swapped with last_name_key"}
    params = {(p["comparison"], p["level"]): p for p in manifest["parameters"]}
    for fix in fixes:
        assert fix["value"] < fix["was"]
        exact_first = params[("first_name", "exact")]["u"]
        exact_last = params[("last_name", "exact")]["u"]
        if fix["level"] == "swapped with last_name_key":  # two coincidences at once, never more likely than both
            assert fix["value"] == pytest.approx(exact_first * exact_last)
