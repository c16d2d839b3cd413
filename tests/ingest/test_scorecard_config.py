"""Scorecard weights, bands and the gap threshold are data: the dictionary's ``scorecard:`` section.

The bundled section states the calibrated defaults; a changed section changes scores and bands
through the real CLI; a bad value is one config line naming the key, exit 2; repeats only cost the
attributes the dictionary declares unique.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mdm.config import BUNDLED_DICTIONARY, Dictionary, ScorecardSettings, SourceMapping, load_dictionary
from mdm.ingest.scorecard import scorecard
from tests.test_cli import mdm

BUNDLED: dict[str, Any] = yaml.safe_load(BUNDLED_DICTIONARY.read_text(encoding="utf-8"))


def write_dictionary(path: Path, scorecard_section: Any = None, **attribute_changes: dict[str, Any]) -> Path:
    doc = json.loads(json.dumps(BUNDLED, default=str))
    if scorecard_section is None:
        doc.pop("scorecard", None)
    else:
        doc["scorecard"] = scorecard_section
    for name, changes in attribute_changes.items():
        doc["attributes"][name].update(changes)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def one_row(dictionary: Dictionary, mapping: SourceMapping, name: str, *, missing: float = 0.0,
            invalid: float = 0.0, distinct_share: float = 1.0) -> dict[str, Any]:
    attr = {"attribute": name, "count": round(1000 * (1 - missing)), "missing_rate": missing,
            "invalid_rate": invalid, "uniqueness": distinct_share, "duplicate_rate": 1 - distinct_share}
    [row] = [r.as_dict() for r in scorecard({"rows": 1000, "attributes": [attr]}, dictionary, mapping)]
    return row


def test_bundled_section_states_the_defaults(tmp_path: Path) -> None:
    assert "scorecard" in BUNDLED, "the dictionary shows its scorecard settings"
    assert load_dictionary().scorecard == ScorecardSettings()
    without = load_dictionary(write_dictionary(tmp_path / "d.yaml"))
    assert without.scorecard == ScorecardSettings()


def test_weights_bands_and_gap_change_the_score(tmp_path: Path, make_mapping: Callable[..., SourceMapping]) -> None:
    mapping = make_mapping(columns={"first_name": "a", "last_name": "b", "email": "c"})
    unaudited = make_mapping(source="u", updated_at_column=None, columns={"first_name": "a"})
    default = load_dictionary()
    strict = load_dictionary(write_dictionary(tmp_path / "strict.yaml", {
        "weights": {"validity": 2, "governance": 0}, "bands": {"good": 95, "fair": 85}, "gap_threshold": 0.25}))
    # 8% missing: 92, good by default, fair when good starts at 95
    assert one_row(default, mapping, "first_name", missing=0.08)["band"] == "good"
    assert one_row(strict, mapping, "first_name", missing=0.08)["band"] == "fair"
    # validity counts twice as hard: 10% invalid costs 19 points instead of 10
    assert one_row(default, mapping, "first_name", invalid=0.1)["score"] == pytest.approx(90.0)
    assert one_row(strict, mapping, "first_name", invalid=0.1)["score"] == pytest.approx(81.0)
    # governance weight 0: no audit trail costs nothing
    assert one_row(default, unaudited, "first_name")["score"] < 100
    assert one_row(strict, unaudited, "first_name")["score"] == pytest.approx(100.0)
    # a critical attribute 30% missing is a critical gap only under the 25% threshold
    assert default.attributes["last_name"].tier == "critical"
    assert one_row(default, mapping, "last_name", missing=0.3)["band"] != "critical gap"
    gap = one_row(strict, mapping, "last_name", missing=0.3)
    assert gap["band"] == "critical gap" and any(">= 25%" in n for n in gap["notes"])


def test_uniqueness_only_for_attributes_declared_unique(tmp_path: Path, make_mapping: Callable[..., SourceMapping]
                                                        ) -> None:
    declared = {n for n, a in load_dictionary().attributes.items() if a.unique}
    assert declared == {"national_id", "email", "phone"}
    mapping = make_mapping(columns={"email": "c", "state": "s"})
    email_not_unique = load_dictionary(write_dictionary(tmp_path / "d.yaml", None, email={"unique": False}))
    assert one_row(load_dictionary(), mapping, "email", distinct_share=0.8)["uniqueness"] == 0.8
    assert one_row(email_not_unique, mapping, "email", distinct_share=0.8)["uniqueness"] == 1.0
    assert one_row(load_dictionary(), mapping, "state", distinct_share=0.01)["uniqueness"] == 1.0


PROJECT_MAPPING = """source: shop
trust: 60
id_column: id
updated_at_column: upd
columns:
  first_name: name
  email: mail
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "shop.yaml").write_text(PROJECT_MAPPING, encoding="utf-8")
    rows = ["id,name,mail,upd"] + [f"{i},Ann,{'same' if i % 2 else i}@acme.io,2024-01-01" for i in range(1, 21)]
    (tmp_path / "shop.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "mdm.yaml").write_text("hub: hub.duckdb\ndictionary: dict.yaml\n"
                                       "sources:\n  - {mapping: shop.yaml, path: shop.csv}\n", encoding="utf-8")
    return tmp_path


def test_profile_through_the_cli_follows_the_dictionary(project: Path) -> None:
    write_dictionary(project / "dict.yaml", {"bands": {"good": 99.5, "fair": 40}})
    res = mdm("profile", "shop.csv", "--source", "shop", cwd=project)
    assert res.returncode == 0, res.stderr
    rows = {r["attribute"]: r for r in json.loads(res.stdout)["scorecard"]}
    # ten of twenty e-mails are one repeated address: e-mail is declared unique, the name is not
    assert rows["email"]["uniqueness"] == pytest.approx(11 / 20) and rows["email"]["band"] == "fair"
    assert rows["first_name"]["uniqueness"] == 1.0 and rows["first_name"]["band"] == "good"
    res = mdm("profile", "shop.csv", "--source", "shop", "--out", "r.html", cwd=project)
    assert res.returncode == 0, res.stderr
    html = (project / "r.html").read_text(encoding="utf-8")
    assert "good (≥ 99.5)" in html and "poor (&lt; 40)" in html, "the legend shows the dictionary's bands"


@pytest.mark.parametrize(("section", "fragments"), [
    ({"bands": {"good": 60, "fair": 70}}, ["scorecard.bands", "good (60) must be above fair (70)"]),
    ({"bands": {"excellent": 95}}, ["scorecard.bands.excellent", "not allowed", "allowed: fair, good"]),
    ({"weights": {"validity": -1}}, ["scorecard.weights.validity", "-1"]),
    ({"weights": {"governance": "high"}}, ["scorecard.weights.governance", "'high'"]),
    ({"gap_threshold": 1.5}, ["scorecard.gap_threshold", "1.5"]),
    ({"gap_treshold": 0.4}, ["scorecard.gap_treshold", "did you mean 'gap_threshold'"]),
])
def test_a_bad_scorecard_value_is_one_config_line(project: Path, section: dict[str, Any],
                                                  fragments: list[str]) -> None:
    write_dictionary(project / "dict.yaml", section)
    res = mdm("profile", "shop.csv", "--source", "shop", cwd=project)
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "dict.yaml" in lines[0] and all(f in lines[0] for f in fragments), lines[0]
