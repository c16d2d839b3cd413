"""One raw record standardised as the batch stage would standardise it.

:class:`RecordStandardiser` is what the server hands the real-time matcher (which never
imports this stage): per source the context batch uses, and which sources carry Han-script
names, so a single record is read exactly as a batch row of its source would be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from mdm.config import Dictionary, Project
from mdm.hub.sql import ident
from mdm.standardise.base import Context
from mdm.standardise.chinese_addresses import HAN as _HAN
from mdm.standardise.contexts import HAN_NAMES_SQL, NAME_PARTS, REGIONAL, attribute_context, name_context
from mdm.standardise.registry import STANDARDISERS

_SPACES = re.compile(r"\s+")


# --------------------------------------------------------------------------- standardising one record


def as_text(v: object) -> str | None:
    if v is None:
        return None
    return str(v).lower() if isinstance(v, bool) else str(v)


def _raw(value: Any) -> str | None:
    if value is None:
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    return text or None


def standardise_record(record: Mapping[str, Any], dictionary: Dictionary, context: Context | None = None,
                       *, han_names: bool = False) -> dict[str, Any]:
    """One raw record (attribute -> value) -> the ``record_std`` columns batch would produce.

    Follows :func:`mdm.standardise.stage.standardise`: name parts split from ``full_name``
    stand in for missing first/middle/last names, the record's own valid country decides
    the region of regional standardisers, and each attribute gets ``<attr>``,
    ``<attr>__valid``, ``<attr>__reason`` and ``<attr>__<field>``. Attributes the record
    lacks (or leaves empty) are NULL in every column, as in batch. Unknown keys are ignored.
    Not applied here: ingest validation flags (batch NULLs a value the dictionary's
    validation flagged); real-time matching uses every value the standardiser accepts.
    ``han_names``: the record's source carries Han-script names, so its full name is split
    as batch splits them (:func:`mdm.standardise.contexts.name_context`); so does a record that
    has Han-script names itself.
    """
    base = context or Context(date_formats=dictionary.date_formats)
    raw = {a: _raw(record.get(a)) for a, spec in dictionary.attributes.items() if spec.standardiser}
    out: dict[str, Any] = {}
    region = base.region

    def run(attr: str, value: str | None, reg: str) -> dict[str, Any]:
        spec = STANDARDISERS[dictionary.attributes[attr].standardiser or ""]
        ctx = attribute_context(dictionary, attr, Context(default_region=reg, date_formats=base.date_formats,
                                                          today=base.today))
        res: dict[str, Any] = dict.fromkeys(spec.fields) if value is None else dict(spec.func(value, ctx))
        out[attr] = res.get("value")
        out[f"{attr}__valid"] = None if value is None else bool(res.get("valid"))
        out[f"{attr}__reason"] = res.get("reason")
        for f in spec.fields[3:]:
            out[f"{attr}__{f}"] = as_text(res.get(f))
        return res

    done: set[str] = set()
    full = dictionary.attributes.get("full_name")
    if "full_name" in raw and full is not None and full.standardiser == "full_name":
        han = han_names or any(v is not None and _HAN.search(v) for a, v in raw.items()
                               if dictionary.attributes[a].standardiser in ("full_name", "person_name"))
        parts = run("full_name", raw["full_name"], name_context(base, han).region)
        done.add("full_name")
        for part, attr in NAME_PARTS.items():
            if attr in raw and raw[attr] is None and parts.get(part) is not None:
                raw[attr] = _raw(parts[part])
    country = dictionary.attributes.get("country")
    if "country" in raw and country is not None and country.standardiser == "country":
        res = run("country", raw["country"], base.region)
        done.add("country")
        value = res.get("value")
        if raw["country"] is not None and res.get("valid") and isinstance(value, str) and len(value) == 2:
            region = value
    for attr, value in raw.items():
        if attr in done:
            continue
        std = dictionary.attributes[attr].standardiser or ""
        run(attr, value, region if std in REGIONAL else base.region)
    return out




_NAMES = ("first_name", "middle_name", "last_name", "full_name")


@dataclass(frozen=True)
class RecordStandardiser:
    """``(record, source) -> record_std columns``, as the batch stage reads a row of ``source``."""

    dictionary: Dictionary
    contexts: Mapping[str, Context]
    han_sources: frozenset[str] = frozenset()

    @classmethod
    def for_project(cls, project: Project, con: duckdb.DuckDBPyConnection | None = None) -> RecordStandardiser:
        """The project's sources' contexts; with ``con`` (a hub), also its sources with Han-script names."""
        d = project.dictionary
        contexts = {m.source: Context(default_region=m.default_region, date_formats=m.date_formats or d.date_formats)
                    for m, _ in project.sources}
        han: frozenset[str] = frozenset()
        if con is not None:
            have = {str(r[0]) for r in con.execute("DESCRIBE record_std").fetchall()}
            test = " OR ".join(HAN_NAMES_SQL.format(v=ident(c)) for c in _NAMES if c in have)
            if test:
                han = frozenset(str(r[0]) for r in con.execute(
                    f"SELECT DISTINCT source FROM record_std WHERE {test}").fetchall())
        return cls(dictionary=d, contexts=contexts, han_sources=han)

    def context_for(self, source: str | None) -> Context:
        if source is not None and source in self.contexts:
            return self.contexts[source]
        return Context(date_formats=self.dictionary.date_formats)

    def __call__(self, record: Mapping[str, Any], source: str | None = None) -> dict[str, Any]:
        return standardise_record(record, self.dictionary, self.context_for(source),
                                  han_names=source is not None and source in self.han_sources)
