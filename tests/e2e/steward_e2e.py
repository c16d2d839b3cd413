"""Helpers of the end-to-end tests: start and stop a real ``mdm serve`` on a copy of the demo.

The demo (300 generated customers over four sources, ~25 review tasks) is built once per
session; each server gets its own copy of it, its own keys (one per role, created with
the same function ``mdm keys create`` uses) and a free port on 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mdm.config import load_project
from mdm.hub import open_hub, transaction
from mdm.stewardship.auth import create_key

#: Debian's Chromium and its flags for the browser tests (never `playwright install`)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: where browser tests keep their screenshots (MDM_TEST_ARTIFACTS to move them)
ARTIFACTS = Path(os.environ.get("MDM_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")) / "ui"

ROLES = ("reader", "steward", "admin", "system")


@dataclass
class Served:
    """A running ``mdm serve``: its base URL, its project folder, one key per role."""

    url: str
    workdir: Path
    keys: dict[str, str]
    proc: subprocess.Popen[bytes]
    log: Path
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.workdir / "mdm.yaml"

    def client(self, role: str | None = None, *, key: str | None = None) -> httpx.Client:
        """An HTTP client, with the bearer key of ``role`` (or ``key``) when given."""
        key = key or (self.keys[role] if role else None)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        c = httpx.Client(base_url=self.url, headers=headers, timeout=30, follow_redirects=False)
        self.clients.append(c)
        return c

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_keys(config: Path, names: dict[str, str]) -> dict[str, str]:
    """name -> role for each key to create; returns name -> key (hub must not be served yet)."""
    project = load_project(config)
    out = {}
    with open_hub(project.hub, project.dictionary.names) as hub, transaction(hub.con):
        for name, role in names.items():
            out[name], _ = create_key(hub.con, name=name, role=role, created_by="tests")
    return out


def start_server(workdir: Path) -> Served:
    keys = add_keys(workdir / "mdm.yaml", {f"{role}-1": role for role in ROLES} | {"steward-2": "steward"})
    port = free_port()
    log = workdir / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "mdm", "serve", "--config", str(workdir / "mdm.yaml"),
                                 "--host", "127.0.0.1", "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"mdm serve did not come up:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    by_role = {role: keys[f"{role}-1"] for role in ROLES} | {"steward2": keys["steward-2"]}
    return Served(url=url, workdir=workdir, keys=by_role, proc=proc, log=log)


def stop_server(served: Served) -> None:
    for c in served.clients:
        c.close()
    served.proc.terminate()
    try:
        served.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait(timeout=10)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
