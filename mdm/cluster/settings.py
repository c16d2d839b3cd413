"""Clustering settings: thresholds and switches, validated once, injected into the stage."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mdm.errors import ConfigError

__all__ = ["WEAK_BRIDGE_ODDS_FACTOR", "ClusterSettings"]

#: a bridge is weak when its match odds are below this multiple of the auto-match odds
WEAK_BRIDGE_ODDS_FACTOR = 10.0


@dataclass(frozen=True)
class ClusterSettings:
    """How pairwise predictions become clusters.

    ``auto_match_probability``: pairs at or above it are edges (the "auto match" band);
    pairs below are ignored here (the review band is the matcher's business).

    ``weak_bridges`` / ``weak_bridge_probability`` / ``weak_bridge_min_side``: an edge below
    the weak-bridge probability whose removal splits its cluster into two parts of at
    least ``weak_bridge_min_side`` records each is cut. Left at ``None`` the probability
    is derived from the auto-match threshold: odds ten times higher (0.95 -> 0.9948,
    0.99 -> 0.9990), i.e. "an edge that only just made the auto-match band".

    ``national_id_typos`` / ``birth_date_typos``: tolerate one-keystroke differences
    (see :mod:`mdm.cluster.identifiers`) instead of treating every difference as a
    conflict. ``split_on_national_id`` / ``split_on_birth_date`` turn those checks off.

    ``weigh_conflicts``: two groups whose identifiers conflict are still joined when the
    model's evidence across them favours it: the sum, over their scored record pairs and
    their conflicting ones, of each pair's match weight minus the cut-off's, is positive.
    A conflicting pair the model did not score counts as scored at
    ``unscored_conflict_probability`` (the keep threshold below which predictions are
    dropped). Off: every conflict splits, as a veto.

    ``max_cluster_size``: clusters larger than this are flagged for steward review
    (not split).
    """

    auto_match_probability: float = 0.95
    max_cluster_size: int = 10
    weak_bridges: bool = True
    weak_bridge_probability: float | None = None
    weak_bridge_min_side: int = 2
    split_on_national_id: bool = True
    split_on_birth_date: bool = True
    national_id_typos: bool = True
    birth_date_typos: bool = True
    weigh_conflicts: bool = True
    unscored_conflict_probability: float = 0.01

    def __post_init__(self) -> None:
        _probability("auto_match_probability", self.auto_match_probability)
        if self.weak_bridge_probability is not None:
            _probability("weak_bridge_probability", self.weak_bridge_probability)
        if not 0.0 < self.unscored_conflict_probability < 1.0:
            raise ConfigError(f"cluster setting unscored_conflict_probability must be in (0, 1), got "
                              f"{self.unscored_conflict_probability!r}; e.g. 0.01")
        if self.max_cluster_size < 1:
            raise ConfigError(f"cluster setting max_cluster_size must be >= 1, got {self.max_cluster_size}; "
                              "use e.g. 10 to flag clusters of more than ten records")
        if self.weak_bridge_min_side < 1:
            raise ConfigError(f"cluster setting weak_bridge_min_side must be >= 1, got {self.weak_bridge_min_side}; "
                              "use 2 to cut only bridges between groups of two or more records")


    @property
    def weak_bridge_cutoff(self) -> float | None:
        """The probability below which a bridge is weak, or ``None`` when weak bridges are kept."""
        if not self.weak_bridges:
            return None
        if self.weak_bridge_probability is not None:
            return self.weak_bridge_probability
        p = self.auto_match_probability
        if p >= 1.0:
            return 1.0
        odds = WEAK_BRIDGE_ODDS_FACTOR * p / (1.0 - p)
        return odds / (1.0 + odds)


def _probability(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and 0.0 < value <= 1.0):
        raise ConfigError(f"cluster setting {name} must be a probability in (0, 1], got {value!r}; "
                          "e.g. 0.95")
