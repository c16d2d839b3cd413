"""The saved Splink model as code: gammas, weights and bands for one record against its candidates."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mdm.hub.sql import ident
from mdm.match.predict import level_labels
from mdm.match.realtime.keys import RealtimeError
from mdm.match.rules import Thresholds

# --------------------------------------------------------------------------- the saved model as code


@dataclass(frozen=True)
class _Level:
    gamma: int
    label: str
    condition: str
    weight: float  # log2(m/u); 0 for the null level
    bayes_factor: float
    tf_column: str | None = None
    tf_weight: float = 1.0
    tf_min_u: float = 0.0
    tf_u_exact: float = 1.0


@dataclass(frozen=True)
class _Comparison:
    name: str
    levels: tuple[_Level, ...]  # in settings order (null level first)

    def level(self, gamma: int) -> _Level:
        for lv in self.levels:
            if lv.gamma == gamma:
                return lv
        raise KeyError(gamma)


_EXACT = re.compile(r'^\s*"?([A-Za-z_][A-Za-z0-9_]*)_l"?\s*=\s*"?([A-Za-z_][A-Za-z0-9_]*)_r"?\s*$')


def _exact_column(condition: str) -> str | None:
    m = _EXACT.match(condition)
    return m.group(1) if m and m.group(1) == m.group(2) else None


class ScoringModel:
    """A saved Splink model compiled once into a gamma query and weight tables."""

    def __init__(self, settings: dict[str, Any]) -> None:
        prior = float(settings["probability_two_random_records_match"])
        self.prior_bf = prior / (1 - prior)
        self.prior_weight = math.log2(self.prior_bf)
        labels = level_labels(settings)
        comps: list[_Comparison] = []
        for comp in settings["comparisons"]:
            name = comp["output_column_name"]
            raw_levels = comp["comparison_levels"]
            counter = sum(1 for lv in raw_levels if not lv.get("is_null_level")) - 1
            exact_u = {c: float(lv["u_probability"]) for lv in raw_levels if not lv.get("is_null_level")
                       and (c := _exact_column(lv["sql_condition"])) is not None}
            levels: list[_Level] = []
            for lv in raw_levels:
                if lv.get("is_null_level"):
                    gamma, weight, bf = -1, 0.0, 1.0
                else:
                    gamma = counter
                    counter -= 1
                    m, u = float(lv["m_probability"]), float(lv["u_probability"])
                    bf = m / u
                    weight = math.log2(bf)
                tf_col = lv.get("tf_adjustment_column")
                tf_weight = float(lv.get("tf_adjustment_weight", 1.0))
                use_tf = bool(tf_col) and gamma != -1 and tf_weight != 0 and lv["sql_condition"] != "ELSE"
                if use_tf and tf_col not in exact_u:
                    raise RealtimeError(f"comparison {name}: term-frequency column {tf_col} has no exact level")
                levels.append(_Level(
                    gamma=gamma, label=labels[name][gamma], condition=lv["sql_condition"], weight=weight,
                    bayes_factor=bf, tf_column=tf_col if use_tf else None, tf_weight=tf_weight,
                    tf_min_u=float(lv.get("tf_minimum_u_value", 0.0)),
                    tf_u_exact=exact_u.get(tf_col, 1.0) if use_tf and tf_col else 1.0))
            comps.append(_Comparison(name=name, levels=tuple(levels)))
        self.comparisons = tuple(comps)
        self.tf_columns = sorted({lv.tf_column for c in comps for lv in c.levels if lv.tf_column})

    def gamma_sql(self, table: str) -> str:
        """``SELECT unique_id_r, gamma_<comparison>...`` over ``table`` (columns ``<col>_l``, ``<col>_r``)."""
        cols = ["unique_id_r"]
        for comp in self.comparisons:
            whens = []
            for lv in comp.levels:
                if lv.condition.strip().upper() == "ELSE":
                    whens.append(f"ELSE {lv.gamma}")
                else:
                    whens.append(f"WHEN {lv.condition} THEN {lv.gamma}")
            cols.append(f"CASE {' '.join(whens)} END AS {ident('gamma_' + comp.name)}")
        return f"SELECT {', '.join(cols)} FROM {table}"

    def weigh(self, gammas: Sequence[int], tf: Mapping[str, float | None]
              ) -> tuple[float, list[dict[str, Any]]]:
        """Match weight and explanation (prior first) for one pair's gammas.

        ``tf``: term frequency of the incoming record's value per tf column (None: unknown).
        """
        total = self.prior_weight
        expl: list[dict[str, Any]] = [{"comparison": "prior", "level": "prior", "gamma": None,
                                       "bayes_factor": self.prior_bf, "weight": self.prior_weight}]
        for comp, gamma in zip(self.comparisons, gammas, strict=True):
            lv = comp.level(int(gamma))
            weight = lv.weight
            if lv.tf_column is not None:
                freq = tf.get(lv.tf_column)
                if freq is not None:
                    weight += lv.tf_weight * (math.log2(lv.tf_u_exact) - math.log2(max(freq, lv.tf_min_u)))
            total += weight
            expl.append({"comparison": comp.name, "level": lv.label, "gamma": int(gamma),
                         "bayes_factor": 2.0 ** weight, "weight": weight})
        return total, expl


def probability(weight: float) -> float:
    """Splink's match probability from a match weight (overflow-safe)."""
    if weight >= 0:
        return float(1.0 / (1.0 + math.pow(2.0, -weight)))
    bf = math.pow(2.0, weight)
    return float(bf / (1.0 + bf))


def band(p: float, thresholds: Thresholds) -> str:
    low, high = thresholds.review
    if p >= thresholds.auto_match:
        return "match"
    if low <= p < high:
        return "review"
    return "low"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Candidate:
    """One hub record scored against the incoming record."""

    unique_id: str
    golden_id: str | None
    match_weight: float
    match_probability: float
    band: str
    explanation: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"unique_id": self.unique_id, "golden_id": self.golden_id, "match_weight": self.match_weight,
                "match_probability": self.match_probability, "band": self.band, "explanation": self.explanation}


@dataclass(frozen=True)
class GoldenCandidate:
    """A golden record, scored by its best-matching member."""

    golden_id: str
    match_weight: float
    match_probability: float
    band: str
    best_unique_id: str
    members_matched: list[str]
    explanation: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"golden_id": self.golden_id, "match_probability": self.match_probability,
                "match_weight": self.match_weight, "band": self.band, "best_unique_id": self.best_unique_id,
                "members_matched": self.members_matched, "explanation": self.explanation}


@dataclass
class MatchResult:
    """Ranked candidates, best first: per golden record and per source record."""

    goldens: list[GoldenCandidate]
    records: list[Candidate]
    candidates_found: int  # records sharing at least one blocking key
    candidates_scored: int  # after the cap
    standardised: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"candidates": [g.to_dict() for g in self.goldens],
                "records": [c.to_dict() for c in self.records],
                "candidates_found": self.candidates_found, "candidates_scored": self.candidates_scored}


@dataclass(frozen=True)
class Decision:
    """Search-before-create: what ``POST /records`` does with the incoming record."""

    action: Literal["attach", "review", "create"]
    golden_id: str | None  # attach: the golden record to join; review: the candidate to review against
    candidate: GoldenCandidate | None


def decide(result: MatchResult, thresholds: Thresholds) -> Decision:
    """Attach at and above ``auto_match``, review inside the review band, else create."""
    best = result.goldens[0] if result.goldens else None
    if best is None:
        return Decision("create", None, None)
    if best.match_probability >= thresholds.auto_match:
        return Decision("attach", best.golden_id, best)
    low, high = thresholds.review
    if low <= best.match_probability < high:
        return Decision("review", best.golden_id, best)
    return Decision("create", None, None)


