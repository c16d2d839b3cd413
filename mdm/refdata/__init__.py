"""Reference data more than one stage reads (core: stages import it, it imports no stage).

:mod:`.chinese`: Chinese surnames with their readings as surnames, and the provincial- and
prefecture-level divisions; standardisation splits names and addresses with them, matching
romanises Han-script surnames with them.
"""

from __future__ import annotations

__all__ = ["words"]


def words(text: str) -> frozenset[str]:
    """A set of whitespace-separated words: how the bundled reference word lists are written."""
    return frozenset(text.split())
