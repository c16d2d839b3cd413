"""Cluster stage: pairwise match predictions + steward links -> one cluster per customer.

Connected components at the auto-match threshold, then every component holding a
cannot-link pair, conflicting strong identifiers or a weak bridge is split along its
weakest edges (:mod:`mdm.cluster.constrained`). Entry point: :func:`cluster_records`.
"""

from __future__ import annotations

from mdm.cluster.identifiers import birth_dates_compatible, national_ids_compatible
from mdm.cluster.report import ClusterReport, Cut, MustLinkConflict, OversizedCluster
from mdm.cluster.settings import ClusterSettings
from mdm.cluster.stage import ClusterResult, cluster_records

__all__ = [
    "ClusterReport",
    "ClusterResult",
    "ClusterSettings",
    "Cut",
    "MustLinkConflict",
    "OversizedCluster",
    "birth_dates_compatible",
    "cluster_records",
    "national_ids_compatible",
]
