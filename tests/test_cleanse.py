"""mdm cleanse: one legacy file, a throwaway hub, reconciled and deterministic output."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mdm.config import BUNDLED_ROOT, load_dictionary, load_mapping
from mdm.demo.generator import generate

LEGACY_MAPPING = BUNDLED_ROOT / "dictionary" / "sources" / "legacy.yaml"


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("legacy")
    return generate(folder, n_records=1500, seed=5).sources["legacy"]


def cleanse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mdm", "cleanse", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_cleanse_reconciles_and_is_deterministic(legacy: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        res = cleanse(str(legacy), "--mapping", str(LEGACY_MAPPING), "--out", str(out))
        assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in first.iterdir())
    assert names == ["golden.csv", "quarantine.csv", "reconciliation.json", "report.html", "xref.csv"]
    for name in names:   # same input, same bytes
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    recon = json.loads((first / "reconciliation.json").read_text(encoding="utf-8"))
    with (first / "xref.csv").open(encoding="utf-8") as fh:
        xref = list(csv.DictReader(fh))
    with (first / "quarantine.csv").open(encoding="utf-8") as fh:
        quarantine = list(csv.DictReader(fh))
    with (first / "golden.csv").open(encoding="utf-8") as fh:
        golden = list(csv.DictReader(fh))
    with legacy.open(encoding="gb18030") as fh:
        rows_in = sum(1 for _ in csv.reader(fh, delimiter="\t" if legacy.suffix == ".tsv" else ",")) - 1
    assert recon["rows_in"] == rows_in == len(xref) + len(quarantine)
    assert recon["balanced"] and recon["golden_records"] == len(golden) == len({r["golden_id"] for r in xref})
    assert recon["duplicates_merged"] == len(xref) - len(golden) > 0
    assert all(r["reason_codes"] for r in quarantine)


def test_cleanse_errors_are_one_line_and_write_nothing(legacy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = cleanse(str(tmp_path / "missing.csv"), "--mapping", str(LEGACY_MAPPING), "--out", str(out))
    assert res.returncode == 2 and "no such file" in res.stderr and res.stderr.count("\n") == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: legacy\ntrust: 30\ncolumns: [oops\n", encoding="utf-8")
    res = cleanse(str(legacy), "--mapping", str(bad), "--out", str(out))
    assert res.returncode == 2 and "bad.yaml" in res.stderr and res.stderr.count("\n") == 1
    assert not out.exists()


def test_cleanse_reports_quality_before_and_after(legacy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = cleanse(str(legacy), "--mapping", str(LEGACY_MAPPING), "--out", str(out))
    assert res.returncode == 0, res.stderr
    recon = json.loads((out / "reconciliation.json").read_text(encoding="utf-8"))
    quality = {q["attribute"]: q for q in recon["quality"]}
    mapped = set(load_mapping(LEGACY_MAPPING, load_dictionary()).columns)
    assert set(quality) == mapped, "one line per attribute the legacy file maps"
    assert all(0 <= q["before"] <= 100 and 0 <= q["after"] <= 100 and q["before_band"] and q["after_band"]
               for q in quality.values())
    # survivorship keeps a member's valid phone over another's junk, so the golden file is not worse
    assert quality["phone"]["after"] >= quality["phone"]["before"]
    assert sum(q["after"] for q in quality.values()) >= sum(q["before"] for q in quality.values())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="before-after"' in html
    assert all(f'<tr data-attribute="{a}">' in html for a in quality)
