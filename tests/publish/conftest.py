"""The survivorship tests' small real hub, reused for publishing."""

from __future__ import annotations

from tests.survivorship.conftest import build, hub

__all__ = ["build", "hub"]
