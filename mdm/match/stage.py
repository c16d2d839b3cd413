"""The match stage end to end: record_std -> features -> (trained or reused) model -> pairs.

This is what the pipeline calls. It reads ``record_std`` from the caller's connection
(the hub, inside its run transaction, or any DuckDB connection with that table), runs
Splink on its own engine, and returns Arrow tables for the caller to write.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from mdm.match.engine import engine_for
from mdm.match.features import build_features, census
from mdm.match.model import MatchModel, estimate_m_from_labels, load_or_train
from mdm.match.predict import predict_pairs, review_pairs
from mdm.match.rules import MatchRules
from mdm.match.settings import Compiled, compile_settings, referenced_columns

log = logging.getLogger("mdm.match")


@dataclass
class MatchResult:
    """``pairs``: see :data:`mdm.match.predict.PAIR_COLUMNS`; ``features``: Splink's input table."""

    pairs: pa.Table
    model: MatchModel
    compiled: Compiled
    features: pa.Table
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        return self.compiled.notes

    def review(self) -> pa.Table:
        return review_pairs(self.pairs)

    def summary(self) -> dict[str, Any]:
        bands = {b: 0 for b in ("match", "review", "low")}
        for band in self.pairs.column("band").to_pylist():
            bands[band] += 1
        return {"records": self.features.num_rows, "pairs": self.pairs.num_rows, **bands,
                "model_reused": self.model.reused, "skipped": list(self.notes), "seconds": dict(self.timings)}


def prepare(con: duckdb.DuckDBPyConnection, rules: MatchRules, table: str = "record_std"
            ) -> tuple[Compiled, pa.Table]:
    """Compile the rules for the columns ``table`` carries and build Splink's input table."""
    cen = census(con, referenced_columns(rules), rules, table)
    compiled = compile_settings(rules, cen)
    return compiled, build_features(con, compiled.columns, rules, table)


def match_records(con: duckdb.DuckDBPyConnection, rules: MatchRules, model_dir: Path, *, retrain: bool = False,
                  labels: Any = None, table: str = "record_std") -> MatchResult:
    """Train (or reuse) the model in ``model_dir`` and score all candidate pairs.

    ``labels`` (optional): steward decisions ``unique_id_l, unique_id_r, decision`` used to
    refine m from the matching pairs before predicting.
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    compiled, features = prepare(con, rules, table)
    timings["features"] = round(time.perf_counter() - t, 3)
    with engine_for(rules) as engine:
        t = time.perf_counter()
        model = load_or_train(features, rules, compiled, Path(model_dir), engine, retrain=retrain)
        if labels is not None:
            model = estimate_m_from_labels(model, features, labels, engine)
        timings["train"] = 0.0 if model.reused else round(time.perf_counter() - t, 3)
        pairs = predict_pairs(features, model, rules.thresholds, engine, timings=timings)
    return MatchResult(pairs=pairs, model=model, compiled=compiled, features=features, timings=timings)
