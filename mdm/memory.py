"""Memory budgets for the DuckDB connections a run holds at once.

A run holds two DuckDB databases: the hub (its whole run is one transaction, so
everything it writes stays pinned until COMMIT unless DuckDB may spill it) and Splink's
private in-memory engine. Left at DuckDB's default (80% of RAM each) the two together
grew to 15 GB on a 1M-record run. Each gets a bounded budget instead, and DuckDB spills
beyond it to a scratch folder (the hub's ``<hub>.tmp``, the engine's own temp folder).

Defaults: an eighth of physical memory each, at least 1 GB and at most 3 GB, which keeps
a 1M-record run under 8 GB peak on a 24 GB machine. Both can be set: ``memory_limit`` in
``mdm.yaml`` (hub) and ``duckdb.memory_limit`` in the match rules (Splink).
"""

from __future__ import annotations

import os
import re

MEMORY_PATTERN = r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$"
_MEMORY = re.compile(MEMORY_PATTERN, re.IGNORECASE)


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return None


def default_limit(share: float = 1 / 8, low_gb: int = 1, high_gb: int = 3) -> str:
    """``share`` of physical memory in whole GB, clamped to [low_gb, high_gb]."""
    total = physical_memory()
    if total is None:  # pragma: no cover - non-POSIX
        return f"{high_gb}GB"
    return f"{max(low_gb, min(high_gb, int(total * share / 2**30)))}GB"


def is_memory_size(text: str) -> bool:
    """``True`` for a DuckDB memory size such as ``3GB`` or ``512 MiB``."""
    return bool(_MEMORY.match(text))
