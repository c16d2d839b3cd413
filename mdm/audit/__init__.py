"""Decay audits, quality history and scheduled jobs."""

from __future__ import annotations

from mdm.audit.decay import ASSUMPTIONS, DEFAULT_THRESHOLD, WORKLIST_QUERY, DecayAudit, decay_audit
from mdm.audit.history import quality_history, trend_series

__all__ = ["ASSUMPTIONS", "DEFAULT_THRESHOLD", "WORKLIST_QUERY", "DecayAudit", "decay_audit", "quality_history",
           "trend_series"]
