"""Read throughput of ``GET /api/v1/golden/{golden_id}`` on a real ``mdm serve``.

A copy of a benchmark hub (built by ``bench.operations`` or ``bench.realtime``) is served
by a real uvicorn server on 127.0.0.1 with a reader key (PII masked, the common case for
integrations). Closed-loop clients, each an ``httpx.Client`` in its own thread, ask for
random active golden records for a fixed time; the load is bounded by the number of
clients (1, 4, 16: at most that many requests in flight). Reports requests/s and the
p50/p95/p99 latency at each level into ``bench/results/golden_read.json``.

    .venv/bin/python -m bench.golden_read HUB_DIR [HUB_DIR ...]

Clients and server share this machine's cores, so the figures are a floor for a server
with cores of its own.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

from bench.common import machine, percentile, write_result

CONCURRENCY = (1, 4, 16)
SECONDS = 20.0
SAMPLE_IDS = 5000


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(work: Path) -> tuple[subprocess.Popen[bytes], str, str, Path]:
    from mdm.apikeys import create_key
    from mdm.config import load_project
    from mdm.hub import open_hub, transaction

    project = load_project(work / "mdm.yaml")
    with open_hub(project.hub, project.dictionary.names) as hub, transaction(hub.con):
        key, _ = create_key(hub.con, name="bench-reader", role="reader", created_by="bench.golden_read")
    port = _free_port()
    log = work / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "mdm", "serve", "--config", str(work / "mdm.yaml"),
                                 "--host", "127.0.0.1", "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url, key, log
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"mdm serve did not come up:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def _load(url: str, key: str, ids: list[str], clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        rng = random.Random(i)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            while time.perf_counter() < stop:
                gid = rng.choice(ids)
                t = time.perf_counter()
                r = client.get(f"/api/v1/golden/{gid}")
                took = time.perf_counter() - t
                if r.status_code != 200 or r.json().get("golden_id") != gid:
                    errors[i] += 1
                else:
                    latencies[i].append(took)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    flat = [x * 1000 for xs in latencies for x in xs]
    return {"clients": clients, "seconds": round(wall, 2), "requests": len(flat), "errors": sum(errors),
            "requests_per_second": round(len(flat) / wall, 1),
            "p50_ms": round(percentile(flat, 0.50), 2), "p95_ms": round(percentile(flat, 0.95), 2),
            "p99_ms": round(percentile(flat, 0.99), 2), "mean_ms": round(statistics.fmean(flat), 2),
            "load_average_after": machine()["load_average_1_5_15"]}


def bench_golden_read(hub_dir: Path, seconds: float = SECONDS) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="mdm-bench-read-"))
    try:
        work = tmp / "project"
        work.mkdir()
        shutil.copyfile(hub_dir / "hub.duckdb", work / "hub.duckdb")
        (work / "mdm.yaml").write_text("hub: hub.duckdb\n", encoding="utf-8")
        con = duckdb.connect(str(work / "hub.duckdb"), read_only=True)
        try:
            row = con.execute("SELECT count(*) FROM golden WHERE status = 'active'").fetchone()
            active = int(row[0]) if row else 0
            ids = [r[0] for r in con.execute(
                f"SELECT golden_id FROM golden WHERE status = 'active' USING SAMPLE {SAMPLE_IDS} ROWS").fetchall()]
        finally:
            con.close()
        proc, url, key, _log = _serve(work)
        try:
            levels = []
            for clients in CONCURRENCY:
                level = _load(url, key, ids, clients, seconds)
                levels.append(level)
                print(f"golden reads, {active:,} golden records, {clients:>2} clients: "
                      f"{level['requests_per_second']} req/s, p50 {level['p50_ms']} ms, p99 {level['p99_ms']} ms, "
                      f"errors {level['errors']}", flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        return {"records": active, "hub": hub_dir.name, "golden_records": active, "levels": levels}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> None:
    runs = [bench_golden_read(Path(a)) for a in argv]
    print("wrote", write_result("golden_read", {
        "target": "issue 6: read throughput of the golden record endpoint (requests/s at p99 latency) "
                  "with a bounded local load",
        "command": "python -m bench.golden_read " + " ".join(argv), "runs": runs}))


if __name__ == "__main__":
    main(sys.argv[1:])
