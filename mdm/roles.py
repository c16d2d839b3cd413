"""The roles of mdm's users, and which of them see personal data in clear.

Core, not web layer: the masking policy (:mod:`mdm.pii`) is applied by publishing (webhook
deliveries) as well as by the server. What each role may do is the server's permission table
(:data:`mdm.stewardship.auth.PERMISSIONS`).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SEES_PII", "Role"]


class Role(StrEnum):
    reader = "reader"
    steward = "steward"
    admin = "admin"
    system = "system"


#: roles that see PII unmasked
SEES_PII = frozenset({Role.steward, Role.admin})
