"""The golden-correctness benchmark measures what it says: on a generated hub with known truth,
correct <= reachable, the ratio is correct over reachable, and a golden value broken on purpose
counts as wrong (issue 16.4)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.golden_quality import measure_hub, run_pipeline, summary
from mdm.demo.generator import generate


@pytest.fixture(scope="module")
def measured_hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("gq-data")
    generate(data, n_records=1500, seed=11)
    work = tmp_path_factory.mktemp("gq-work")
    run_pipeline(data, work)
    return data, work / "hub.duckdb"


def test_figures_are_shares_and_the_truth_survives_where_a_member_holds_it(measured_hub: tuple[Path, Path]) -> None:
    data, hub = measured_hub
    con = duckdb.connect(str(hub))
    try:
        figures = measure_hub(con, data)
    finally:
        con.close()
    for a in ("first_name", "last_name", "email", "phone", "postal_code", "birth_date"):
        f = figures[a]
        assert f["golden_records"] > 100, a
        assert 0 < f["correct"] <= f["reachable"] <= 1, (a, f)
        assert f["ratio"] >= 0.9, (a, f)   # 1,500 records: survivorship finds the truth where a member has it
        assert 0 <= f["baseline_most_recent_most_trusted"]["correct"] <= 1
    assert summary(figures)["worst_target_ratio"] is not None


def test_a_broken_golden_value_counts_as_wrong(measured_hub: tuple[Path, Path], tmp_path: Path) -> None:
    data, hub = measured_hub
    copy = tmp_path / "hub.duckdb"
    copy.write_bytes(hub.read_bytes())
    con = duckdb.connect(str(copy))
    try:
        before = measure_hub(con, data)["email"]
        con.execute("""UPDATE golden SET record = json_merge_patch(record, '{"email": "nobody@example.invalid"}')
                       WHERE golden_id IN (SELECT golden_id FROM golden WHERE status = 'active'
                                           AND json_extract_string(record, '$.email') IS NOT NULL
                                           ORDER BY golden_id LIMIT 50)""")
        after = measure_hub(con, data)["email"]
    finally:
        con.close()
    assert after["golden_records"] == before["golden_records"]
    assert after["correct"] < before["correct"] and after["ratio"] < before["ratio"]
