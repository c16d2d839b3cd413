"""End-to-end fixtures: a demo hub built by the real pipeline, served by a real ``mdm serve``.

The demo (300 generated customers over four sources, ~25 review tasks) is built once per
session; each server gets its own copy of it (see :mod:`steward_e2e`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Browser, sync_playwright
from steward_e2e import ARGS, ARTIFACTS, CHROMIUM, Served, start_server, stop_server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright, one per test module."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After each browser test, a screenshot of every page it left open, in test-artifacts/ui/
    (issue 19: each page a steward sees is kept as an artifact): the pages of any Playwright
    browser or page among the test's fixtures, named after the test."""
    yield
    from playwright.sync_api import Browser, Page

    pages: list[Page] = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, Browser):
            pages += [p for ctx in value.contexts for p in ctx.pages]
        elif isinstance(value, Page):
            pages.append(value)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.name).strip("-")
    for i, page in enumerate(dict.fromkeys(pages)):
        if page.is_closed() or page.url in ("", "about:blank"):
            continue
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}{f'-{i}' if i else ''}.png"), full_page=True)
        except Exception:  # an artifact never fails a test
            continue


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project after one real pipeline run (kept pristine: servers use copies)."""
    out = tmp_path_factory.mktemp("steward-demo") / "demo"
    res = subprocess.run([sys.executable, "-m", "mdm", "demo", "--workdir", str(out), "--records", "300",
                          "--seed", "7"], capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    assert re.search(r"review tasks opened ([1-9]\d*)", res.stdout), res.stdout
    seed_review_tasks(out / "hub.duckdb")
    return out


def seed_review_tasks(hub: Path, wanted: int = 40) -> None:
    """Runs open tasks only where a decision can change a customer, which on 300 customers is a
    handful; the queue tests need a few dozen, so scored pairs without a task are queued as
    open tasks, as if earlier runs had opened them (review band first, then match-band pairs: both
    carry the explanation the task page draws)."""
    con = duckdb.connect(str(hub))
    try:
        con.execute("""
            INSERT INTO review_task (task_id, status, created_at, run_id, unique_id_l, unique_id_r,
                                     match_probability, match_weight, explanation, version)
            SELECT nextval('task_id_seq'), 'open', now(), run_id, unique_id_l, unique_id_r, match_probability,
                   match_weight, explanation, 1
            FROM (SELECT p.* FROM match_pair p
                  WHERE p.band IN ('review', 'match') AND p.explanation IS NOT NULL AND NOT EXISTS (
                      SELECT 1 FROM review_task t WHERE t.unique_id_l = p.unique_id_l AND t.unique_id_r = p.unique_id_r)
                  ORDER BY p.band = 'review' DESC, p.match_probability DESC, p.unique_id_l, p.unique_id_r
                  LIMIT greatest(0, ? - (SELECT count(*) FROM review_task WHERE status = 'open')))""", [wanted])
    finally:
        con.close()


@pytest.fixture(scope="session")
def serve_copy(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Served]]:
    """Factory: start a server on a fresh copy of the demo project; all are stopped at the end."""
    started: list[Served] = []

    def make(name: str) -> Served:
        workdir = tmp_path_factory.mktemp(f"served-{name}") / "demo"
        shutil.copytree(demo_dir, workdir)
        served = start_server(workdir)
        started.append(served)
        return served

    yield make
    for served in started:
        stop_server(served)


@pytest.fixture(scope="session")
def server(serve_copy: Callable[[str], Served]) -> Served:
    """The shared server of the API and UI tests."""
    return serve_copy("api")


@pytest.fixture
def open_task(server: Served) -> Callable[[], dict[str, object]]:
    """Factory: an open, unassigned task no other test has taken yet."""

    def take() -> dict[str, object]:
        c = server.client("admin")
        page = c.get("/api/v1/tasks", params={"status": "open", "limit": 500}).json()
        for t in page["tasks"]:
            if t["assignee"] is None and t["task_id"] not in _taken:
                _taken.add(t["task_id"])
                return dict(t)
        raise AssertionError("the demo ran out of open review tasks; grow the demo or share tasks")

    return take


_taken: set[int] = set()
