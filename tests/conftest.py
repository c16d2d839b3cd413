"""Shared fixtures: the bundled dictionary and small mappings written per test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from mdm.config import Dictionary, SourceMapping, load_dictionary, load_mapping


@pytest.fixture(scope="session")
def dictionary() -> Dictionary:
    return load_dictionary()


@pytest.fixture
def make_mapping(tmp_path: Path, dictionary: Dictionary) -> Callable[..., SourceMapping]:
    """Write a mapping YAML (defaults: source t, id column id) and load it."""

    def make(**overrides: object) -> SourceMapping:
        doc: dict[str, object] = {
            "source": "t", "trust": 50, "id_column": "id", "updated_at_column": "upd",
            "columns": {"first_name": "name", "email": "mail", "birth_date": "dob"},
        }
        doc.update(overrides)
        path = tmp_path / f"mapping-{doc['source']}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        return load_mapping(path, dictionary)

    return make
