"""Config models: every bad file is one clear line naming file, key, expectation and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdm.config import load_dictionary, load_mapping, load_project
from mdm.errors import ConfigError

GOOD_MAPPING = """source: crm
trust: 90
id_column: CustomerID
updated_at_column: Modified
encoding: auto
columns:
  first_name: FirstName
  email: Email
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_dictionary_has_contract_attributes() -> None:
    d = load_dictionary()
    expected = ["first_name", "middle_name", "last_name", "full_name", "birth_date", "gender", "national_id",
                "email", "phone", "street_address", "address_line2", "city", "state", "postal_code", "country",
                "company_name", "job_title"]
    assert d.names == expected
    for name, attr in d.attributes.items():
        assert attr.tier in {"critical", "operational", "enrichment"}, name
        assert attr.owner, name
        assert attr.description, name
        assert 0 <= attr.decay_rate_monthly < 0.1, name
        assert attr.decay_basis, f"{name} must say where its decay rate comes from"


def test_models_are_frozen() -> None:
    d = load_dictionary()
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen assignment
        d.attributes["email"].tier = "enrichment"  # type: ignore[misc]


def test_good_mapping_loads(tmp_path: Path) -> None:
    m = load_mapping(write(tmp_path, "crm.yaml", GOOD_MAPPING), load_dictionary())
    assert m.source == "crm" and m.trust == 90 and m.columns["email"] == "Email"
    assert m.quarantine_tolerance == 0.05 and m.default_region == "US"


@pytest.mark.parametrize(
    ("text", "code", "fragments"),
    [
        (GOOD_MAPPING.replace("trust:", "trsut:"), "config.unknown_key",
         ["key 'trsut' is not allowed", "did you mean 'trust'", "remove or rename"]),
        (GOOD_MAPPING.replace("trust: 90", "trust: 120"), "config.invalid_value",
         ["key 'trust'", "120", "less than or equal to 100"]),
        (GOOD_MAPPING.replace("id_column: CustomerID\n", ""), "config.missing_key",
         ["key 'id_column' is required", "add it"]),
        (GOOD_MAPPING.replace("first_name: FirstName", "frist_name: FirstName"), "config.unknown_attribute",
         ["columns.frist_name", "did you mean 'first_name'", "not an attribute"]),
        (GOOD_MAPPING.replace("encoding: auto", "encoding: klingon"), "config.invalid_value",
         ["key 'encoding'", "unknown encoding"]),
        (GOOD_MAPPING + "  last_name: Email\n", "config.invalid_value", ["maps column(s) ['Email']"]),
        ("source: crm\ntrust: [90\n", "config.yaml_syntax", ["invalid YAML at line"]),
        ("- just\n- a list\n", "config.invalid_value", ["expected a mapping"]),
    ],
)
def test_bad_mapping_is_one_clear_line(tmp_path: Path, text: str, code: str, fragments: list[str]) -> None:
    path = write(tmp_path, "sources/crm.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_mapping(path, load_dictionary())
    msg = info.value.message
    assert info.value.code == code
    assert "\n" not in msg
    assert str(path) in msg
    for frag in fragments:
        assert frag in msg


def test_unknown_key_in_dictionary_attribute_suggests_fix(tmp_path: Path) -> None:
    text = """attributes:
  email:
    type: string
    description: e-mail
    tier: critical
    decay_rate_monthly: 0.02
    validaton: {format: email}
"""
    with pytest.raises(ConfigError) as info:
        load_dictionary(write(tmp_path, "d.yaml", text))
    assert "attributes.email.validaton" in info.value.message
    assert "did you mean 'validation'" in info.value.message


def test_dictionary_bad_tier_and_bad_pattern(tmp_path: Path) -> None:
    base = "attributes:\n  email:\n    description: e\n    decay_rate_monthly: 0.1\n"
    with pytest.raises(ConfigError, match="tier"):
        load_dictionary(write(tmp_path, "a.yaml", base + "    tier: vital\n"))
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        load_dictionary(write(tmp_path, "b.yaml", base + "    tier: critical\n    validation: {pattern: '(['}\n"))


def test_dictionary_rule_must_name_known_attributes(tmp_path: Path) -> None:
    text = """attributes:
  birth_date: {description: d, tier: critical, decay_rate_monthly: 0}
rules:
  - {code: x, left: brith_date, op: "<=", right: updated_at, message: m}
"""
    with pytest.raises(ConfigError, match="did you mean 'birth_date'"):
        load_dictionary(write(tmp_path, "d.yaml", text))


def test_project_resolves_relative_paths_and_defaults(tmp_path: Path) -> None:
    write(tmp_path, "maps/crm.yaml", GOOD_MAPPING)
    cfg = write(tmp_path, "proj/../mdm.yaml", "hub: data/hub.duckdb\nsources:\n  - mapping: maps/crm.yaml\n"
                "    path: data/crm.csv\n")
    project = load_project(cfg)
    assert project.hub == tmp_path / "data" / "hub.duckdb"
    assert project.sources[0][1] == tmp_path / "data" / "crm.csv"
    assert project.dictionary.names[0] == "first_name"  # bundled default used
    assert project.match_rules.name == "match.yaml"


def test_project_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_project(tmp_path / "nope.yaml")
    cfg = write(tmp_path, "mdm.yaml", "hub: x.duckdb\nsorces: []\n")
    with pytest.raises(ConfigError, match="did you mean 'sources'"):
        load_project(cfg)
    write(tmp_path, "a.yaml", GOOD_MAPPING)
    cfg = write(tmp_path, "mdm2.yaml",
                "sources:\n  - {mapping: a.yaml, path: a.csv}\n  - {mapping: a.yaml, path: b.csv}\n")
    with pytest.raises(ConfigError, match="names source 'crm' a second time"):
        load_project(cfg)
    project = load_project(write(tmp_path, "mdm3.yaml", "sources:\n  - {mapping: a.yaml, path: a.csv}\n"))
    with pytest.raises(ConfigError, match="did you mean 'crm'"):
        project.source("crn")


def test_project_memory_limit_is_checked_and_reaches_the_hub(tmp_path: Path) -> None:
    from mdm.hub import open_hub

    project = load_project(write(tmp_path, "mdm.yaml", "hub: h.duckdb\nmemory_limit: 700MB\n"))
    assert project.memory_limit == "700MB"
    with open_hub(project.hub, memory_limit=project.memory_limit) as hub:
        row = hub.con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert row is not None and row[0].replace(" ", "").upper() in ("700.0MB", "667.5MIB", "667.5MB")
    with pytest.raises(ConfigError) as info:
        load_project(write(tmp_path, "bad.yaml", "hub: h.duckdb\nmemory_limit: lots\n"))
    assert "memory_limit" in str(info.value) and "\n" not in str(info.value)
