"""No module of mdm holds more than MAX_LINES lines (issue 17.6): a module that grows past it holds
several things, and is split where they part (as the generator, the API models, the readers, the
standardise stage, the command line and the real-time matcher were)."""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 500
ROOT = Path(__file__).resolve().parents[1] / "mdm"


def test_no_module_is_over_the_limit() -> None:
    sizes = {str(p.relative_to(ROOT.parent)): len(p.read_text(encoding="utf-8").splitlines())
             for p in ROOT.rglob("*.py")}
    assert len(sizes) > 100  # the walk found the package
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}
