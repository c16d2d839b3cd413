"""Accuracy of a clustering against the generator's truth, and the accuracy benchmark CLI.

Metrics (all from cluster x entity contingency counts, never materialising pairs):

* pairwise: precision / recall / F1 over record pairs placed in one cluster versus
  pairs that truly are one entity;
* B-cubed: per record, the share of its cluster that is its entity (precision) and the
  share of its entity that is in its cluster (recall), averaged over records;
* household: restricted to records whose household holds two or more distinct people,
  pairwise precision / recall / F1 there, and the false merges of different people
  from one household (as entity pairs and as record pairs).

Records are identified as ``source:source_id``. Truth rows marked ``unusable`` are left
out; a usable record the clustering does not mention counts as a singleton; clustered
records absent from the usable truth are ignored.

CLI: ``python -m bench.accuracy --records 10000 --seed 7`` generates the data, runs the
plain-Splink baseline (:mod:`bench.plain_splink`) and prints its metrics; ``--json PATH``
also writes them. A second row re-clusters the *same* baseline pairs with mdm's
constrained clustering (:mod:`mdm.cluster`; national ids and birth dates put through
mdm's own standardisers), which isolates what clustering alone is worth.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "AccuracyReport", "HouseholdScores", "Scores", "bcubed", "evaluate", "household", "load_truth", "pairwise",
]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, precision: float, recall: float) -> Scores:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return cls(precision, recall, f1)


@dataclass(frozen=True)
class PairScores(Scores):
    true_positive_pairs: int = 0
    predicted_pairs: int = 0
    true_pairs: int = 0


@dataclass(frozen=True)
class HouseholdScores:
    records: int
    households: int
    pairwise: PairScores
    false_merge_entity_pairs: int  # pairs of different people of one household sharing a cluster
    false_merge_record_pairs: int


@dataclass(frozen=True)
class AccuracyReport:
    records: int
    entities: int
    clusters: int
    pairwise: PairScores
    bcubed: Scores
    household: HouseholdScores

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_truth(truth_csv: Path) -> pd.DataFrame:
    """``truth.csv`` -> ``unique_id, entity_id, household_id`` for usable rows."""
    t = pd.read_csv(truth_csv, dtype=str, keep_default_na=False)
    t = t[t["unusable"] == ""]
    return pd.DataFrame({"unique_id": t["source"] + ":" + t["source_id"], "entity_id": t["entity_id"],
                         "household_id": t["household_id"]}).drop_duplicates("unique_id").reset_index(drop=True)


def _as_frame(clusters: pd.DataFrame | Mapping[str, str]) -> pd.DataFrame:
    if isinstance(clusters, pd.DataFrame):
        return clusters[["unique_id", "cluster_id"]].astype({"unique_id": str, "cluster_id": str})
    return pd.DataFrame({"unique_id": list(clusters), "cluster_id": [str(v) for v in clusters.values()]})


def _aligned(clusters: pd.DataFrame | Mapping[str, str], truth: pd.DataFrame) -> pd.DataFrame:
    """Truth rows with their cluster; unclustered records become their own singleton."""
    c = _as_frame(clusters).drop_duplicates("unique_id")
    out = truth[["unique_id", "entity_id", "household_id"]].merge(c, on="unique_id", how="left")
    missing = out["cluster_id"].isna()
    out.loc[missing, "cluster_id"] = "__singleton__" + out.loc[missing, "unique_id"]
    return out


def _pairs(counts: np.ndarray) -> int:
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


def _pairwise(df: pd.DataFrame) -> PairScores:
    cells = df.groupby(["cluster_id", "entity_id"], sort=False).size().to_numpy()
    tp = _pairs(cells)
    predicted = _pairs(df.groupby("cluster_id", sort=False).size().to_numpy())
    true = _pairs(df.groupby("entity_id", sort=False).size().to_numpy())
    precision = tp / predicted if predicted else 1.0
    recall = tp / true if true else 1.0
    s = Scores.of(precision, recall)
    return PairScores(s.precision, s.recall, s.f1, tp, predicted, true)


def pairwise(clusters: pd.DataFrame | Mapping[str, str], truth: pd.DataFrame) -> PairScores:
    """Pairwise precision / recall / F1; with no predicted (true) pairs precision (recall) is 1."""
    return _pairwise(_aligned(clusters, truth))


def _bcubed(df: pd.DataFrame) -> Scores:
    if df.empty:
        return Scores(1.0, 1.0, 1.0)
    cell = df.groupby(["cluster_id", "entity_id"], sort=False).size().rename("n").reset_index()
    cell = cell.merge(df.groupby("cluster_id").size().rename("a"), on="cluster_id")
    cell = cell.merge(df.groupby("entity_id").size().rename("b"), on="entity_id")
    n2 = cell["n"].astype(float) ** 2
    total = float(len(df))
    return Scores.of(float((n2 / cell["a"]).sum()) / total, float((n2 / cell["b"]).sum()) / total)


def bcubed(clusters: pd.DataFrame | Mapping[str, str], truth: pd.DataFrame) -> Scores:
    """B-cubed precision / recall / F1 (Bagga & Baldwin), averaged over records."""
    return _bcubed(_aligned(clusters, truth))


def _household(df: pd.DataFrame) -> HouseholdScores:
    people = df.groupby("household_id")["entity_id"].nunique()
    sub = df[df["household_id"].isin(people[people >= 2].index)]
    scores = _pairwise(sub)
    together = sub.groupby(["cluster_id", "household_id"], sort=False)
    record_pairs = _pairs(together.size().to_numpy()) - _pairs(
        sub.groupby(["cluster_id", "household_id", "entity_id"], sort=False).size().to_numpy())
    merged: set[tuple[str, str]] = set()
    per_cell = sub.drop_duplicates(["cluster_id", "household_id", "entity_id"])
    per_cell = per_cell[per_cell.duplicated(["cluster_id", "household_id"], keep=False)]
    for entities in per_cell.groupby(["cluster_id", "household_id"], sort=False)["entity_id"]:
        names = sorted(entities[1])
        merged.update((a, b) for i, a in enumerate(names) for b in names[i + 1:])
    return HouseholdScores(records=len(sub), households=int(sub["household_id"].nunique()), pairwise=scores,
                           false_merge_entity_pairs=len(merged), false_merge_record_pairs=record_pairs)


def household(clusters: pd.DataFrame | Mapping[str, str], truth: pd.DataFrame) -> HouseholdScores:
    """Metrics on records of households with two or more distinct people."""
    return _household(_aligned(clusters, truth))


def evaluate(clusters: pd.DataFrame | Mapping[str, str], truth: pd.DataFrame) -> AccuracyReport:
    """All metrics for one clustering (``unique_id -> cluster_id``)."""
    df = _aligned(clusters, truth)
    return AccuracyReport(records=len(df), entities=int(df["entity_id"].nunique()),
                          clusters=int(df["cluster_id"].nunique()), pairwise=_pairwise(df), bcubed=_bcubed(df),
                          household=_household(df))


def format_report(name: str, r: AccuracyReport) -> str:
    h = r.household
    return (f"{name}: pairwise P {r.pairwise.precision:.4f} R {r.pairwise.recall:.4f} F1 {r.pairwise.f1:.4f} | "
            f"B3 P {r.bcubed.precision:.4f} R {r.bcubed.recall:.4f} F1 {r.bcubed.f1:.4f} | "
            f"households ({h.records} records, {h.households} households): P {h.pairwise.precision:.4f} "
            f"R {h.pairwise.recall:.4f} F1 {h.pairwise.f1:.4f}, false merges {h.false_merge_entity_pairs} "
            f"people pairs / {h.false_merge_record_pairs} record pairs | {r.clusters} clusters for "
            f"{r.entities} entities")


def diagnose_pairs(con: Any, features: Any, pairs: Any, clusters: pd.DataFrame, truth: pd.DataFrame,
                   blocking: Sequence[Any], auto_match: float, *, examples: int = 0,
                   example_columns: Sequence[str] = ()) -> dict[str, Any]:
    """Why pairs are wrong: false negatives and false positives by kind.

    A false negative (same entity, different clusters) is, by its strongest evidence:
    ``not_blocked`` (no blocking rule makes it a candidate), ``below_keep`` (scored, but
    under the keep threshold), ``review`` / ``low`` (scored below auto-match), or
    ``split`` (scored at or above auto-match, cut apart by clustering). A false positive
    (different entities, one cluster) is ``direct`` (its own score is at or above
    auto-match) or ``chained`` (joined only through other records). ``features``: Splink's
    input table (Arrow); ``pairs``: the scored pairs (Arrow, ``unique_id_l/_r,
    match_probability``); ``blocking``: the active :class:`~mdm.match.rules.BlockingRule` s.
    """
    con.register("_dg_f", features)
    con.register("_dg_p", pairs)
    con.register("_dg_c", clusters[["unique_id", "cluster_id"]])
    con.register("_dg_t", truth[["unique_id", "entity_id", "household_id"]])
    try:
        any_rule = " OR ".join(
            "(" + " AND ".join(
                (f'l."{k.column}" = r."{k.column}"' if k.substr is None else
                 f'substr(l."{k.column}", {k.substr[0]}, {k.substr[1]}) = substr(r."{k.column}", {k.substr[0]}, '
                 f'{k.substr[1]})') for k in rule.keys) + ")" for rule in blocking) or "false"
        have = set(features.column_names)
        names = ", ".join(f'{side}."{c}"' for side in ("l", "r") for c in ("first_name_key", "last_name_key")
                          if c in have) or "''"
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _dg_pairs AS
            WITH t AS (SELECT t.*, coalesce(c.cluster_id, t.unique_id) AS cluster_id FROM _dg_t t
                       LEFT JOIN _dg_c c USING (unique_id)),
            truepairs AS (SELECT a.unique_id AS id_l, b.unique_id AS id_r, a.cluster_id <> b.cluster_id AS wrong,
                                 'fn' AS side FROM t a JOIN t b
                          ON a.entity_id = b.entity_id AND a.unique_id < b.unique_id),
            falsepairs AS (SELECT a.unique_id, b.unique_id, true, 'fp' FROM t a JOIN t b
                           ON a.cluster_id = b.cluster_id AND a.unique_id < b.unique_id AND a.entity_id <> b.entity_id),
            wrong AS (SELECT * FROM truepairs WHERE wrong UNION ALL SELECT * FROM falsepairs),
            scored AS (SELECT least(unique_id_l, unique_id_r) AS id_l, greatest(unique_id_l, unique_id_r) AS id_r,
                              max(match_probability) AS p FROM _dg_p GROUP BY ALL)
            SELECT w.side, w.id_l, w.id_r, s.p, ({any_rule}) AS blocked,
                   CASE WHEN w.side = 'fp' THEN CASE WHEN s.p >= {auto_match!r} THEN 'direct' ELSE 'chained' END
                        WHEN s.p >= {auto_match!r} THEN 'split'
                        WHEN s.p IS NOT NULL THEN CASE WHEN s.p >= 0.5 THEN 'review' ELSE 'low' END
                        WHEN coalesce(({any_rule}), false) THEN 'below_keep'
                        ELSE 'not_blocked' END AS kind,
                   ta.household_id = tb.household_id AS same_household,
                   regexp_matches(concat_ws(' ', {names}), '[^\\x00-\\x{{024F}}]') AS non_latin
            FROM wrong w LEFT JOIN scored s USING (id_l, id_r)
            LEFT JOIN _dg_f l ON l.unique_id = w.id_l LEFT JOIN _dg_f r ON r.unique_id = w.id_r
            LEFT JOIN _dg_t ta ON ta.unique_id = w.id_l LEFT JOIN _dg_t tb ON tb.unique_id = w.id_r""")
        summary: dict[str, Any] = {}
        for side, kind, n, hh, nl in con.execute(
                "SELECT side, kind, count(*), count(*) FILTER (same_household), count(*) FILTER (non_latin) "
                "FROM _dg_pairs GROUP BY ALL ORDER BY 1, 3 DESC").fetchall():
            summary.setdefault(side, {})[kind] = {"pairs": int(n), "same_household": int(hh),
                                                  "non_latin_name": int(nl)}
        summary["source_pairs"] = {f"{a}-{b}:{side}:{kind}": int(n) for side, kind, a, b, n in con.execute(
            "SELECT side, kind, least(split_part(id_l, ':', 1), split_part(id_r, ':', 1)), "
            "greatest(split_part(id_l, ':', 1), split_part(id_r, ':', 1)), count(*) FROM _dg_pairs "
            "GROUP BY ALL ORDER BY 5 DESC LIMIT 25").fetchall()}
        if examples:
            cols = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in example_columns)
            for side, kind in con.execute("SELECT DISTINCT side, kind FROM _dg_pairs ORDER BY 1, 2").fetchall():
                df = con.execute(f"""SELECT d.id_l, d.id_r, round(d.p, 4) AS p, {cols or '1'} FROM _dg_pairs d
                    LEFT JOIN _dg_f l ON l.unique_id = d.id_l LEFT JOIN _dg_f r ON r.unique_id = d.id_r
                    WHERE side = ? AND kind = ? ORDER BY hash(d.id_l || d.id_r) LIMIT {int(examples)}""",
                                 [side, kind]).df()
                summary.setdefault("examples", {})[f"{side}:{kind}"] = df.to_dict("records")
        return summary
    finally:
        for view in ("_dg_f", "_dg_p", "_dg_c", "_dg_t"):
            con.unregister(view)
        con.execute("DROP TABLE IF EXISTS _dg_pairs")


def strong_identifiers(records: pd.DataFrame, today: str = "2025-06-30") -> pd.DataFrame:
    """``unique_id, national_id, birth_date`` as mdm's standardisers leave them (NULL when invalid)."""
    from mdm.standardise import Context, get

    national_id = get("national_id")
    ctx = Context()
    raw = records["national_id"].astype(object).where(records["national_id"].notna(), None)
    cache = {v: national_id.func(v, ctx)["value"] for v in set(raw.tolist()) if v is not None}
    dob = records["birth_date"].astype(object).where(records["birth_date"].notna(), None)
    return pd.DataFrame({
        "unique_id": records["unique_id"].astype(str),
        "national_id": [cache.get(v) if v is not None else None for v in raw.tolist()],
        "birth_date": [v if v is not None and v <= today else None for v in dob.tolist()],  # future: invalid
    })


def cluster_baseline_pairs(records: pd.DataFrame, pairs: pd.DataFrame, threshold: float = 0.95
                           ) -> tuple[pd.DataFrame, dict[str, Any], float]:
    """Re-cluster the baseline's pairs with :func:`mdm.cluster.cluster_records` at ``threshold``."""
    from mdm.cluster import ClusterSettings, cluster_records

    t0 = time.perf_counter()
    result = cluster_records(strong_identifiers(records), pairs,
                             settings=ClusterSettings(auto_match_probability=threshold))
    return result.to_pandas(), result.report.to_dict(max_items=0), time.perf_counter() - t0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=None, help="use this generated folder instead of a fresh one")
    ap.add_argument("--threshold", type=float, default=0.95, help="baseline clustering threshold")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    from bench.plain_splink import run_plain_splink
    from mdm.demo.generator import generate

    with tempfile.TemporaryDirectory(prefix="mdm-accuracy-") as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "data"
            t0 = time.perf_counter()
            generate(data, n_records=args.records, seed=args.seed)
            print(f"generated {args.records:,} records (seed {args.seed}) in {time.perf_counter() - t0:.1f} s",
                  flush=True)
        truth = load_truth(data / "truth.csv")
        baseline = run_plain_splink(data, threshold=args.threshold)
        report = evaluate(baseline.clusters, truth)
        constrained, cluster_report, cluster_seconds = cluster_baseline_pairs(
            baseline.records, baseline.pairs, args.threshold)
        report_c = evaluate(constrained, truth)
    print(format_report("plain splink", report))
    print("plain splink timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in baseline.timings.items())
          + (f", peak RSS {baseline.peak_rss_mb:.0f} MB" if baseline.peak_rss_mb else "")
          + (f", EM notes: {'; '.join(baseline.notes)}" if baseline.notes else ""))
    print(format_report("plain splink pairs + mdm.cluster", report_c))
    print(f"mdm.cluster on those pairs: {cluster_seconds:.2f} s, cuts {cluster_report['cuts_by_reason']}, "
          f"{cluster_report['components_split']} of {cluster_report['components']} components split, "
          f"{cluster_report['n_oversized']} oversized")
    if args.json is not None:
        payload = {"records": args.records, "seed": args.seed,
                   "plain_splink": {**report.to_dict(), "timings": baseline.timings,
                                    "peak_rss_mb": baseline.peak_rss_mb, "notes": baseline.notes},
                   "plain_splink_pairs_mdm_cluster": {**report_c.to_dict(), "seconds": cluster_seconds,
                                                      "cluster_report": cluster_report}}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
