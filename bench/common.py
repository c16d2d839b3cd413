"""Measuring helpers: each measured step runs in a fresh child process so peak memory is its own."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DATA = ROOT / ".data"


def machine() -> dict[str, Any]:
    """Where the figures come from; the load average says whether other work shared the cores."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]}


def measure(step: str, *args: str, module: str = "bench.worker") -> dict[str, Any]:
    """Run ``python -m MODULE STEP ARGS`` and return its JSON plus wall time and peak RSS."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", module, step, *args], capture_output=True, text=True,
                          cwd=ROOT.parent, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"bench step {step} failed:\n{proc.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_seconds"] = round(wall, 3)
    out["peak_rss_mb"] = round(out.pop("self_peak_rss_kb") / 1024, 1)  # the child's own high-water mark
    return out


_PLAIN: dict[tuple[int, str], dict[str, Any]] = {}


def plain_splink_once(n_records: int, data: Path) -> dict[str, Any]:
    """Plain Splink on ``data``, measured once per invocation: the match and the whole-run
    benchmarks of one ``bench.run`` compare against the same measurement."""
    key = (n_records, str(data))
    if key not in _PLAIN:
        _PLAIN[key] = measure("plain_splink", str(data))
    return _PLAIN[key]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/NAME.json``. Runs (``payload["runs"]``, one per record count) of
    sizes this invocation did not measure are kept from the previous file, each with its own
    ``measured_at`` and machine load, so measuring 1M alone does not wipe the 10k/100k figures."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    payload = {"benchmark": name, "machine": machine(), "measured_at": stamp, **payload}
    runs = payload.get("runs")
    if isinstance(runs, list) and all(isinstance(r, dict) and "records" in r for r in runs):
        for r in runs:
            r.setdefault("measured_at", stamp)
            r.setdefault("machine", payload["machine"])
        fresh = {r["records"] for r in runs}
        try:
            old = json.loads(path.read_text(encoding="utf-8")).get("runs", [])
        except (OSError, ValueError):
            old = []
        kept = [r for r in old if isinstance(r, dict) and r.get("records") not in fresh and "measured_at" in r]
        payload["runs"] = sorted(kept + runs, key=lambda r: r["records"])
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def dataset(n_records: int, seed: int = 7) -> Path:
    """Generator output for ``n_records`` (cached under bench/.data)."""
    from mdm.demo.generator import generate

    out = DATA / f"gen-{n_records}-{seed}"
    marker = out / ".complete"
    if not marker.exists():
        generate(out, n_records=n_records, seed=seed)
        marker.write_text("ok", encoding="utf-8")
    return out
