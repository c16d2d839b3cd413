"""One raw record standardised as the batch stage would standardise it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mdm.config import Dictionary
from mdm.standardise.base import Context
from mdm.standardise.chinese_addresses import HAN as _HAN
from mdm.standardise.contexts import NAME_PARTS, REGIONAL, attribute_context, name_context
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


