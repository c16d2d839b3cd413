"""engine: spark — the same training and prediction through Splink's SparkAPI (local[2]).

Runs on the 2,000-record demo sample and must give the same clusters as DuckDB (connected
components at auto_match) within half a point of pairwise F1. Skipped without pyspark/Java.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mdm.match.stage import match_records

from .conftest import connected_components, fast_rules, pairwise_f1

pytestmark = pytest.mark.spark


def _truth(demo_hub: Path) -> pd.DataFrame:
    truth = pd.read_csv(demo_hub / "data" / "truth.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["unusable"] == ""]
    return pd.DataFrame({"unique_id": truth["source"] + ":" + truth["source_id"], "entity_id": truth["entity_id"]})


def test_spark_engine_matches_duckdb(demo_hub: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime")
    rules = fast_rules(u_chunks=1, em_max_pairs=None)  # one pass each: Spark pays per job, not per row
    spark_rules = rules.model_copy(update={
        "engine": "spark",
        "spark": rules.spark.model_copy(update={
            "master": "local[2]",
            "config": {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"}}),
    })
    con = duckdb.connect(str(demo_hub / "hub.duckdb"), read_only=True)
    try:
        on_duckdb = match_records(con, rules, tmp_path / "duckdb")
        on_spark = match_records(con, spark_rules, tmp_path / "spark")
    finally:
        con.close()
    assert on_spark.model.manifest["engine"] == "spark"
    assert on_spark.model.manifest["em_failures"] == []
    ids = set(on_duckdb.features.column("unique_id").to_pylist())
    truth = _truth(demo_hub)
    truth = truth[truth["unique_id"].isin(ids)]
    auto = rules.thresholds.auto_match
    f1 = {}
    for name, res in (("duckdb", on_duckdb), ("spark", on_spark)):
        clusters = connected_components(res.pairs.to_pandas(), auto)
        f1[name] = pairwise_f1(clusters, truth)[2]
    assert f1["duckdb"] > 0.85, f1
    assert abs(f1["spark"] - f1["duckdb"]) <= 0.005, f1
    # same explanation format from both engines
    assert on_spark.pairs.column_names == on_duckdb.pairs.column_names
