"""The match stage end to end: record_std -> features -> (trained or reused) model -> pairs.

This is what the pipeline calls. It reads ``record_std`` from the caller's connection
(the hub, inside its run transaction, or any DuckDB connection with that table), runs
Splink on its own engine, and returns Arrow tables for the caller to write.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from mdm.match.engine import engine_for
from mdm.match.features import build_features, census
from mdm.match.model import (
    REACH_PREFIX,
    MatchModel,
    best_probability,
    estimate_m_from_labels,
    load_or_train,
    reach_note,
)
from mdm.match.predict import predict_pairs, review_pairs
from mdm.match.rules import MatchRules, Thresholds
from mdm.match.settings import Compiled, compile_settings, referenced_columns
from mdm.match.thresholds import ThresholdChoice, choose, save_choice

log = logging.getLogger("mdm.match")


@dataclass
class MatchResult:
    """``pairs``: see :data:`mdm.match.predict.PAIR_COLUMNS`; ``features``: Splink's input table."""

    pairs: pa.Table
    model: MatchModel
    compiled: Compiled
    features: pa.Table
    timings: dict[str, float] = field(default_factory=dict)
    thresholds: ThresholdChoice | None = None

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
                "model_reused": self.model.reused, "skipped": list(self.notes), "seconds": dict(self.timings),
                "thresholds": self.thresholds.to_dict() if self.thresholds else None}


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
        chosen: list[ThresholdChoice] = []

        def adapt(scored: pa.Table) -> Thresholds:
            choice = choose(scored.column("match_weight").to_numpy(zero_copy_only=False), rules.thresholds,
                            _label_weights(scored, labels))
            chosen.append(choice)
            return choice.apply(rules.thresholds)

        notes: dict[str, Any] = {}
        pairs = predict_pairs(features, model, rules.thresholds, engine, timings=timings, adapt=adapt,
                              household=rules.household_comparisons, notes=notes)
    choice = chosen[0] if chosen else None
    if choice is not None:
        if "households" in notes:  # why the household rule held pairs, or did not, beside the cut-offs
            choice.details["households"] = notes["households"]
            log.info("household rule: %s", notes["households"]["reason"])
        save_choice(choice, Path(model_dir))
        model = _note_unreachable(model, choice.auto_match)
    return MatchResult(pairs=pairs, model=model, compiled=compiled, features=features, timings=timings,
                       thresholds=choice)


def _note_unreachable(model: MatchModel, auto_match: float) -> MatchModel:
    """The too-little-evidence note against the cut-off chosen for this run (a fallback when there
    are too few pairs to read), which the model alone could not know; a stale one goes."""
    notes = [n for n in model.manifest.get("notes", []) if not n.startswith(REACH_PREFIX)]
    best = best_probability(model.settings)
    if best < auto_match and not any(n.startswith("too little evidence") for n in notes):
        log.warning("%s", text := reach_note(best, auto_match))
        notes.append(text)
    if notes == model.manifest.get("notes", []):
        return model
    evidence = "insufficient" if any(n.startswith("too little evidence") for n in notes) else "sufficient"
    noted = replace(model, manifest={**model.manifest, "notes": notes, "evidence": evidence})
    if model.directory is not None:
        noted.save(model.directory)  # the saved manifest says so too
    return noted


def _label_weights(scored: pa.Table, labels: Any) -> tuple[list[float], list[bool]] | None:
    """The match weights of steward-decided pairs among ``scored`` and whether each was a match."""
    if labels is None or not len(labels):
        return None
    con = duckdb.connect()
    try:
        con.register("_scored", scored)
        con.register("_labels", labels)
        rows = con.execute("""
            SELECT s.match_weight, bool_or(lower(l.decision::VARCHAR) = 'match')
            FROM _scored s JOIN _labels l
              ON least(l.unique_id_l::VARCHAR, l.unique_id_r::VARCHAR) = least(s.unique_id_l, s.unique_id_r)
             AND greatest(l.unique_id_l::VARCHAR, l.unique_id_r::VARCHAR) = greatest(s.unique_id_l, s.unique_id_r)
            WHERE s.match_weight IS NOT NULL GROUP BY s.unique_id_l, s.unique_id_r, s.match_weight""").fetchall()
    finally:
        con.close()
    return ([float(r[0]) for r in rows], [bool(r[1]) for r in rows]) if rows else None
