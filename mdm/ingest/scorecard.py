"""Quality scorecard: one 0-100 score per attribute per source, following the dictionary's tiers.

score = 100 x (0.35 completeness + 0.35 validity + 0.10 uniqueness + 0.20 governance)

* completeness = 1 - missing rate (null or blank);
* validity     = 1 - invalid rate among present values;
* uniqueness   = distinct / present for attributes the dictionary marks ``unique``
  (identifiers such as email, national id), 1 otherwise: a repeated first name is not a defect;
* governance   = share of {has an owner, has validation rules, has an audit trail
  (the source maps ``updated_at_column``)}.

An attribute with >= 40% missing or invalid values is a *candidate for retirement*
unless its tier is ``critical`` (then it is flagged as a critical gap instead).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mdm.config import Dictionary, SourceMapping

RETIREMENT_THRESHOLD = 0.40
WEIGHTS = {"completeness": 0.35, "validity": 0.35, "uniqueness": 0.10, "governance": 0.20}


@dataclass(frozen=True)
class ScoreRow:
    source: str
    attribute: str
    tier: str
    rows: int
    missing_rate: float
    invalid_rate: float
    duplicate_rate: float
    completeness: float
    validity: float
    uniqueness: float
    governance: float
    score: float
    retirement_candidate: bool
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["notes"] = list(self.notes)
        return d


def scorecard(profile: dict[str, Any], dictionary: Dictionary, mapping: SourceMapping) -> list[ScoreRow]:
    """Score every attribute of the dictionary for one source's profile.

    Only attributes the source maps are scored: an attribute a source never carries is
    not a defect of that source (the profile lists what each source provides).
    """
    by_attr = {a["attribute"]: a for a in profile["attributes"]}
    rows = int(profile["rows"])
    out: list[ScoreRow] = []
    for name, attr in dictionary.attributes.items():
        p = by_attr.get(name)
        if p is None:
            continue
        notes: list[str] = []
        missing, invalid, dup = float(p["missing_rate"]), float(p["invalid_rate"]), float(p["duplicate_rate"])
        completeness = 1.0 - missing
        validity = 1.0 - invalid
        uniqueness = float(p["uniqueness"]) if (attr.unique and p["count"]) else 1.0
        if attr.unique and dup > 0:
            notes.append(f"{dup:.1%} of values repeat although they should identify one customer")
        gov_parts = [attr.owner is not None, attr.validation.has_rules, mapping.updated_at_column is not None]
        governance = sum(gov_parts) / len(gov_parts)
        if attr.owner is None:
            notes.append("no owner")
        if not attr.validation.has_rules:
            notes.append("no validation rules")
        if mapping.updated_at_column is None:
            notes.append("no audit trail (updated_at not mapped)")
        score = 100 * (WEIGHTS["completeness"] * completeness + WEIGHTS["validity"] * validity
                       + WEIGHTS["uniqueness"] * uniqueness + WEIGHTS["governance"] * governance)
        weak = missing >= RETIREMENT_THRESHOLD or invalid >= RETIREMENT_THRESHOLD
        retire = weak and attr.tier != "critical"
        if weak and attr.tier == "critical":
            notes.append("critical attribute with >= 40% missing or invalid values: fix at the source")
        elif retire:
            notes.append("candidate for retirement: >= 40% missing or invalid")
        out.append(ScoreRow(
            source=mapping.source, attribute=name, tier=attr.tier, rows=rows,
            missing_rate=round(missing, 6), invalid_rate=round(invalid, 6), duplicate_rate=round(dup, 6),
            completeness=round(completeness, 6), validity=round(validity, 6), uniqueness=round(uniqueness, 6),
            governance=round(governance, 6), score=round(score, 2), retirement_candidate=retire, notes=tuple(notes),
        ))
    return out
