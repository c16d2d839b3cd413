"""The hub: one DuckDB file holding every stage's tables.

``open_hub`` creates the file and its versioned schema on first use, maps DuckDB's
single-writer lock to :class:`~mdm.errors.HubBusyError`, and ``transaction`` makes a
unit of work atomic (a failed or killed run leaves the hub as it was).
"""

from __future__ import annotations

from mdm.hub.connection import Hub, open_hub, transaction
from mdm.hub.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Hub", "open_hub", "transaction"]
