"""One measured benchmark step, run in its own process by bench.common.measure."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def ingest_profile(data_dir: str) -> dict[str, Any]:
    """Profile + validate every generated source file (no hub), as `mdm profile` does."""
    from mdm.config import BUNDLED_ROOT, load_dictionary, load_mapping
    from mdm.pipeline import profile_file

    dictionary = load_dictionary()
    rows = 0
    per_source = {}
    started = time.perf_counter()
    for name in ("crm", "erp", "web", "legacy"):
        mapping = load_mapping(BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml", dictionary)
        path = next(p for p in Path(data_dir).iterdir() if p.stem == name and p.suffix != ".yaml")
        t0 = time.perf_counter()
        _, _, summary = profile_file(path, mapping, dictionary, standardised=False)
        per_source[name] = {"rows": summary["rows_read"], "seconds": round(time.perf_counter() - t0, 3),
                            "quarantined": summary["quarantined"], "flagged": summary["flagged"]}
        rows += summary["rows_read"]
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds),
            "per_source": per_source}


def ingest_hub(data_dir: str, hub: str) -> dict[str, Any]:
    """Ingest every generated source into a fresh hub (read, validate, profile, score, write)."""
    from mdm.config import BUNDLED_ROOT, load_dictionary, load_mapping
    from mdm.hub import open_hub
    from mdm.ingest.batch import ingest_file

    dictionary = load_dictionary()
    started = time.perf_counter()
    rows = 0
    with open_hub(Path(hub), dictionary.names) as h:
        for name in ("crm", "erp", "web", "legacy"):
            mapping = load_mapping(BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml", dictionary)
            path = next(p for p in Path(data_dir).iterdir() if p.stem == name and p.suffix != ".yaml")
            rows += ingest_file(h.con, path, mapping, dictionary).rows_read
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds)}


def standardise_all(data_dir: str) -> dict[str, Any]:
    """Standardise every attribute of every generated source (staging not timed), one worker
    pool for all sources as ``mdm run`` has. CPU: this process during the stage calls plus the
    pool's workers, counted once they have exited."""
    import duckdb

    from mdm.config import BUNDLED_ROOT, load_dictionary, load_mapping
    from mdm.ingest.stage import stage_file
    from mdm.pipeline import source_context
    from mdm.standardise.stage import shared_workers, standardise

    dictionary = load_dictionary()
    con = duckdb.connect()
    rows = 0
    seconds = cpu = 0.0
    new = cached = 0
    per_source = {}
    children_before = _children_cpu()
    with shared_workers():
        for name in ("crm", "erp", "web", "legacy"):
            mapping = load_mapping(BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml", dictionary)
            path = next(p for p in Path(data_dir).iterdir() if p.stem == name and p.suffix != ".yaml")
            staged = stage_file(con, path, mapping, dictionary)
            t0, c0 = time.perf_counter(), _own_cpu()
            result = standardise(con, "_mapped", "_row", dictionary,
                                 {mapping.source: source_context(mapping, dictionary)}, flags="_findings")
            took = time.perf_counter() - t0
            seconds += took
            cpu += _own_cpu() - c0
            rows += staged.rows_read
            new += result.new_values
            cached += result.cached_values
            per_source[name] = {"rows": staged.rows_read, "seconds": round(took, 3),
                                "attributes": len(result.attributes), "distinct_new": result.new_values}
    cpu += _children_cpu() - children_before
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds),
            "cpu_seconds": round(cpu, 1), "distinct_values_standardised": new, "distinct_values_from_cache": cached,
            "per_source": per_source}


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _children_cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def mdm_resolve(data_dir: str, work: str) -> dict[str, Any]:
    """The whole mdm pipeline on a generated folder; accuracy of its clusters against the truth."""
    import duckdb

    from bench.accuracy import evaluate, load_truth
    from mdm import pipeline
    from mdm.config import BUNDLED_ROOT, load_project

    root = Path(work)
    lines = ["hub: hub.duckdb", "sources:"]
    for name in ("crm", "erp", "web", "legacy"):
        path = next(p for p in Path(data_dir).iterdir() if p.stem == name and p.suffix != ".yaml")
        mapping = BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml"
        lines += [f"  - mapping: {mapping}", f"    path: {path}"]
    (root / "mdm.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = pipeline.run(load_project(root / "mdm.yaml"))
    seconds = time.perf_counter() - started
    con = duckdb.connect(str(root / "hub.duckdb"), read_only=True)
    clusters = con.execute("SELECT unique_id, cluster_id FROM cluster_member").df()
    con.close()
    report = evaluate(clusters, load_truth(Path(data_dir) / "truth.csv"))
    match = result.extra.get("match", {})
    return {"rows": sum(b.rows_read for b in result.batches), "seconds": round(seconds, 3),
            "match_seconds": match.get("seconds", {}),
            "cluster_seconds": result.extra.get("cluster", {}).get("seconds"), "pairs": result.extra.get("pairs"),
            "review": match.get("review"), "review_tasks": result.extra.get("review"),
            "accuracy": report.to_dict()}


def mdm_match(work: str) -> dict[str, Any]:
    """Train + predict + cluster (mdm.resolve, model retrained) on the hub mdm_resolve left in ``work``.

    Its own process, so its peak memory is that of matching and clustering alone, as plain
    Splink's step measures reading, training, predicting and clustering alone; the full
    pipeline's peak also holds what ingest and standardise left behind.
    """
    from mdm.config import BUNDLED_MATCH_RULES
    from mdm.hub import open_hub
    from mdm.hub.connection import transaction
    from mdm.pipeline.entities import resolve

    root = Path(work)
    with open_hub(root / "hub.duckdb") as hub, transaction(hub.con):
        started = time.perf_counter()
        extra = resolve(hub.con, BUNDLED_MATCH_RULES, root / "models-match-only", 0, retrain=True)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "match_seconds": extra.get("match", {}).get("seconds", {}),
            "cluster_seconds": extra.get("cluster", {}).get("seconds"), "pairs": extra.get("pairs"),
            "review_tasks": extra.get("review")}


def plain_splink(data_dir: str) -> dict[str, Any]:
    """Plain Splink (tutorial settings, connected components) on the same folder."""
    from bench.accuracy import evaluate, load_truth
    from bench.plain_splink import run_plain_splink

    started = time.perf_counter()
    result = run_plain_splink(Path(data_dir))
    seconds = time.perf_counter() - started
    report = evaluate(result.clusters, load_truth(Path(data_dir) / "truth.csv"))
    return {"seconds": round(seconds, 3), "timings": {k: round(v, 3) for k, v in result.timings.items()},
            "notes": result.notes, "accuracy": report.to_dict()}


STEPS = {"ingest_profile": ingest_profile, "ingest_hub": ingest_hub, "standardise": standardise_all,
         "mdm_resolve": mdm_resolve, "mdm_match": mdm_match, "plain_splink": plain_splink}


def main() -> None:
    step, args = sys.argv[1], sys.argv[2:]
    result = STEPS[step](*args)
    result["self_peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


if __name__ == "__main__":
    main()
