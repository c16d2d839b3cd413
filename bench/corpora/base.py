"""A corpus in memory and on disk: sources with rows, their mappings, and the truth.

On disk a corpus folder looks like a new user's project (DESIGN.md 3.3 / 3.4)::

    DIR/mdm.yaml            hub and sources only: the bundled dictionary and rules are used
    DIR/mappings/NAME.yaml  one mapping per source (source, trust, id_column, columns, ...)
    DIR/data/FILE           the source files (CSV, ;-separated, JSON lines, GB18030 ...)
    DIR/truth.csv           source, source_id, entity_id, household_id, unusable
    DIR/truth_entities.csv  entity_id and the entity's true current values (golden correctness)
    DIR/corpus.json         what the generator made (name, seed, sizes)
"""

from __future__ import annotations

import csv
import io
import json
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Corpus", "Source"]


@dataclass
class Source:
    """One source system: rows keyed by its column names; ``entity``/``household`` per row."""

    name: str
    filename: str
    trust: int
    id_column: str
    columns: dict[str, str]  # dictionary attribute -> column
    description: str = ""
    date_formats: list[str] | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    default_region: str | None = None
    extra_columns: list[str] = field(default_factory=list)  # in the file, not mapped
    rows: list[dict[str, Any]] = field(default_factory=list)
    entity: list[str] = field(default_factory=list)
    household: list[str] = field(default_factory=list)

    def add(self, row: dict[str, Any], entity_id: str, household_id: str) -> None:
        self.rows.append(row)
        self.entity.append(entity_id)
        self.household.append(household_id)

    @property
    def fieldnames(self) -> list[str]:
        return [self.id_column, *self.columns.values(), *self.extra_columns]

    def mapping(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"source": self.name, "description": self.description or self.name,
                               "trust": self.trust, "id_column": self.id_column, "encoding": self.encoding}
        if self.date_formats:
            doc["date_formats"] = list(self.date_formats)
        if self.default_region:
            doc["default_region"] = self.default_region
        doc["columns"] = dict(self.columns)
        return doc


@dataclass
class Corpus:
    name: str
    title: str
    seed: int
    sources: list[Source]
    entities: int = 0
    households: int = 0
    notes: dict[str, Any] = field(default_factory=dict)
    #: entity id -> its true current values (dictionary attribute -> value), for golden correctness
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def truth(self, entity_id: str, **attributes: Any) -> None:
        """Record an entity's true current values (None: the entity has none)."""
        self.values[entity_id] = {k: v for k, v in attributes.items() if v is not None}

    def finish(self, rng: random.Random, prefix: dict[str, str] | None = None) -> None:
        """Shuffle each source's rows and give them ids (so duplicates are never neighbours)."""
        for src in self.sources:
            order = list(range(len(src.rows)))
            rng.shuffle(order)
            src.rows = [src.rows[i] for i in order]
            src.entity = [src.entity[i] for i in order]
            src.household = [src.household[i] for i in order]
            start = rng.randint(10_000, 90_000)
            pre = (prefix or {}).get(src.name, "")
            for k, row in enumerate(src.rows):
                row[src.id_column] = f"{pre}{start + k * 7}"

    @property
    def records(self) -> int:
        return sum(len(s.rows) for s in self.sources)

    def write(self, out: Path) -> Path:
        """Write the corpus folder; returns the path of its ``mdm.yaml``."""
        out.mkdir(parents=True, exist_ok=True)
        (out / "data").mkdir(exist_ok=True)
        (out / "mappings").mkdir(exist_ok=True)
        cfg_sources = []
        truth = io.StringIO()
        tw = csv.writer(truth, lineterminator="\n")
        tw.writerow(["source", "source_id", "entity_id", "household_id", "unusable"])
        for src in self.sources:
            path = out / "data" / src.filename
            _write_rows(path, src)
            (out / "mappings" / f"{src.name}.yaml").write_text(
                f"# {src.description or src.name}\n" + yaml.safe_dump(src.mapping(), sort_keys=False,
                                                                        allow_unicode=True), encoding="utf-8")
            cfg_sources.append({"mapping": f"mappings/{src.name}.yaml", "path": f"data/{src.filename}"})
            for row, ent, hh in zip(src.rows, src.entity, src.household, strict=True):
                tw.writerow([src.name, row[src.id_column], ent, hh, ""])
        (out / "mdm.yaml").write_text(
            f"# robustness corpus {self.name}: {self.title}\n"
            + yaml.safe_dump({"hub": "hub/hub.duckdb", "sources": cfg_sources}, sort_keys=False), encoding="utf-8")
        (out / "truth.csv").write_text(truth.getvalue(), encoding="utf-8")
        if self.values:
            attrs = sorted({a for v in self.values.values() for a in v})
            ents = io.StringIO()
            ew = csv.writer(ents, lineterminator="\n")
            ew.writerow(["entity_id", *attrs])
            for ent, v in self.values.items():
                ew.writerow([ent, *(_text(v.get(a)) for a in attrs)])
            (out / "truth_entities.csv").write_text(ents.getvalue(), encoding="utf-8")
        meta = {"corpus": self.name, "title": self.title, "seed": self.seed, "records": self.records,
                "entities": self.entities, "households": self.households,
                "sources": {s.name: len(s.rows) for s in self.sources}, **self.notes}
        (out / "corpus.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return out / "mdm.yaml"


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _write_rows(path: Path, src: Source) -> None:
    names = src.fieldnames
    if path.suffix in (".jsonl", ".ndjson"):
        with path.open("w", encoding=src.encoding, newline="\n") as fh:
            for row in src.rows:  # a missing value is a missing key (mostly) or null, as exporters do
                nulls = zlib.crc32(str(row[src.id_column]).encode()) % 3 == 0
                obj = {k: row.get(k) for k in names if row.get(k) is not None or nulls}
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        return
    with path.open("w", encoding=src.encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=src.delimiter, lineterminator="\r\n" if src.delimiter == ";" else "\n")
        w.writerow(names)
        for row in src.rows:
            w.writerow([_text(row.get(k)) for k in names])
