"""Survivorship: golden records with per-attribute lineage, stable golden ids, the
cross-reference and change events (see :mod:`mdm.survivorship.golden`)."""

from __future__ import annotations

from mdm.survivorship.golden import append_events, build_golden
from mdm.survivorship.read import golden_as_of, lookup_xref, resolve_golden_id
from mdm.survivorship.rules import SurvivorshipRules, load_survivorship_rules

__all__ = ["SurvivorshipRules", "append_events", "build_golden", "golden_as_of", "load_survivorship_rules",
           "lookup_xref", "resolve_golden_id"]
