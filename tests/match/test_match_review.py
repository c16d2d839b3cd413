"""Review tasks: only decisions that can change a customer, once per pair of clusters, capped per run."""

from __future__ import annotations

from pathlib import Path

from mdm.hub import open_hub
from mdm.pipeline.entities import _open_review_tasks


def _hub(tmp_path: Path):  # type: ignore[no-untyped-def]
    hub = open_hub(tmp_path / "hub.duckdb")
    con = hub.con
    pairs = [  # (l, r, probability, band)
        ("a:1", "a:2", 0.999, "match"),
        ("a:1", "a:3", 0.90, "review"),   # a:3 is in a:1's cluster already: nothing to decide
        ("a:1", "b:1", 0.95, "review"),   # clusters {a:1,a:2,a:3} and {b:1,b:2}: one task for the best pair
        ("a:2", "b:2", 0.85, "review"),
        ("a:2", "c:1", 0.82, "review"),   # cluster {c:1}
        ("a:2", "d:1", 0.81, "review"),   # already decided by a steward
        ("a:9", "a:8", 0.30, "low"),
    ]
    for left, right, p, band in pairs:
        con.execute("INSERT INTO match_pair VALUES (1, ?, ?, 5.0, ?, ?, NULL)", [left, right, p, band])
    clusters = {"a:1": "a:1", "a:2": "a:1", "a:3": "a:1", "b:1": "b:1", "b:2": "b:1", "c:1": "c:1", "d:1": "d:1",
                "a:8": "a:8", "a:9": "a:9"}
    for uid, cid in clusters.items():
        con.execute("INSERT INTO cluster_member VALUES (?, ?, 1)", [uid, cid])
    con.execute("INSERT INTO cannot_link (unique_id_l, unique_id_r, created_at) VALUES ('d:1', 'a:2', now())")
    return hub


def _tasks(con) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in con.execute(
        "SELECT unique_id_l, unique_id_r FROM review_task ORDER BY match_probability DESC").fetchall()]


def test_tasks_only_across_clusters_once_per_cluster_pair(tmp_path: Path) -> None:
    hub = _hub(tmp_path)
    try:
        opened, stats = _open_review_tasks(hub.con, 1)
        assert _tasks(hub.con) == [("a:1", "b:1"), ("a:2", "c:1")]
        assert opened == 2
        assert stats == {"band_pairs": 5, "across_clusters": 4, "cluster_pairs": 3, "opened": 2}
        # a re-run opens nothing new: every pair that needs a decision has its task
        assert _open_review_tasks(hub.con, 2)[0] == 0
    finally:
        hub.close()


def test_task_cap_takes_most_likely_first_and_later_runs_open_the_rest(tmp_path: Path) -> None:
    hub = _hub(tmp_path)
    try:
        assert _open_review_tasks(hub.con, 1, max_tasks=1)[0] == 1
        assert _tasks(hub.con) == [("a:1", "b:1")]
        assert _open_review_tasks(hub.con, 2, max_tasks=1)[0] == 1
        assert _tasks(hub.con) == [("a:1", "b:1"), ("a:2", "c:1")]
    finally:
        hub.close()
