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
from mdm.hub.sql import literal
from mdm.match.engine import DuckDBEngine, Engine
from mdm.match.model import MatchModel, _splink_warnings
from mdm.match.rules import Thresholds
from mdm.match.settings import SWAP_LABEL

PAIR_COLUMNS = ("unique_id_l", "unique_id_r", "source_l", "source_r", "match_weight", "match_probability", "band",
                "match_key", "explanation")



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
        cases = " ".join(f"WHEN {g} THEN {literal(lab)}" for g, lab in labels[name].items())
        # a swap level agrees even where it weighs nothing (swap_neutral): the names agree crosswise and
        # the partner part's swap level carries the evidence, once; a swap is two parts agreeing
        swaps = [g for g, lab in labels[name].items() if lab.startswith(SWAP_LABEL)]
        swapped = f" OR {gamma} IN ({', '.join(map(str, swaps))})" if swaps else ""
        agreeing.append(f"CASE WHEN {weight} > 0{swapped} THEN 1 ELSE 0 END")
        if name not in household:
            personal.append(f"coalesce({weight}, 0)")
        entries.append(
            f"{{'comparison': {literal(name)}, 'level': CASE {gamma} {cases} END, "
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


#: a pair "shares a home" when the household comparisons (surname, address, phone) add at least this many bits
HOME_BITS = 8.0
#: ... and "is two people" when the other comparisons (given name, birth date, ids) take at least this many away
PERSON_BITS = -6.0
#: households are taken to be absent when pairs sharing a home as two people are fewer than this share of the
#: pairs sharing a home as one person (measured: <= 0.006 on dedupe and link sets without households,
#: >= 0.7 where households live; the cut sits an order of magnitude from both)
HOUSEHOLD_SHARE = 0.05
#: and only when at least this many pairs share a home as one person: on less evidence households are assumed
HOUSEHOLD_MIN_PAIRS = 50


def household_evidence(engine: Engine, scored: Any, settings: dict[str, Any],
                       household: Sequence[str]) -> dict[str, Any]:
    """Whether the scored pairs show households, from the data itself.

    Members of one household share surname, address and phone but differ in given name and
    birth date: where households live, many pairs share a home (household comparisons >=
    :data:`HOME_BITS`) as two different people (the rest <= :data:`PERSON_BITS`). In a set
    without households such pairs are only duplicates corrupted beyond recognition, a tiny
    share of the pairs that share a home as one person. Only where households are present
    does the household rule (:func:`explain_sql`) hold a pair whose personal evidence is not
    positive; elsewhere it would only keep duplicates with a missing given name from merging.
    """
    home: list[str] = []
    person: list[str] = []
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        weight = f'coalesce("mw_{name}" + coalesce("mw_tf_adj_{name}", 0), "mw_{name}", 0)' if _has_tf(comp) \
            else f'coalesce("mw_{name}", 0)'
        (home if name in household else person).append(weight)
    if not home or not person:
        return {"present": True, "reason": "no household comparisons to measure"}
    sql = f"""SELECT count(*) FILTER (WHERE h >= {HOME_BITS!r} AND p <= {PERSON_BITS!r}) AS two_people,
                     count(*) FILTER (WHERE h >= {HOME_BITS!r} AND p > 0) AS one_person
              FROM (SELECT {' + '.join(home)} AS h, {' + '.join(person)} AS p FROM {{table}})"""
    if isinstance(engine, DuckDBEngine):  # counted where the predictions are
        row = engine.query_arrow(sql.format(table=scored.physical_name)).to_pylist()[0]
    else:
        columns = [c for c in splink_columns(settings) if c.startswith("mw_")]
        with duckdb.connect() as local:
            local.register("_weights", engine.to_arrow(scored, columns))
            row = local.sql(sql.format(table="_weights")).to_arrow_table().to_pylist()[0]
    two, one = int(row["two_people"] or 0), int(row["one_person"] or 0)
    share = two / one if one else None
    present = one < HOUSEHOLD_MIN_PAIRS or share is None or share >= HOUSEHOLD_SHARE
    if one < HOUSEHOLD_MIN_PAIRS:
        reason = f"only {one} pairs share a home as one person: households assumed"
    else:
        reason = (f"{two} pairs share a home as two people for {one} as one person ({share:.3f} "
                  f"{'>=' if present else '<'} {HOUSEHOLD_SHARE}): households {'present' if present else 'absent'}")
    return {"present": present, "pairs_two_people": two, "pairs_one_person": one,
            "share": None if share is None else round(share, 4), "reason": reason}


def predict_pairs(features: pa.Table, model: MatchModel, thresholds: Thresholds, engine: Engine,
                  *, keep: float | None = None, timings: dict[str, float] | None = None,
                  adapt: Callable[[pa.Table], Thresholds] | None = None, household: Sequence[str] = (),
                  notes: dict[str, Any] | None = None) -> pa.Table:
    """Score every blocked pair of ``features`` (link_and_dedupe); pairs below ``keep`` are dropped.

    ``household``: comparisons a household shares; where the data shows households
    (:func:`household_evidence`, recorded in ``notes["households"]``) a pair merges only when
    the others favour it. ``adapt``: given ``unique_id_l, unique_id_r, match_weight`` of every
    scored pair, the thresholds to band them with (the run's adaptive cut-offs,
    :mod:`mdm.match.thresholds`); default ``thresholds``.
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
    if household:
        evidence = household_evidence(engine, scored, model.settings, household)
        if notes is not None:
            notes["households"] = evidence
        if not evidence["present"]:
            household = ()
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
