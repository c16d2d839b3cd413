"""Domain errors map to HTTP statuses in one table; the waterfall's geometry adds up; the
hub's write lock turns into a clear 'busy' error instead of a pile-up."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from steward_data import EXPLANATION

from mdm.errors import ConfigError, ConflictError, HubBusyError, HubError, InputError, MdmError, NotFoundError
from mdm.stewardship.errors import AuthenticationError, CsrfError, PermissionDeniedError, status_of
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.ui import waterfall


@pytest.mark.parametrize("error, status", [
    (AuthenticationError("x"), 401), (PermissionDeniedError("x"), 403), (CsrfError("x"), 403),
    (NotFoundError("x"), 404), (ConflictError("x"), 409), (InputError("x"), 422), (HubBusyError("x"), 503),
    (HubError("x"), 503), (ConfigError("x"), 500), (MdmError("x"), 400),
])
def test_status_of_domain_errors(error: MdmError, status: int) -> None:
    assert status_of(error) == status


def test_waterfall_runs_from_the_prior_to_the_total() -> None:
    chart = waterfall.build(EXPLANATION)
    assert [b.comparison for b in chart.bars] == ["prior", "first_name", "email", "phone", "match weight"]
    assert [b.kind for b in chart.bars] == ["prior", "up", "down", "up", "total"]
    assert chart.total == pytest.approx(0.0) and chart.probability == pytest.approx(0.5)
    for a, b in zip(chart.bars[:-2], chart.bars[1:-1], strict=True):
        assert b.start == pytest.approx(a.end), "each bar starts where the last one ended"
    widths = {b.comparison: b.width for b in chart.bars}
    assert widths["prior"] / widths["first_name"] == pytest.approx(8 / 5, rel=0.02), "bars are to scale"
    assert all(b.x >= waterfall.LABEL_WIDTH for b in chart.bars)
    assert all(b.x + b.width <= waterfall.LABEL_WIDTH + waterfall.CHART_WIDTH + 1.6 for b in chart.bars)


def test_waterfall_copes_with_missing_and_odd_weights() -> None:
    chart = waterfall.build([{"comparison": "prior", "weight": None}, {"comparison": "x", "weight": math.inf}])
    assert chart.total == 0.0 and len(chart.bars) == 3
    assert waterfall.build([]).bars[0].kind == "total"


def test_writer_gives_up_with_hub_busy_while_a_run_holds_the_lock(tmp_path: Path) -> None:
    access = HubAccess.open(tmp_path / "hub.duckdb")
    access.write_timeout = 0.05
    try:
        with access.write_lock, pytest.raises(HubBusyError, match="pipeline run"), access.writer():
            pass
        with access.writer() as cur:
            cur.execute("CREATE TABLE t (x INT)")
        with pytest.raises(RuntimeError), access.writer() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
        with access.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM t").fetchone() == (0,), "a failed write leaves nothing"
    finally:
        access.close()
