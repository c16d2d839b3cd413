"""A small real hub (DuckDB file, current schema) with a few review tasks, for the
stewardship services tested in-process."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from steward_data import EXPLANATION

from mdm.hub import open_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_hub(tmp_path / "hub.duckdb", ["first_name", "email"]) as h:
        con = h.con
        now = dt.datetime(2026, 1, 5, 10, 0)
        for i, (left, right) in enumerate([("crm:1", "web:1"), ("crm:2", "web:2"), ("crm:3", "erp:3")], start=1):
            con.execute("INSERT INTO review_task (task_id, status, created_at, run_id, unique_id_l, unique_id_r, "
                        "match_probability, match_weight, explanation, version) VALUES (?, 'open', ?, 1, ?, ?, ?, "
                        "?, ?, 1)", [i, now, left, right, 0.9 - i / 100, 0.0 + i, json.dumps(EXPLANATION)])
        for uid, cluster in [("crm:1", "c1"), ("web:1", "c1"), ("crm:2", "c2"), ("web:2", "c9"),
                             ("crm:3", "c3"), ("erp:3", "c3")]:
            con.execute("INSERT INTO cluster_member VALUES (?, ?, 1)", [uid, cluster])
        con.execute("INSERT INTO record (source, source_id, batch_id, row_number, ingested_at, first_name, email) "
                    "VALUES ('crm', '1', 1, 1, ?, 'Ann', 'ann@acme.io'), ('web', '1', 1, 1, ?, 'Anne', NULL)",
                    [now, now])
        yield con
