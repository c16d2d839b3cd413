"""`make bench`: every benchmark, figures as JSON in bench/results/.

    python -m bench.run                 # everything at the default sizes
    python -m bench.run --sizes 100000  # smaller, quicker
    python -m bench.run --only accuracy # the robustness corpora alone (bench/robustness.py)
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from bench.common import dataset, measure, plain_splink_once, write_result


def bench_ingest(sizes: list[int]) -> Path:
    runs = []
    for n in sizes:
        data = dataset(n)
        profile = measure("ingest_profile", str(data))
        tmp = Path(tempfile.mkdtemp(prefix="mdm-bench-"))
        try:
            hub = measure("ingest_hub", str(data), str(tmp / "hub.duckdb"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        runs.append({"records": n, "profile_validate": profile, "ingest_to_hub": hub})
        print(f"ingest {n:>9,} records: profile+validate {profile['rows_per_second']:,} rows/s "
              f"({profile['seconds']} s, peak {profile['peak_rss_mb']} MB); into hub {hub['rows_per_second']:,} rows/s "
              f"({hub['seconds']} s, peak {hub['peak_rss_mb']} MB)", flush=True)
    return write_result("ingest", {"target": "1M rows profiled+validated < 60 s, peak < 4 GB", "runs": runs})


def bench_standardise(sizes: list[int]) -> Path:
    runs = []
    for n in sizes:
        result = measure("standardise", str(dataset(n)))
        runs.append({"records": n, **result})
        print(f"standardise {n:>9,} records: {result['rows_per_second']:,} rows/s ({result['seconds']} s, "
              f"{result['cpu_seconds']} CPU s, {result['distinct_values_standardised']:,} distinct values, "
              f"peak {result['peak_rss_mb']} MB, load {[round(x, 2) for x in os.getloadavg()]})", flush=True)
    return write_result("standardise", {"target": "1M records, all attributes, < 60 s on 2 cores", "runs": runs})


def bench_match(sizes: list[int]) -> Path:
    """mdm's whole pipeline beside plain Splink, same generated data, same run."""
    runs = []
    for n in sizes:
        data = dataset(n)
        tmp = Path(tempfile.mkdtemp(prefix="mdm-bench-"))
        try:
            mdm = measure("mdm_resolve", str(data), str(tmp))
            match_only = measure("mdm_match", str(tmp))  # train+predict+cluster alone, on that hub
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        plain = plain_splink_once(n, data)
        runs.append({"records": n, "mdm": mdm, "mdm_match_only": match_only, "plain_splink": plain,
                     "time_ratio_match_to_plain": round(match_only["seconds"] / plain["seconds"], 3)})
        for name, r in (("mdm", mdm), ("plain splink", plain)):
            a = r["accuracy"]
            pw, hh = a["pairwise"], a["household"]["pairwise"]
            print(f"match {n:>9,} records, {name:>12}: pairwise F1 {pw['f1']:.4f} "
                  f"(P {pw['precision']:.4f} R {pw['recall']:.4f}), B3 F1 {a['bcubed']['f1']:.4f}, "
                  f"household F1 {hh['f1']:.4f}; {r['seconds']} s, peak {r['peak_rss_mb']} MB", flush=True)
        print(f"match {n:>9,} records, train+predict+cluster alone: mdm {match_only['seconds']} s "
              f"(peak {match_only['peak_rss_mb']} MB, review tasks {match_only['review_tasks']}) vs plain Splink "
              f"{plain['seconds']} s (peak {plain['peak_rss_mb']} MB)", flush=True)
    return write_result("match", {"target": "F1 >= 0.98; household F1 >= plain Splink + 0.02; train+predict+cluster "
                                            "at 1M <= plain Splink's time, peak <= 8 GB", "runs": runs})


STEPS = ("ingest", "standardise", "match", "operations", "decay", "realtime", "golden_read", "search", "accuracy",
         "golden_quality")


def _steps(text: str) -> set[str]:
    chosen = {s.strip() for s in text.split(",") if s.strip()}
    if chosen == {"all"}:
        return set(STEPS)
    unknown = chosen - set(STEPS)
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown step(s) {sorted(unknown)}; choose from {', '.join(STEPS)} or all")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated record counts")
    parser.add_argument("--match-sizes", default="10000,100000", help="record counts for the accuracy runs")
    parser.add_argument("--golden-sizes", default="20000,100000",
                        help="generator record counts for the golden-correctness runs (golden_quality step)")
    parser.add_argument("--only", default="all", type=_steps,
                        help=f"comma-separated steps out of {', '.join(STEPS)} (default: all)")
    parser.add_argument("--decay-records", type=int, default=1_750_000,
                        help="generator records for the decay-audit hub (about 1M golden records)")
    parser.add_argument("--accuracy-records", type=int, default=4000,
                        help="records per robustness corpus (accuracy step; about 10 minutes on 2 cores at 4000)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if "ingest" in args.only:
        print("wrote", bench_ingest(sizes))
    if "standardise" in args.only:
        print("wrote", bench_standardise(sizes))
    if "match" in args.only:
        print("wrote", bench_match([int(s) for s in args.match_sizes.split(",") if s]))
    if "operations" in args.only:
        from bench.operations import bench_operations

        print("wrote", bench_operations(sizes))
    if "decay" in args.only:
        from bench.operations import bench_decay

        print("wrote", bench_decay(args.decay_records))
    if "realtime" in args.only:
        from bench.realtime import main as bench_realtime_main

        bench_realtime_main([str(max(sizes))])
    if "golden_read" in args.only:
        from bench.common import DATA
        from bench.golden_read import main as bench_golden_read_main

        hubs = [DATA / f"hub-{n}" for n in sizes if (DATA / f"hub-{n}" / "hub.duckdb").exists()]
        if not hubs:
            raise SystemExit("golden_read: no hub to read; run the operations step for these sizes first")
        bench_golden_read_main([str(h) for h in hubs])
    if "search" in args.only:  # golden.search latency on the operations step's hubs (bench/search.py)
        from bench.common import DATA
        from bench.search import main as bench_search_main

        hubs = [DATA / f"hub-{n}" for n in sizes if (DATA / f"hub-{n}" / "hub.duckdb").exists()]
        if not hubs:
            raise SystemExit("search: no hub to search; run the operations step for these sizes first")
        bench_search_main([str(h) for h in hubs])
    if "accuracy" in args.only:  # mdm's defaults and plain Splink on six corpora mdm has never seen
        from bench.robustness import main as bench_robustness_main

        bench_robustness_main(["--records", str(args.accuracy_records)])
    if "golden_quality" in args.only:  # golden values against the generator's truth (bench/golden_quality.py)
        from bench.golden_quality import bench_golden_quality

        print("wrote", bench_golden_quality([int(s) for s in args.golden_sizes.split(",") if s]))


if __name__ == "__main__":
    main()
