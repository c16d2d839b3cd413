"""Real-time match latency: one incoming record against a hub of ``size`` records.

The hub is built once by the real pipeline over generator output with a few CRM rows
held out (cached under ``bench/.data/rt-hub-SIZE``), its match keys refreshed, and then
N single-record match calls are timed: half held-out CRM rows (new records, most of which
have duplicates in the hub through the other sources), half existing records with one
perturbed attribute (a typo in a name, a dropped email, ...). Reports p50/p95/p99 in ms,
candidates per query and the load average, into ``bench/results/realtime.json``.

    .venv/bin/python -m bench.realtime 100000 [1000000]
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import yaml

from bench.common import DATA, RESULTS, dataset, machine

HOLDOUT_EVERY = 97  # every 97th CRM row stays out of the hub
HOLDOUT_MAX = 2000
N_CALLS = 2000
SOURCES = ("crm", "erp", "web", "legacy")


def _mapping(name: str) -> dict[str, Any]:
    from mdm.config import BUNDLED_ROOT

    doc: dict[str, Any] = yaml.safe_load((BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml").read_text())
    return doc


def build_hub(size: int, seed: int = 7) -> Path:
    """The cached hub folder for ``size`` generator records (pipeline run + match keys)."""
    data = dataset(size, seed)
    root = DATA / f"rt-hub-{size}-{seed}-{_rules_tag()}"
    marker = root / ".complete"
    if marker.exists():
        return root
    if not (root / ".pipeline").exists():
        _run_pipeline(root, data)
    from mdm.match.realtime import refresh_match_keys

    con = duckdb.connect(str(root / "hub.duckdb"))
    try:
        t = time.perf_counter()
        keys = refresh_match_keys(con, load_hub_project(root).match_rules)
        refresh = time.perf_counter() - t
    finally:
        con.close()
    build = json.loads((root / ".pipeline").read_text())
    (root / "build.json").write_text(json.dumps({**build, "refresh_seconds": round(refresh, 2), "match_keys": keys,
                                                 "refresh_load_average": machine()["load_average_1_5_15"]}))
    marker.write_text("ok", encoding="utf-8")
    return root


def _rules_tag() -> str:
    """A short hash of the bundled match rules: a hub cached under other rules has a model that
    no longer fits them (the matcher refuses it), so it is built anew beside the old one."""
    import hashlib

    from mdm.config import BUNDLED_MATCH_RULES

    return hashlib.sha1(Path(BUNDLED_MATCH_RULES).read_bytes()).hexdigest()[:8]


def _run_pipeline(root: Path, data: Path) -> None:
    from mdm import pipeline
    from mdm.config import BUNDLED_ROOT, load_project

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    lines = ["hub: hub.duckdb", "sources:"]
    for name in SOURCES:
        path = next(p for p in data.iterdir() if p.stem == name and p.suffix != ".yaml")
        if name == "crm":  # hold some rows out: they arrive later, one at a time
            with path.open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            header, body = rows[0], rows[1:]
            held = [r for i, r in enumerate(body) if i % HOLDOUT_EVERY == 0][:HOLDOUT_MAX]
            held_ids = {r[0] for r in held}
            kept = [r for r in body if r[0] not in held_ids]
            out = root / "crm.csv"
            with out.open("w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([header, *kept])
            with (root / "holdout.csv").open("w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([header, *held])
            path = out
        mapping = BUNDLED_ROOT / "dictionary" / "sources" / f"{name}.yaml"
        lines += [f"  - mapping: {mapping}", f"    path: {path}"]
    (root / "mdm.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    t = time.perf_counter()
    pipeline.run(load_project(root / "mdm.yaml"))
    build = time.perf_counter() - t
    (root / ".pipeline").write_text(json.dumps({"pipeline_seconds": round(build, 1),
                                                "pipeline_load_average": machine()["load_average_1_5_15"]}))


def load_hub_project(root: Path) -> Any:
    """The hub's project, read through a config with this checkout's paths.

    A cached hub's ``mdm.yaml`` names the mappings and data files by the absolute paths of
    the checkout that built it (bench/.data is shared between checkouts); the config is
    rewritten into a temporary folder with the hub by absolute path, the mappings from this
    checkout and the data files under this checkout's ``bench/.data``, so the shared cache
    is only read.
    """
    import tempfile

    from mdm.config import BUNDLED_ROOT, load_project

    doc: dict[str, Any] = yaml.safe_load((root / "mdm.yaml").read_text(encoding="utf-8"))
    doc["hub"] = str((root / str(doc.get("hub", "hub.duckdb"))).resolve())
    for ref in doc.get("sources", []):
        mapping = Path(ref["mapping"])
        if not mapping.exists():
            ref["mapping"] = str(BUNDLED_ROOT / "dictionary" / "sources" / mapping.name)
        data = Path(ref["path"])
        if not data.exists() and "/bench/.data/" in str(data):
            ref["path"] = str(DATA / str(data).split("/bench/.data/", 1)[1])
    folder = Path(tempfile.mkdtemp(prefix="mdm-rt-bench-"))
    try:
        (folder / "mdm.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
        return load_project(folder / "mdm.yaml")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _queries(root: Path, con: duckdb.DuckDBPyConnection, n: int, seed: int = 1) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    cols = _mapping("crm")["columns"]
    with (root / "holdout.csv").open(encoding="utf-8", newline="") as f:
        held = list(csv.DictReader(f))
    new = [("holdout", {a: row.get(c) or None for a, c in cols.items()}) for row in held[: n // 2]]
    attrs = [r[0] for r in con.execute("DESCRIBE record").fetchall()
             if r[0] not in ("source", "source_id", "batch_id", "row_number", "updated_at", "ingested_at")]
    picked = con.execute(f"SELECT source, {', '.join(attrs)} FROM record USING SAMPLE {n - len(new)} ROWS "
                         "(reservoir, 7)").fetchall()
    existing = []
    for row in picked:
        rec = {a: v for a, v in zip(attrs, row[1:], strict=True) if v is not None}
        kind = rng.choice(("name_typo", "drop_email", "drop_phone", "as_is"))
        if kind == "name_typo" and rec.get("last_name"):
            s = str(rec["last_name"])
            i = rng.randrange(len(s))
            rec["last_name"] = s[:i] + rng.choice("aeioun") + s[i + 1:]
        elif kind in ("drop_email", "drop_phone"):
            rec.pop(kind.split("_")[1], None)
        existing.append((f"existing:{kind}", rec))
    return new + existing


def bench_realtime(size: int, n_calls: int = N_CALLS) -> dict[str, Any]:
    """Time ``n_calls`` single-record match calls against a ``size``-record hub."""
    from mdm.match.realtime import Matcher
    from mdm.standardise.record import RecordStandardiser

    root = build_hub(size)
    project = load_hub_project(root)
    con = duckdb.connect(str(root / "hub.duckdb"), read_only=True)
    try:
        t = time.perf_counter()
        matcher = Matcher.load(con, project, standardiser=RecordStandardiser.for_project(project, con))
        load_seconds = time.perf_counter() - t
        queries = _queries(root, con, n_calls)
        for _, rec in queries[:50]:  # warm-up
            matcher.match(con, rec)
        load_before = machine()["load_average_1_5_15"]
        times: list[float] = []
        cpu: list[float] = []
        cands: list[int] = []
        found_n: list[int] = []
        found: dict[str, list[int]] = {}
        for kind, rec in queries:
            t, c = time.perf_counter(), time.process_time()
            result = matcher.match(con, rec)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            cands.append(result.candidates_scored)
            found_n.append(result.candidates_found)
            top = result.goldens[0].match_probability if result.goldens else 0.0
            found.setdefault(kind, []).append(int(top >= project_threshold(matcher)))
        load_after = machine()["load_average_1_5_15"]
    finally:
        con.close()
    qs = statistics.quantiles(times, n=100, method="inclusive")
    build = json.loads((root / "build.json").read_text())
    return {
        "size": size, "records_in_hub": matcher.records, "calls": len(times),
        "p50_ms": round(qs[49], 2), "p95_ms": round(qs[94], 2), "p99_ms": round(qs[98], 2),
        "max_ms": round(max(times), 2), "mean_ms": round(statistics.fmean(times), 2),
        # CPU time of the process per call: what the call costs when it has a core to itself
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p99_ms": round(statistics.quantiles(cpu, n=100, method="inclusive")[98], 2),
        # scored per call (at most max_candidates) and found (records sharing a looked-up key)
        "candidates_per_query": _spread(cands), "candidates_found_per_query": _spread(found_n),
        "max_candidates": matcher.max_candidates, "max_block": matcher.max_block,
        "keys_over_max_block": len(matcher.huge_keys),
        "top_candidate_above_review_low": {k: round(sum(v) / len(v), 3) for k, v in found.items()},
        "matcher_load_seconds": round(load_seconds, 2), "hub_build": build,
        "load_average_before": load_before, "load_average_after": load_after,
    }


def _spread(values: list[int]) -> dict[str, float]:
    qs = statistics.quantiles(values, n=100, method="inclusive")
    return {"mean": round(statistics.fmean(values), 1), "p50": qs[49], "p99": qs[98], "max": max(values)}


def project_threshold(matcher: Any) -> float:
    return float(matcher.thresholds.review[0])


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [100_000]
    runs = [bench_realtime(s) for s in sizes]
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": "realtime", "machine": machine(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
               "command": "python -m bench.realtime " + " ".join(map(str, sizes)), "runs": runs}
    path = RESULTS / "realtime.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    keep = [r for r in old.get("runs", []) if r.get("size") not in sizes]
    payload["runs"] = sorted(keep + runs, key=lambda r: r["size"])
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
