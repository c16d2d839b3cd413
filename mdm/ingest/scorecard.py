"""Quality scorecard: one 0-100 score per attribute per source, following the dictionary's tiers.

score = 100 x completeness^wc x validity^wv x (1 - wg x (1 - governance)) x uniqueness^wu

* completeness = 1 - missing rate (null or blank);
* validity     = 1 - invalid rate among present values; completeness x validity is the share of rows
  with a present, valid value, the thing a user of the attribute gets (85% missing is a score of at
  most 15, never "fair");
* governance   = share of {has an owner, has validation rules, has an audit trail (the source maps
  ``updated_at_column``)}; it only takes points away (at most wg of the score), so a well-governed
  empty attribute is not lifted to "fair";
* uniqueness   = distinct / present only for attributes the dictionary marks ``unique``
  (identifiers: national id, e-mail, phone), 1 otherwise: a repeated gender is not a defect.

The weights (wc, wv, wu, wg), the bands (good, fair; poor below) and the gap threshold are data: the
dictionary's ``scorecard:`` section (:class:`mdm.config.ScorecardSettings`, defaults wc = wv = wu = 1,
wg = 0.2, good >= 90, fair >= 70, gap 40%). A ``critical`` attribute with at least the gap threshold
of missing or invalid values is a *critical gap* whatever its score, any other such attribute a
*candidate for retirement*.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mdm.config import Dictionary, ScorecardSettings, SourceMapping

CRITICAL_GAP = "critical gap"
DEFAULT_SETTINGS = ScorecardSettings()


def band_of(score: float, *, critical_gap: bool = False, settings: ScorecardSettings = DEFAULT_SETTINGS) -> str:
    """The band of a 0-100 score; a critical attribute with a gap is a critical gap at any score."""
    if critical_gap:
        return CRITICAL_GAP
    return settings.bands.band(score)


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
    band: str = ""

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
    settings = dictionary.scorecard
    w, gap = settings.weights, settings.gap_threshold
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
        score = (100 * completeness ** w.completeness * validity ** w.validity
                 * (1 - w.governance * (1 - governance)) * uniqueness ** w.uniqueness)
        weak = missing >= gap or invalid >= gap
        retire = weak and attr.tier != "critical"
        if weak and attr.tier == "critical":
            notes.append(f"critical attribute with >= {gap:.0%} missing or invalid values: fix at the source")
        elif retire:
            notes.append(f"candidate for retirement: >= {gap:.0%} missing or invalid")
        out.append(ScoreRow(
            source=mapping.source, attribute=name, tier=attr.tier, rows=rows,
            missing_rate=round(missing, 6), invalid_rate=round(invalid, 6), duplicate_rate=round(dup, 6),
            completeness=round(completeness, 6), validity=round(validity, 6), uniqueness=round(uniqueness, 6),
            governance=round(governance, 6), score=round(score, 2), retirement_candidate=retire, notes=tuple(notes),
            band=band_of(score, critical_gap=weak and attr.tier == "critical", settings=settings),
        ))
    return out
