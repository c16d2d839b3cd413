"""The robustness suite: mdm's defaults on corpora it has never seen, beside plain Splink.

For each corpus of :mod:`bench.corpora` (generated fresh from a seed), as a new user would:

1. ``mdm run --config DIR/mdm.yaml`` and ``mdm export xref --out x.csv --config DIR/mdm.yaml``
   as subprocesses of the venv's ``mdm``; wall time and exit code recorded. A non-zero exit
   is a crash, recorded with the last line of its stderr; it is never hidden;
2. the xref scored against the corpus' ``truth.csv`` with :mod:`bench.accuracy` (pairwise,
   B-cubed, household figures);
3. mdm's best single threshold in hindsight: the hub's ``match_pair`` and ``record_std``
   (opened read-only) re-clustered with :func:`mdm.cluster.cluster_records` over a grid of
   thresholds; the best pairwise F1 and its threshold;
4. plain Splink on the same files (:func:`plain_splink`): F1 at 0.95 and the best F1 over the
   same grid.

CLI::

    python -m bench.robustness --records 4000 --corpora a,b,c,d,e,f [--json PATH] [--keep DIR]

Writes ``bench/results/accuracy.json`` (or ``--json PATH``) and prints one line per corpus.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bench.accuracy import evaluate, load_truth
from bench.common import RESULTS, write_result
from bench.corpora import CORPORA, generate

__all__ = ["GRID", "best_threshold", "main", "mdm_cli", "run_corpus", "score_mdm", "score_plain_splink"]

#: thresholds tried in hindsight, for mdm's pairs and for plain Splink's
GRID: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.925, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99,
                           0.9925, 0.995, 0.9975, 0.999, 0.9995, 0.9999, 0.99999, 0.999999, 1 - 1e-7, 1 - 1e-8,
                           1 - 1e-9)
MDM = Path(sys.executable).with_name("mdm")
TIMEOUT = 3600


def mdm_cli(*args: str, cwd: Path, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run ``mdm ARGS``; exit code, seconds, and the last stderr line when it failed."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([str(MDM), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              check=False)
        code, err = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired as exc:
        tail = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        code, err = -9, f"timed out after {timeout} s\n{tail}"
    out: dict[str, Any] = {"exit_code": code, "seconds": round(time.perf_counter() - t0, 2)}
    if code != 0:
        lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
        out["last_stderr_line"] = lines[-1] if lines else f"exit {code}, no stderr"
    return out


def _xref_clusters(path: Path) -> pd.DataFrame:
    x = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "status" in x.columns:
        x = x[x["status"] != "retired"]
    return pd.DataFrame({"unique_id": x["source"] + ":" + x["source_id"], "cluster_id": x["golden_id"]})


def _figures(report: Any) -> dict[str, Any]:
    d = report.to_dict()
    return {"f1": round(d["pairwise"]["f1"], 4), "precision": round(d["pairwise"]["precision"], 4),
            "recall": round(d["pairwise"]["recall"], 4), "pairwise": d["pairwise"], "bcubed": d["bcubed"],
            "household": d["household"], "clusters": d["clusters"]}


def _hub_inputs(hub: Path) -> tuple[Any, Any]:
    import duckdb

    con = duckdb.connect(str(hub), read_only=True)
    try:
        have = {r[0] for r in con.execute("DESCRIBE record_std").fetchall()}
        ids = ", ".join(c if c in have else f"CAST(NULL AS VARCHAR) AS {c}" for c in ("national_id", "birth_date"))
        records = con.sql(f"SELECT source || ':' || source_id AS unique_id, {ids} FROM record_std").to_arrow_table()
        pairs = con.sql("SELECT unique_id_l, unique_id_r, match_probability, match_weight FROM match_pair"
                        ).to_arrow_table()
    finally:
        con.close()
    return records, pairs


def best_threshold(records: Any, pairs: Any, truth: pd.DataFrame, grid: Sequence[float] = GRID,
                   *, constrained: bool = True) -> dict[str, Any]:
    """Best pairwise F1 over ``grid`` when ``pairs`` are clustered at one threshold.

    ``constrained``: mdm's clustering (:func:`mdm.cluster.cluster_records`, identifier
    splits included); otherwise plain connected components, as Splink clusters.
    """
    from bench.accuracy import pairwise

    curve = []
    for t in grid:
        if constrained:
            from mdm.cluster import ClusterSettings, cluster_records

            clusters = cluster_records(records, pairs, settings=ClusterSettings(auto_match_probability=t)).to_pandas()
        else:
            clusters = _components(records, pairs, t)
        s = pairwise(clusters, truth)
        curve.append((t, s.f1, s.precision, s.recall))
    t, f1, p, r = max(curve, key=lambda c: (c[1], -abs(c[0] - 0.95)))
    return {"f1": round(f1, 4), "threshold": round(t, 10), "precision": round(p, 4), "recall": round(r, 4),
            "curve": [[c[0], round(c[1], 4)] for c in curve]}


def _components(records: Any, pairs: Any, threshold: float) -> pd.DataFrame:
    """Connected components of the pairs at ``threshold`` (what Splink's clustering does)."""
    import numpy as np

    from mdm.cluster.graph import connected_components

    uid = pd.Series(pd.DataFrame(records)["unique_id"].astype(str).unique())
    index = pd.Series(np.arange(len(uid)), index=uid)
    p = pd.DataFrame(pairs)
    p = p[p["match_probability"] >= threshold]
    known = index.reindex(p["unique_id_l"].astype(str)).notna().to_numpy() & index.reindex(
        p["unique_id_r"].astype(str)).notna().to_numpy()
    a = index.reindex(p["unique_id_l"].astype(str)[known]).astype(np.int64).to_numpy()
    b = index.reindex(p["unique_id_r"].astype(str)[known]).astype(np.int64).to_numpy()
    labels = np.asarray(connected_components(len(uid), a, b))
    return pd.DataFrame({"unique_id": uid, "cluster_id": labels.astype(str)})


def score_mdm(folder: Path, truth: pd.DataFrame) -> dict[str, Any]:
    """``mdm run`` + ``mdm export xref`` on ``folder``; figures, best threshold, crash info."""
    cfg = folder / "mdm.yaml"
    out: dict[str, Any] = {}
    run = mdm_cli("run", "--config", str(cfg), cwd=folder)
    out["run"] = run
    out["seconds"] = run["seconds"]
    if run["exit_code"] != 0:
        out["crash"] = {"step": "mdm run", "exit_code": run["exit_code"], "message": run["last_stderr_line"]}
        return out
    xref_path = folder / "x.csv"
    export = mdm_cli("export", "xref", "--out", str(xref_path), "--config", str(cfg), cwd=folder)
    out["export"] = export
    out["seconds"] = round(run["seconds"] + export["seconds"], 2)
    if export["exit_code"] != 0:
        out["crash"] = {"step": "mdm export xref", "exit_code": export["exit_code"],
                        "message": export["last_stderr_line"]}
        return out
    out["crash"] = None
    out.update(_figures(evaluate(_xref_clusters(xref_path), truth)))
    hub = _hub_path(cfg)
    try:
        records, pairs = _hub_inputs(hub)
        out["pairs_in_hub"] = pairs.num_rows
        t0 = time.perf_counter()
        out["best_threshold"] = best_threshold(records, pairs, truth)
        out["best_threshold"]["seconds"] = round(time.perf_counter() - t0, 2)
    except Exception as exc:  # the hindsight figure is ours, not mdm's: record why it is missing
        out["best_threshold"] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def score_plain_splink(folder: Path, truth: pd.DataFrame, threshold: float = 0.95) -> dict[str, Any]:
    """Plain Splink on ``folder``: figures at the fixed ``threshold`` and the best over :data:`GRID`."""
    from bench.corpora.splink_baseline import plain_splink

    t0 = time.perf_counter()
    run = plain_splink(folder, threshold=threshold)
    seconds = round(time.perf_counter() - t0, 2)
    fixed = _figures(evaluate(run.clusters, truth))
    return {"threshold": threshold, "f1_at_095": fixed["f1"], **fixed,
            "best": best_threshold(run.records, run.pairs, truth, constrained=False),
            "comparisons": run.comparisons, "notes": run.notes, "timings": run.timings, "seconds": seconds}


def _hub_path(cfg: Path) -> Path:
    import yaml

    hub = Path(yaml.safe_load(cfg.read_text(encoding="utf-8"))["hub"])
    return hub if hub.is_absolute() else cfg.parent / hub


def golden_correctness(folder: Path) -> dict[str, Any]:
    """Issue 16.4 on this corpus: per attribute the entity truth covers, the share of golden values
    equal to it, the share where a member held it, their ratio, and plain "most recent from the most
    trusted source" beside it (:func:`bench.golden_quality.measure_hub`), with the corpus's own trust."""
    import csv

    import duckdb

    from bench.golden_quality import measure_hub
    from mdm.config import load_project

    entities = folder / "truth_entities.csv"
    if not entities.exists():
        return {"error": "the corpus has no truth_entities.csv"}
    with entities.open(encoding="utf-8", newline="") as fh:
        attributes = next(csv.reader(fh))[1:]
    trust = {m.source: m.trust for m, _ in load_project(folder / "mdm.yaml").sources}  # as the run read them
    con = duckdb.connect(str(_hub_path(folder / "mdm.yaml")), read_only=True)
    try:
        return measure_hub(con, folder, trust=trust, attributes=attributes)
    finally:
        con.close()


def run_corpus(name: str, n_records: int, seed: int, workdir: Path, *, splink: bool = True) -> dict[str, Any]:
    """Generate corpus ``name`` into ``workdir/name`` and measure mdm (and plain Splink) on it."""
    folder = workdir / name
    if folder.exists():
        shutil.rmtree(folder)
    t0 = time.perf_counter()
    generate(name, folder, n_records, seed)
    meta = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
    truth = load_truth(folder / "truth.csv")
    result: dict[str, Any] = {
        "corpus": name, "title": CORPORA[name].title, "generator": CORPORA[name].generator, "seed": seed,
        "records": meta["records"], "entities": int(truth["entity_id"].nunique()),
        "households": meta.get("households", 0), "sources": meta["sources"],
        "generate_seconds": round(time.perf_counter() - t0, 2),
    }
    result["mdm"] = score_mdm(folder, truth)
    if not result["mdm"].get("crash"):
        result["mdm"]["golden"] = golden_correctness(folder)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    if splink:
        try:
            result["plain_splink"] = score_plain_splink(folder, truth)
        except Exception as exc:  # a baseline failure is a figure too; it must not hide mdm's
            result["plain_splink"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}
        result["seconds"] = round(time.perf_counter() - t0, 2)
    return result


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "  -  "


def line(r: dict[str, Any]) -> str:
    m = r["mdm"]
    head = f"{r['corpus']} {r['title'][:34]:<34} {r['records']:>6} rec {r['entities']:>6} ent | "
    if m.get("crash"):
        mdm = f"mdm CRASH ({m['crash']['step']}, exit {m['crash']['exit_code']}): {m['crash']['message'][:160]}"
    else:
        bt = m.get("best_threshold", {})
        hh = m["household"]["pairwise"]["f1"] if m["household"]["records"] else None
        mdm = (f"mdm F1 {_f(m['f1'])} P {_f(m['precision'])} R {_f(m['recall'])} | best {_f(bt.get('f1'))} "
               f"@{bt.get('threshold', '-')} | household F1 {_f(hh)}")
    s = r.get("plain_splink")
    splink = ""
    if s is not None:
        splink = (f" | splink error: {s['error'][:120]}" if "error" in s else
                  f" | splink @0.95 {_f(s['f1_at_095'])} best {_f(s['best']['f1'])} @{s['best']['threshold']}")
    return f"{head}{mdm}{splink} | mdm {m['seconds']} s, all {r.get('seconds', '-')} s"


def _write(path: Path, payload: dict[str, Any]) -> Path:
    """Write the figures; corpora measured before at the same size and seed and not now are kept."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    run = payload["runs"][0]
    for prev in old.get("runs", []):
        if prev.get("records") == run["records"] and prev.get("seed") == run["seed"]:
            for name, figures in prev.get("corpora", {}).items():
                run["corpora"].setdefault(name, figures)
            run["corpora"] = dict(sorted(run["corpora"].items()))
    if path.resolve() == (RESULTS / "accuracy.json").resolve():
        return write_result("accuracy", payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.robustness", description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=4000, help="records per corpus")
    ap.add_argument("--corpora", default=",".join(CORPORA), help=f"comma-separated, out of {','.join(CORPORA)}")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, default=RESULTS / "accuracy.json")
    ap.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    ap.add_argument("--no-splink", action="store_true", help="skip the plain Splink baseline")
    args = ap.parse_args(argv)
    names = [c.strip() for c in args.corpora.split(",") if c.strip()]
    unknown = [c for c in names if c not in CORPORA]
    if unknown:
        ap.error(f"unknown corpora {unknown}; choose from {', '.join(CORPORA)}")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="mdm-robustness-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    t0 = time.perf_counter()
    try:
        for name in names:
            r = run_corpus(name, args.records, args.seed, workdir, splink=not args.no_splink)
            results[name] = r
            print(line(r), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    command = f"python -m bench.robustness --records {args.records} --corpora {','.join(names)} --seed {args.seed}"
    payload = {"command": command + (" --no-splink" if args.no_splink else ""),
               "target": "pairwise F1 >= 0.98 on every corpus, never below plain Splink, within 0.01 of the "
                         "best single threshold in hindsight; household F1 not lower",
               "runs": [{"records": args.records, "seed": args.seed, "seconds": round(time.perf_counter() - t0, 1),
                         "corpora": results}]}
    print("wrote", _write(args.json, payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
