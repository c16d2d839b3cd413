"""What clustering did and what a steward should look at, as plain data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["ClusterReport", "Cut", "MustLinkConflict", "OversizedCluster"]


class Cut(NamedTuple):
    """A match edge that clustering refused or removed, and why.

    ``reason``: ``cannot_link`` (a steward said two records across it are different
    people), ``national_id`` / ``birth_date`` (the two sides carry identifiers one person
    cannot have), ``weak_bridge`` (a weak edge was the only link between two groups).
    """

    unique_id_l: str
    unique_id_r: str
    match_probability: float
    match_weight: float
    reason: str


class MustLinkConflict(NamedTuple):
    """A must-link dropped because it would have joined a cannot-link pair (cannot-link wins)."""

    unique_id_l: str
    unique_id_r: str
    cannot_link_l: str
    cannot_link_r: str


class OversizedCluster(NamedTuple):
    cluster_id: str
    size: int


@dataclass(frozen=True)
class ClusterReport:
    """Summary of one clustering run.

    ``components`` counts connected components (of two or more records) at the auto-match
    threshold before any split; ``components_split`` how many of them ended in several
    clusters; ``cuts`` lists every refused or removed edge with its reason.
    """

    n_records: int
    n_clusters: int
    n_singletons: int
    size_distribution: dict[int, int]
    components: int
    components_split: int
    cuts: tuple[Cut, ...] = ()
    must_link_conflicts: tuple[MustLinkConflict, ...] = ()
    oversized: tuple[OversizedCluster, ...] = ()
    max_cluster_size: int = 10
    constraints_ignored: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cuts_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(c.reason for c in self.cuts).items()))

    def to_dict(self, max_items: int | None = 1000) -> dict[str, Any]:
        """JSON-ready; lists are truncated to ``max_items`` (their full lengths are kept)."""

        def head(items: tuple[Any, ...]) -> list[dict[str, Any]]:
            return [x._asdict() for x in (items if max_items is None else items[:max_items])]

        return {
            "n_records": self.n_records, "n_clusters": self.n_clusters, "n_singletons": self.n_singletons,
            "size_distribution": {str(k): v for k, v in sorted(self.size_distribution.items())},
            "components": self.components, "components_split": self.components_split,
            "cuts_by_reason": self.cuts_by_reason, "n_cuts": len(self.cuts), "cuts": head(self.cuts),
            "n_must_link_conflicts": len(self.must_link_conflicts),
            "must_link_conflicts": head(self.must_link_conflicts),
            "max_cluster_size": self.max_cluster_size, "n_oversized": len(self.oversized),
            "oversized": head(self.oversized), "constraints_ignored": self.constraints_ignored,
            "seconds": round(self.seconds, 3), "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }
