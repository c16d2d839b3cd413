"""The pipeline run: ingest and standardise every source into the hub, atomically."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from mdm import pipeline
from mdm.config import load_project

MAPPING = """source: shop
trust: 60
id_column: id
updated_at_column: upd
columns:
  first_name: first
  last_name: last
  phone: tel
  country: land
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "shop.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "shop.csv").write_text(
        "id,first,last,tel,land,upd\n"
        "1,Bobby,Smith,(415) 555-2671,US,2024-01-01\n"
        "2,Wei,Wang,021 6234 5678,China,2024-01-01\n"
        "3,Ann,Lee,1234567890,US,2024-01-01\n"       # phone-shaped, but no such number: invalid
        "4,Zed,Ray,,,2024-01-01\n", encoding="utf-8")
    (tmp_path / "mdm.yaml").write_text("hub: hub.duckdb\nsources:\n  - {mapping: shop.yaml, path: shop.csv}\n",
                                       encoding="utf-8")
    return tmp_path / "mdm.yaml"


def test_run_standardises_into_the_hub(project: Path) -> None:
    result = pipeline.run(load_project(project))
    assert result.report is not None and result.report.exists()
    con = duckdb.connect(str(project.parent / "hub.duckdb"), read_only=True)
    std = dict(con.execute("SELECT source_id, phone FROM record_std").fetchall())
    assert std == {"1": "+14155552671", "2": "+862162345678", "3": None, "4": None}
    nick = con.execute("SELECT first_name__nickname_canonical FROM record_std WHERE source_id = '1'").fetchone()
    assert nick == ("robert",)
    # a value the standardiser rejects is flagged and counts as invalid in the scorecard
    assert con.execute("SELECT reason_code FROM record_flag WHERE source_id = '3'").fetchall() == [("phone.invalid",)]
    validity = con.execute("SELECT validity FROM scorecard WHERE attribute = 'phone'").fetchone()
    assert validity is not None and validity[0] == pytest.approx(2 / 3)
    raw = con.execute("SELECT phone FROM record WHERE source_id = '3'").fetchone()
    assert raw == ("1234567890",)  # raw kept beside the standardised value


def test_failed_run_leaves_hub_as_it_was(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.run(load_project(project))
    hub = project.parent / "hub.duckdb"
    con = duckdb.connect(str(hub), read_only=True)
    before = con.execute("SELECT count(*) FROM batch").fetchone(), con.execute("SELECT count(*) FROM record").fetchone()
    con.close()
    (project.parent / "shop.csv").write_text("id,first,last,tel,land,upd\n9,New,Person,,,2025-01-01\n",
                                             encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed mid-run")

    monkeypatch.setattr(pipeline, "standardise", boom)
    with pytest.raises(RuntimeError, match="killed mid-run"):
        pipeline.run(load_project(project))
    con = duckdb.connect(str(hub), read_only=True)
    after = con.execute("SELECT count(*) FROM batch").fetchone(), con.execute("SELECT count(*) FROM record").fetchone()
    assert after == before


def test_hub_gets_the_whole_budget_once_splink_is_closed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While Splink's engine runs the hub has half the run's budget; golden records and the
    COMMIT (which must hold the run's new index entries) get all of it."""
    from mdm.memory import default_limit, full_limit

    seen: list[str] = []
    real_resolve, real_golden = pipeline.resolve, pipeline.build_golden

    def limit(con: duckdb.DuckDBPyConnection) -> str:
        row = con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert row is not None
        return str(row[0])

    def resolve(con: duckdb.DuckDBPyConnection, *a: object, **k: object) -> object:
        seen.append(limit(con))
        return real_resolve(con, *a, **k)  # type: ignore[arg-type]

    def golden(con: duckdb.DuckDBPyConnection, *a: object, **k: object) -> object:
        seen.append(limit(con))
        return real_golden(con, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "resolve", resolve)
    monkeypatch.setattr(pipeline, "build_golden", golden)
    pipeline.run(load_project(project))
    probe = duckdb.connect()
    try:
        want = []
        for text in (default_limit(), full_limit()):
            probe.execute(f"SET memory_limit = '{text}'")
            want.append(limit(probe))
    finally:
        probe.close()
    assert seen == want and want[0] != want[1]


def test_run_over_its_memory_limit_is_one_clear_line_and_changes_nothing(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mdm.errors import HubError

    pipeline.run(load_project(project))
    hub = project.parent / "hub.duckdb"
    con = duckdb.connect(str(hub), read_only=True)
    before = con.execute("SELECT count(*), max(run_id) FROM run").fetchone()
    con.close()
    project.write_text(project.read_text(encoding="utf-8") + "memory_limit: 64MB\n", encoding="utf-8")
    (project.parent / "shop.csv").write_text(
        (project.parent / "shop.csv").read_text(encoding="utf-8") + "5,Amy,Poe,,US,2024-02-01\n", encoding="utf-8")
    real_golden = pipeline.build_golden

    def hungry(con: duckdb.DuckDBPyConnection, *a: object, **k: object) -> object:
        # a real DuckDB allocation beyond the 64 MB budget, inside the run's transaction
        con.execute("SELECT list(i ORDER BY i DESC) FROM range(40000000) t(i)").fetchone()
        return real_golden(con, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "build_golden", hungry)
    with pytest.raises(HubError) as info:
        pipeline.run(load_project(project))
    text = str(info.value)
    assert "memory_limit" in text and "mdm.yaml" in text and "\n" not in text
    con = duckdb.connect(str(hub), read_only=True)
    assert con.execute("SELECT count(*), max(run_id) FROM run").fetchone() == before
    assert con.execute("SELECT count(*) FROM record WHERE source_id = '5'").fetchone() == (0,)
    con.close()
