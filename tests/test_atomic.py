"""The one atomic writer (issue 17.4): whole new file or the old one, no temporary left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdm.atomic import replacing, write_text


def test_write_text_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.json"
    write_text(target, "one\n")
    assert target.read_text(encoding="utf-8") == "one\n" and target.stat().st_mode & 0o777 == 0o644
    os.chmod(target, 0o600)
    write_text(target, "two\n")
    assert target.read_text(encoding="utf-8") == "two\n" and target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "golden.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer died")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["golden.csv"]
