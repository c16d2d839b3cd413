"""Scoring candidate pairs and explaining every score.

``link_and_dedupe`` over all sources in one table: Splink generates candidate pairs
from the blocking rules and scores them with the trained model. Each returned pair
carries its match weight and probability, its ``band`` (``match`` at and above
``auto_match`` with at least ``min_agreeing`` comparisons adding weight, ``review`` from
the review band's low end up, ``low`` otherwise) and an
``explanation``: the data behind Splink's waterfall chart, as a JSON list with the prior
first and then one entry per comparison::

    [{"comparison": "prior", "level": "prior", "gamma": null, "bayes_factor": 0.0004, "weight": -11.3},
     {"comparison": "first_name", "level": "exact", "gamma": 6, "bayes_factor": 85.1, "weight": 6.41}, ...]

``weight`` is log2 of the Bayes factor including any term-frequency adjustment, so the
weights of one pair add up to its ``match_weight``. Pairs below the review band (``low``)
carry no explanation: at a million records they are most of the pairs table, nothing
downstream reads them, and their JSON would dominate memory; their weight and
probability are kept. The explanation is built in one
vectorised SQL statement, never a Python loop over pairs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker

from mdm.hub.register import register
from mdm.match.engine import DuckDBEngine, Engine
from mdm.match.model import MatchModel, _splink_warnings
from mdm.match.rules import Thresholds
from mdm.match.settings import SWAP_LABEL

PAIR_COLUMNS = ("unique_id_l", "unique_id_r", "source_l", "source_r", "match_weight", "match_probability", "band",
                "match_key", "explanation")


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def level_labels(settings: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison -> gamma value -> level label, as Splink numbers the levels."""
    out: dict[str, dict[int, str]] = {}
    for comp in settings["comparisons"]:
        levels = comp["comparison_levels"]
        counter = sum(1 for lv in levels if not lv.get("is_null_level")) - 1
        labels: dict[int, str] = {}
        for lv in levels:
            label = lv.get("label_for_charts", lv["sql_condition"])
            if lv.get("is_null_level"):
                labels[-1] = label
            else:
                labels[counter] = label
                counter -= 1
        out[comp["output_column_name"]] = labels
    return out


def _has_tf(comp: dict[str, Any]) -> bool:
    return any(lv.get("tf_adjustment_column") for lv in comp["comparison_levels"])


def splink_columns(settings: dict[str, Any]) -> list[str]:
    """The columns of Splink's predictions the pairs table is built from."""
    cols = ["unique_id_l", "unique_id_r", "source_dataset_l", "source_dataset_r", "match_weight",
            "match_probability", "match_key"]
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        cols += [f"gamma_{name}", f"mw_{name}"] + ([f"mw_tf_adj_{name}"] if _has_tf(comp) else [])
    return cols


def explain_sql(settings: dict[str, Any], thresholds: Thresholds, table: str,
                household: Sequence[str] = ()) -> str:
    """DuckDB SQL turning Splink's prediction columns in ``table`` into the pairs table."""
    prior = float(settings["probability_two_random_records_match"])
    prior_w = math.log2(prior / (1 - prior))
    entries = [f"{{'comparison': 'prior', 'level': 'prior', 'gamma': CAST(NULL AS INTEGER), "
               f"'bayes_factor': CAST({prior / (1 - prior)!r} AS DOUBLE), 'weight': CAST({prior_w!r} AS DOUBLE)}}"]
    labels = level_labels(settings)
    agreeing: list[str] = []
    personal: list[str] = []
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        gamma = f'"gamma_{name}"'
        weight = f'("mw_{name}" + coalesce("mw_tf_adj_{name}", 0))' if _has_tf(comp) else f'"mw_{name}"'
        cases = " ".join(f"WHEN {g} THEN {_sql_str(lab)}" for g, lab in labels[name].items())
        # a swap level agrees even where it weighs nothing (swap_neutral): the names agree crosswise and
        # the partner part's swap level carries the evidence, once; a swap is two parts agreeing
        swaps = [g for g, lab in labels[name].items() if lab.startswith(SWAP_LABEL)]
        swapped = f" OR {gamma} IN ({', '.join(map(str, swaps))})" if swaps else ""
        agreeing.append(f"CASE WHEN {weight} > 0{swapped} THEN 1 ELSE 0 END")
        if name not in household:
            personal.append(f"coalesce({weight}, 0)")
        entries.append(
            f"{{'comparison': {_sql_str(name)}, 'level': CASE {gamma} {cases} END, "
            f"'gamma': CAST({gamma} AS INTEGER), 'bayes_factor': pow(2.0, {weight}), "
            f"'weight': CAST({weight} AS DOUBLE)}}")
    low, _high = thresholds.review
    # a pair merges without a steward only on enough independent agreement (see mdm.match.thresholds)
    enough = f"({' + '.join(agreeing) or '0'}) >= {int(thresholds.min_agreeing)}"
    if household and personal:  # what a household shares cannot merge two of its members on its own
        enough += f" AND ({' + '.join(personal)}) > 0"
    return f"""
        SELECT unique_id_l, unique_id_r, source_dataset_l AS source_l, source_dataset_r AS source_r,
               match_weight, match_probability,
               CASE WHEN match_probability >= {thresholds.auto_match!r} AND {enough} THEN 'match'
                    WHEN match_probability >= {low!r} THEN 'review'
                    ELSE 'low' END AS band,
               match_key,
               CASE WHEN match_probability >= {low!r} THEN to_json([{", ".join(entries)}]) END AS explanation
        FROM {table}
    """


def predict_pairs(features: pa.Table, model: MatchModel, thresholds: Thresholds, engine: Engine,
                  *, keep: float | None = None, timings: dict[str, float] | None = None,
                  adapt: Callable[[pa.Table], Thresholds] | None = None, household: Sequence[str] = ()) -> pa.Table:
    """Score every blocked pair of ``features`` (link_and_dedupe); pairs below ``keep`` are dropped.

    ``household``: comparisons a household shares; a pair merges only when the others favour it.
    ``adapt``: given ``unique_id_l, unique_id_r, match_weight`` of every scored pair, the thresholds to band them
    with (the run's adaptive cut-offs, :mod:`mdm.match.thresholds`); default ``thresholds``.
    Returns an Arrow table with :data:`PAIR_COLUMNS`, sorted by descending probability.
    """
    keep = thresholds.keep if keep is None else keep
    t = time.perf_counter()
    linker = Linker(engine.register(features), model.settings, log_level=None)
    with _splink_warnings():
        scored = linker.inference.predict(threshold_match_probability=keep if keep > 0 else None,
                                          warning_mode="never")
    if timings is not None:
        timings["predict"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    if adapt is not None:
        thresholds = adapt(engine.to_arrow(scored, ["unique_id_l", "unique_id_r", "match_weight"]))
    if isinstance(engine, DuckDBEngine):  # explained where the predictions are: no intermediate copy
        pairs = engine.query_arrow(f"{explain_sql(model.settings, thresholds, scored.physical_name, household)} "
                                   "ORDER BY match_probability DESC, unique_id_l, unique_id_r")
    else:
        raw = engine.to_arrow(scored, splink_columns(model.settings))
        pairs = explain(raw, model.settings, thresholds, household)
    scored.drop_table_from_database_and_remove_from_cache()
    if timings is not None:
        timings["explain"] = round(time.perf_counter() - t, 3)
    return pairs


def explain(raw: pa.Table, settings: dict[str, Any], thresholds: Thresholds,
            household: Sequence[str] = ()) -> pa.Table:
    """Splink's prediction columns (``splink_columns``) -> the pairs table with explanations."""
    con = duckdb.connect()
    try:
        register(con, "_scored", raw)
        sql = explain_sql(settings, thresholds, "_scored", household)
        return con.sql(f"{sql} ORDER BY match_probability DESC, unique_id_l, unique_id_r").to_arrow_table()
    finally:
        con.close()


def review_pairs(pairs: pa.Table) -> pa.Table:
    """The pairs a steward should decide on: those in the review band, most likely first."""
    con = duckdb.connect()
    try:
        register(con, "_pairs", pairs)
        return con.sql("SELECT * FROM _pairs WHERE band = 'review' "
                           "ORDER BY match_probability DESC, unique_id_l, unique_id_r").to_arrow_table()
    finally:
        con.close()
