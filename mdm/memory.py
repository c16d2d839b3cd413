"""Memory budgets for the DuckDB connections a run holds at once.

A run holds two DuckDB databases: the hub (its whole run is one transaction, so
everything it writes stays pinned until COMMIT unless DuckDB may spill it) and Splink's
private in-memory engine. Left at DuckDB's default (80% of RAM each) the two together
grew to 15 GB on a 1M-record run. Each gets a bounded budget instead, and DuckDB spills
beyond it to a scratch folder (the hub's ``<hub>.tmp``, the engine's own temp folder).

Defaults: a run's budget is a quarter of physical memory, at least 2 GB and at most 6 GB.
While Splink's engine is open, it and the hub get half each; once the engine is closed
(golden records, and the COMMIT that has to hold the run's indexes) the hub gets all of
it. On a 24 GB machine that keeps a 1M-record run under 8 GB peak. Both can be set:
``memory_limit`` in ``mdm.yaml`` (the hub, fixed for the whole run) and
``duckdb.memory_limit`` in the match rules (Splink). A run that needs more stops with a
one-line error naming the setting, and the hub is left as it was.
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


def run_budget_mb() -> int:
    """DuckDB memory for a whole run: a quarter of physical memory, 2-6 GB."""
    total = physical_memory()
    if total is None:  # pragma: no cover - non-POSIX
        return 4096
    return max(2048, min(6144, int(total / 4 / 2**20)))


def default_limit() -> str:
    """Half the run budget: the hub's share while Splink's engine is open, and the engine's."""
    return f"{run_budget_mb() // 2}MB"


def full_limit() -> str:
    """The whole run budget: the hub's once Splink's engine is closed (golden records, COMMIT)."""
    return f"{run_budget_mb()}MB"


def is_memory_size(text: str) -> bool:
    """``True`` for a DuckDB memory size such as ``3GB`` or ``512 MiB``."""
    return bool(_MEMORY.match(text))
