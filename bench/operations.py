"""Benchmarks of the operations around golden records: the whole ``mdm run`` into a kept
hub, a decay audit on that hub, and a one-shot cleanse of a single large legacy-style file.

    python -m bench.run --only operations --sizes 1000000

Each step runs in a fresh child process (``python -m bench.operations STEP ARGS``) so its
peak memory is its own. The cleanse input is one CSV holding every accepted record of the
generated sources (raw values under the dictionary's attribute names, one id column): a
legacy export of that many rows, duplicates included.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import DATA, dataset, measure, plain_splink_once, write_result

SOURCES = ("crm", "erp", "web", "legacy")


def pipeline_hub(data_dir: str, work: str) -> dict[str, Any]:
    """``mdm run`` over the four generated sources into ``work/hub.duckdb`` (kept)."""
    from mdm import pipeline
    from mdm.config import BUNDLED_ROOT, load_project

    root = Path(work)
    root.mkdir(parents=True, exist_ok=True)
    lines = ["hub: hub.duckdb", "sources:"]
    for name in SOURCES:
        path = next(p for p in Path(data_dir).iterdir() if p.stem == name and p.suffix != ".yaml")
        lines += [f"  - mapping: {BUNDLED_ROOT / 'dictionary' / 'sources' / f'{name}.yaml'}", f"    path: {path}"]
    (root / "mdm.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = pipeline.run(load_project(root / "mdm.yaml"))
    seconds = time.perf_counter() - started
    rows = sum(b.rows_read for b in result.batches)
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds),
            "stage_seconds": result.extra.get("stage_seconds"), "golden": result.extra.get("golden")}


def decay(hub: str) -> dict[str, Any]:
    import datetime as dt

    import duckdb

    from mdm.audit import WORKLIST_QUERY, decay_audit
    from mdm.config import load_dictionary
    from mdm.export import write_query

    con = duckdb.connect(hub)
    started = time.perf_counter()
    con.execute("BEGIN")
    audit = decay_audit(con, load_dictionary(), as_of=dt.date(2026, 1, 1))
    out = Path(hub).parent / "worklist.csv"
    write_query(con, WORKLIST_QUERY, out, "csv")
    con.execute("COMMIT")
    seconds = time.perf_counter() - started
    con.close()
    s = audit.summary
    return {"golden_records": s["golden_records"], "values": s["values"], "stale": s["stale"],
            "seconds": round(seconds, 3), "golden_records_per_second": round(s["golden_records"] / seconds)}


def legacy_file(hub: str, out: str) -> dict[str, Any]:
    """One legacy-style CSV of every accepted record in the hub, and its mapping."""
    import duckdb

    from mdm.config import load_dictionary

    names = load_dictionary().names
    con = duckdb.connect(hub, read_only=True)
    cols = ", ".join(f'"{a}"' for a in names)
    con.execute(f"""COPY (SELECT source || '-' || source_id AS cust_no, strftime(updated_at, '%Y-%m-%d') AS upd,
                                 {cols} FROM record ORDER BY row_number, source)
                    TO '{out}' (FORMAT csv, HEADER true)""")
    row = con.execute("SELECT count(*) FROM record").fetchone()
    con.close()
    mapping = Path(out).with_suffix(".yaml")
    body = "\n".join(f"  {a}: {a}" for a in names)
    mapping.write_text("source: legacy\ntrust: 30\nid_column: cust_no\nupdated_at_column: upd\nencoding: utf-8\n"
                       f"columns:\n{body}\n", encoding="utf-8")
    return {"rows": int(row[0]) if row else 0}


def cleanse(file: str, mapping: str, out: str) -> dict[str, Any]:
    from mdm.cleanse import cleanse as run_cleanse

    started = time.perf_counter()
    result = run_cleanse(Path(file), Path(mapping), Path(out))
    seconds = time.perf_counter() - started
    return {"rows": result.rows_in, "golden_records": result.golden_records, "quarantined": result.quarantined,
            "seconds": round(seconds, 3), "rows_per_second": round(result.rows_in / seconds)}


STEPS = {"pipeline_hub": pipeline_hub, "decay": decay, "legacy_file": legacy_file, "cleanse": cleanse}


def _mdm_run(n_records: int) -> tuple[Path, Path, dict[str, Any]]:
    """``mdm run`` over ``n_records`` generator records into a fresh ``bench/.data/hub-N``:
    (the data folder, the hub folder, the measured run)."""
    data = dataset(n_records)
    work = DATA / f"hub-{n_records}"
    shutil.rmtree(work, ignore_errors=True)
    run = measure("pipeline_hub", str(data), str(work), module="bench.operations")
    print(f"mdm run {n_records:>9,} records: {run['seconds']} s ({run['rows_per_second']:,} rows/s), "
          f"peak {run['peak_rss_mb']} MB, stages {run['stage_seconds']}, "
          f"{run['golden']['golden_active']:,} golden records", flush=True)
    return data, work, run


def bench_operations(sizes: list[int]) -> Path:
    runs = []
    for n in sizes:
        data, work, run = _mdm_run(n)
        plain = plain_splink_once(n, data)  # same data, same run: the yardstick
        run["plain_splink"] = {"seconds": plain["seconds"], "timings": plain["timings"],
                               "peak_rss_mb": plain["peak_rss_mb"]}
        run["ratio_to_plain_splink"] = round(run["seconds"] / plain["seconds"], 3)
        run["targets_met"] = {"within_2x_plain_splink": run["ratio_to_plain_splink"] <= 2.0,
                              "peak_within_8gb": run["peak_rss_mb"] <= 8 * 1024}
        print(f"plain Splink train+predict+cluster on the same data: {plain['seconds']} s, peak "
              f"{plain['peak_rss_mb']} MB; mdm run / plain = {run['ratio_to_plain_splink']}", flush=True)
        tmp = Path(tempfile.mkdtemp(prefix="mdm-bench-ops-"))
        try:
            shutil.copyfile(work / "hub.duckdb", tmp / "hub.duckdb")
            audit = measure("decay", str(tmp / "hub.duckdb"), module="bench.operations")
            print(f"decay audit over {audit['golden_records']:,} golden records: {audit['seconds']} s, "
                  f"peak {audit['peak_rss_mb']} MB", flush=True)
            made = measure("legacy_file", str(work / "hub.duckdb"), str(tmp / "legacy.csv"),
                           module="bench.operations")
            clean = measure("cleanse", str(tmp / "legacy.csv"), str(tmp / "legacy.yaml"), str(tmp / "out"),
                            module="bench.operations")
            print(f"cleanse of a {made['rows']:,}-row legacy file: {clean['seconds']} s "
                  f"({clean['rows_per_second']:,} rows/s), peak {clean['peak_rss_mb']} MB", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        runs.append({"records": n, "mdm_run": run, "decay_audit": audit, "cleanse": clean})
    return write_result("operations", {"targets": "issue 5: whole pipeline <= 2x plain Splink match time, "
                                                  "<= 8 GB; issue 8: decay audit and cleanse figures",
                                       "runs": runs})


def bench_decay(n_records: int) -> Path:
    """The decay audit on a hub of about a million golden records: ``mdm run`` over
    ``n_records`` generator records (duplicates fold ~1.7 records into one customer) first."""
    _, work, run = _mdm_run(n_records)
    audit = measure("decay", str(work / "hub.duckdb"), module="bench.operations")
    print(f"decay audit over {audit['golden_records']:,} golden records: {audit['seconds']} s "
          f"({audit['golden_records_per_second']:,}/s), peak {audit['peak_rss_mb']} MB", flush=True)
    return write_result("decay", {"target": "issue 8: decay audit time on a hub of >= 1M golden records",
                                  "records": n_records, "mdm_run": run, "decay_audit": audit,
                                  "golden_records_at_least_1m": audit["golden_records"] >= 1_000_000})


def main() -> None:
    step, args = sys.argv[1], sys.argv[2:]
    result = STEPS[step](*args)
    result["self_peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
