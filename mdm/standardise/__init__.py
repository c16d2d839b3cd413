"""Standardise stage: pure, never-raising, idempotent per-value standardisers.

Each :class:`Standardiser` maps one value plus a :class:`Context` to a flat dict with
``value`` (the canonical form used for matching), ``valid``, ``reason`` (a stable code
such as ``phone.invalid``) and kind-specific fields. Look them up with :func:`get`.
"""

from __future__ import annotations

from mdm.standardise.base import MAX_CHARS, Context, Standardiser
from mdm.standardise.registry import STANDARDISERS, get

__all__ = ["MAX_CHARS", "STANDARDISERS", "Context", "Standardiser", "get"]
