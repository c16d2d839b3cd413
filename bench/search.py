"""Latency of golden-record search (issue 19.4: p95 < 200 ms at 1M records).

A copy of a benchmark hub (``bench/.data/hub-N``, built by ``bench.operations``) is opened
with :func:`mdm.hub.open_hub`, which migrates a hub made before the search index and so
builds it (that time is reported too, with the index's size). Then a mix of queries a
steward or an integration types is run through :func:`mdm.stewardship.golden.search` (the
function behind ``GET /api/v1/golden`` and ``/ui/golden``), in process, one at a time, PII
masked as for a reader: a full name, a last name, a first-name prefix with a last name, an
e-mail local part (and its first 6 characters), a phone's last 7 digits, a ``source:source_id`` and a golden id,
each taken from a random active golden record (or one of its members), so the record it came
from should be among the results: the share found on the first page (20) is reported beside
the latencies (p50/p95/p99 per kind and overall) in ``bench/results/search.json``, with the
time a scoped refresh of one golden record's tokens takes (what a real-time upsert or a
steward's decision adds to its transaction).

    .venv/bin/python -m bench.search bench/.data/hub-100000 [bench/.data/hub-1000000 ...]
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine, percentile, write_result

QUERIES_PER_KIND = 100
REFRESHES = 50
WARMUP = 30
PAGE = 20
SEED = 19


def _stats(values: list[float]) -> dict[str, float]:
    return {"queries": len(values), "p50_ms": round(percentile(values, 0.50), 2),
            "p95_ms": round(percentile(values, 0.95), 2), "p99_ms": round(percentile(values, 0.99), 2),
            "mean_ms": round(statistics.fmean(values), 2), "max_ms": round(max(values), 2)}


def _queries(con: Any, rng: random.Random, n: int) -> list[tuple[str, dict[str, Any], str]]:
    """(kind, filters, golden id it came from) for ``n`` random active golden records per kind."""
    rows = con.execute(f"""
        SELECT g.golden_id, json_extract_string(g.record, '$.first_name'), json_extract_string(g.record, '$.last_name'),
               json_extract_string(g.record, '$.email'), json_extract_string(g.record, '$.phone'),
               (SELECT x.source || ':' || x.source_id FROM xref x WHERE x.golden_id = g.golden_id
                  AND x.valid_to IS NULL LIMIT 1)
        FROM golden g WHERE g.status = 'active' USING SAMPLE {n * 8} ROWS (reservoir, {SEED})""").fetchall()
    out: list[tuple[str, dict[str, Any], str]] = []
    want = dict.fromkeys(("full_name", "last_name", "prefix_and_last", "email_local_part", "email_start6",
                          "phone_last7", "source_id", "golden_id"), 0)
    rng.shuffle(rows)
    for gid, first, last, email, phone, member in rows:
        candidates: list[tuple[str, dict[str, Any]]] = [("golden_id", {"q": gid})]
        if first and last:
            candidates += [("full_name", {"q": f"{first} {last}"}), ("last_name", {"name": last})]
            if len(first) >= 3:
                candidates.append(("prefix_and_last", {"name": f"{first[:3]} {last}"}))
        if email and "@" in email and len(email.split("@")[0]) >= 4:
            candidates += [("email_local_part", {"email": email.split("@")[0]}),
                           ("email_start6", {"q": email[:6]})]
        if phone and sum(c.isdigit() for c in phone) >= 7:
            digits = "".join(c for c in phone if c.isdigit())
            candidates.append(("phone_last7", {"phone": f"{digits[-7:-4]}-{digits[-4:]}"}))
        if member:
            candidates.append(("source_id", {"q": member}))
        for kind, filters in candidates:
            if want[kind] < n:
                want[kind] += 1
                out.append((kind, filters, gid))
    rng.shuffle(out)
    return out


def bench_search(hub_dir: Path, per_kind: int = QUERIES_PER_KIND) -> dict[str, Any]:
    from mdm.config import load_dictionary
    from mdm.hub import open_hub
    from mdm.hub import search as search_index
    from mdm.hub.sql import literal
    from mdm.stewardship import golden

    dictionary = load_dictionary()
    pii = dictionary.pii
    tmp = Path(tempfile.mkdtemp(prefix="mdm-bench-search-"))
    try:
        shutil.copyfile(hub_dir / "hub.duckdb", tmp / "hub.duckdb")
        started = time.perf_counter()
        hub = open_hub(tmp / "hub.duckdb", dictionary.names)
        opened = time.perf_counter() - started
        con = hub.con
        con.execute("SET enable_progress_bar = false")
        try:
            (records,) = con.execute("SELECT count(*) FROM record").fetchone() or (0,)
            (active,) = con.execute("SELECT count(*) FROM golden WHERE status = 'active'").fetchone() or (0,)
            (tokens,) = con.execute("SELECT count(*) FROM search_token").fetchone() or (0,)
            rng = random.Random(SEED)
            queries = _queries(con, rng, per_kind)
            for _, filters, _ in queries[:WARMUP]:
                golden.search(con, attributes=dictionary.names, pii=pii, masked=True, limit=PAGE, **filters)
            by_kind: dict[str, list[float]] = {}
            found: dict[str, list[bool]] = {}
            for kind, filters, gid in queries:
                t = time.perf_counter()
                rows, _total = golden.search(con, attributes=dictionary.names, pii=pii, masked=True, limit=PAGE,
                                             **filters)
                by_kind.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
                found.setdefault(kind, []).append(gid in {r["golden_id"] for r in rows})
            # what a real-time upsert or a steward's decision adds: one golden record's tokens
            # rewritten (rolled back, so every refresh sees the same index)
            refresh_ms = []
            for gid in sorted({q[2] for q in queries})[:REFRESHES]:
                con.execute("BEGIN TRANSACTION")
                t = time.perf_counter()
                search_index.refresh(con, f"SELECT {literal(gid)} AS golden_id")
                refresh_ms.append((time.perf_counter() - t) * 1000)
                con.execute("ROLLBACK")
        finally:
            hub.close()
        every = [x for xs in by_kind.values() for x in xs]
        kinds = {k: {**_stats(v), "source_on_first_page": round(sum(found[k]) / len(found[k]), 3)}
                 for k, v in sorted(by_kind.items())}
        result = {"records": int(records), "hub": hub_dir.name, "command": f"python -m bench.search {hub_dir}",
                  "golden_records": int(active), "index_rows": int(tokens),
                  "open_and_build_index_seconds": round(opened, 2), "overall": _stats(every), "kinds": kinds,
                  "refresh_one_golden_record": _stats(refresh_ms), "target_p95_ms": 200,
                  "target_met": _stats(every)["p95_ms"] < 200, "load_average_after": machine()["load_average_1_5_15"]}
        print(f"search, {records:,} records / {active:,} golden records ({tokens:,} index rows, built in "
              f"{opened:.1f} s): p50 {result['overall']['p50_ms']} ms, p95 {result['overall']['p95_ms']} ms, "
              f"p99 {result['overall']['p99_ms']} ms over {len(every)} queries", flush=True)
        print(f"  refreshing one golden record's tokens: p50 {result['refresh_one_golden_record']['p50_ms']} ms, "
              f"p95 {result['refresh_one_golden_record']['p95_ms']} ms", flush=True)
        for k, v in kinds.items():
            print(f"  {k:>16}: p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms, p99 {v['p99_ms']} ms, "
                  f"source on first page {v['source_on_first_page']:.0%}", flush=True)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> None:
    runs = [bench_search(Path(a)) for a in argv]
    print("wrote", write_result("search", {
        "target": "issue 19.4: search p95 < 200 ms at 1M records (golden.search through the search index, "
                  "in process, one query at a time)",
        "command": "python -m bench.search " + " ".join(argv), "runs": runs}))


if __name__ == "__main__":
    main(sys.argv[1:])
