"""``rules/survivorship.yaml`` -> a frozen plan: per attribute (or attribute group) the
ordered strategies, the tie-break, and which form of the value a golden record keeps.

Strategies resolve in this order: the rules file's ``attributes`` entry, then the
dictionary's ``survivorship`` hint, then the rules file's ``default``. Attributes of one
group (the dictionary's ``group:`` key) survive together from one source record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from mdm.config import BUNDLED_SURVIVORSHIP_RULES, Dictionary, _Frozen, parse_model, read_yaml
from mdm.errors import ConfigError

log = logging.getLogger("mdm.survivorship")

Strategy = Literal["steward_override", "validated", "source_priority", "most_recent", "most_complete",
                   "most_frequent", "longest", "earliest", "latest"]
STRATEGIES: tuple[str, ...] = ("steward_override", "validated", "source_priority", "most_recent", "most_complete",
                               "most_frequent", "longest", "earliest", "latest")


class GroupRule(_Frozen):
    strategies: tuple[Strategy, ...]
    attributes: tuple[str, ...] = Field(default=(), description="members; default: the dictionary's group: keys")


class ValueForm(_Frozen):
    default: Literal["standardised", "display"] = "standardised"
    display: tuple[str, ...] = ()
    standardised: tuple[str, ...] = ()


class EvidenceRules(_Frozen):
    """Which attributes pool the evidence of variant spellings (see ``rules/survivorship.yaml``)."""

    typos: tuple[str, ...] = Field(default=(), description="a value one edit from another member's value that "
                                                           "is more common in the data votes for it")
    partial: tuple[str, ...] = Field(default=(), description="a value whose words are all in another member's "
                                                             "longer value votes for it (Medina -> Medina Pérez)")
    nicknames: tuple[str, ...] = Field(default=(), description="a nickname votes for its formal name, which "
                                                               "survives when a member holds it (Cathy -> Catherine)")


class SurvivorshipRules(_Frozen):
    default: tuple[Strategy, ...] = ("steward_override", "validated", "most_recent", "source_priority")
    tie_break: tuple[Strategy, ...] = ("source_priority", "most_recent", "most_complete")
    attributes: dict[str, tuple[Strategy, ...]] = Field(default_factory=dict)
    groups: dict[str, GroupRule] = Field(default_factory=dict)
    value: ValueForm = ValueForm()
    evidence: EvidenceRules = field(default_factory=EvidenceRules)
    path: Path | None = None

    @field_validator("default", "tie_break")
    @classmethod
    def _not_empty(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("list at least one strategy")
        return v


@dataclass(frozen=True)
class Unit:
    """What survives as one: a single attribute, or a group of attributes from one record."""

    name: str
    attributes: tuple[str, ...]
    strategies: tuple[str, ...]  # without steward_override: overrides are applied per attribute, always first
    is_group: bool


@dataclass(frozen=True)
class Plan:
    units: tuple[Unit, ...]
    tie_break: tuple[str, ...]
    display: frozenset[str]
    attributes: tuple[str, ...]
    notes: tuple[str, ...]
    evidence: EvidenceRules = field(default_factory=EvidenceRules)


def load_survivorship_rules(path: Path | None = None) -> SurvivorshipRules:
    path = Path(path) if path is not None else BUNDLED_SURVIVORSHIP_RULES
    return parse_model(SurvivorshipRules, read_yaml(path), path, {"path": path})


def plan(rules: SurvivorshipRules, dictionary: Dictionary, present: set[str] | None = None) -> Plan:
    """Resolve strategies per attribute and group; attributes no loaded source carries
    (``present``) are skipped with a logged note."""
    names = dictionary.names
    where = rules.path or "survivorship rules"
    ev = rules.evidence
    for attr in (list(rules.attributes) + list(rules.value.display) + list(rules.value.standardised)
                 + list(ev.typos) + list(ev.partial) + list(ev.nicknames)):
        if attr not in dictionary.attributes:
            raise ConfigError(f"{where}: attribute {attr!r} is not in the dictionary; add it there or remove it here",
                              code="config.unknown_attribute")
    members: dict[str, list[str]] = {}
    for name in names:
        group = dictionary.attributes[name].group
        if group:
            members.setdefault(group, []).append(name)
    for group, rule in rules.groups.items():
        if rule.attributes:
            unknown = [a for a in rule.attributes if a not in dictionary.attributes]
            if unknown:
                raise ConfigError(f"{where}: group {group!r} lists {unknown[0]!r}, which is not in the dictionary",
                                  code="config.unknown_attribute")
            members[group] = list(rule.attributes)
    notes: list[str] = []
    units: list[Unit] = []
    grouped = {a for attrs in members.values() for a in attrs}

    def strategies(attr: str | None, group: str | None) -> tuple[str, ...]:
        if group is not None and group in rules.groups:
            chosen: tuple[str, ...] = rules.groups[group].strategies
        elif attr is not None and attr in rules.attributes:
            chosen = rules.attributes[attr]
        elif attr is not None and dictionary.attributes[attr].survivorship:
            chosen = dictionary.attributes[attr].survivorship
        else:
            chosen = rules.default
        unknown = [s for s in chosen if s not in STRATEGIES]
        if unknown:
            raise ConfigError(f"{where}: unknown survivorship strategy {unknown[0]!r} for {attr or group}; "
                              f"use one of {', '.join(STRATEGIES)}", code="config.unknown_strategy")
        return tuple(s for s in chosen if s != "steward_override")

    for group, attrs in members.items():
        live = tuple(a for a in attrs if present is None or a in present)
        if not live:
            notes.append(f"group {group} skipped: no loaded source carries {', '.join(attrs)}")
            continue
        first = attrs[0]
        units.append(Unit(group, live, strategies(first if group not in rules.groups else None, group), True))
    for name in names:
        if name in grouped:
            continue
        if present is not None and name not in present:
            notes.append(f"attribute {name} skipped: no loaded source carries it")
            continue
        units.append(Unit(name, (name,), strategies(name, None), False))
    for note in notes:
        log.info(note)
    display = set(rules.value.display) if rules.value.default == "standardised" else (
        set(names) - set(rules.value.standardised))
    return Plan(units=tuple(units), tie_break=tuple(s for s in rules.tie_break if s != "steward_override"),
                display=frozenset(display), attributes=tuple(names), notes=tuple(notes), evidence=rules.evidence)
