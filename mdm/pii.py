"""How one personal-data value is masked: the single masking function of mdm.

Who sees which attribute masked is the policy of :mod:`mdm.stewardship.masking` (the
dictionary's ``pii`` flag, :attr:`mdm.config.Dictionary.pii`, times the roles that see PII);
this module only says what a masked value looks like, for every caller: API answers, events,
webhooks, the web UI and the value profiles a run stores in the hub.
"""

from __future__ import annotations

__all__ = ["MAX_STARS", "MIN_SHOWN_LENGTH", "mask"]

#: at most this many stars follow the first character of a masked value
MAX_STARS = 12
#: a value shorter than this is all stars: its first character would give most of it away ("F", "Al")
MIN_SHOWN_LENGTH = 4


def mask(value: str | None) -> str | None:
    """Keep a PII value's shape without revealing it: its first character, then stars (all stars
    for values shorter than :data:`MIN_SHOWN_LENGTH`). ``None`` and ``""`` stay as they are."""
    if value is None or value == "":
        return value
    if len(value) < MIN_SHOWN_LENGTH:
        return "*" * len(value)
    return value[:1] + "*" * min(len(value) - 1, MAX_STARS)
