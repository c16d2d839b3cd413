"""Authentication and permissions of the web layer.

A presented key is checked against the core key store (:mod:`mdm.apikeys`: keys, their hash,
create / list / revoke / change role), which this module re-exports for the web modules. Keys
carry one role; :data:`PERMISSIONS` says what each role may do, every route names the permission
it needs (see :mod:`mdm.stewardship.deps`), and the server's :class:`Principal` (the core one plus
``can``) answers whether a caller has it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum

import duckdb

from mdm import apikeys
from mdm.apikeys import (
    KEY_RE,
    KEY_REVOKED,
    NAME_RE,
    ROLE_CHANGED,
    KeyRow,
    change_role,
    create_key,
    end_key_sessions,
    get_key,
    hash_key,
    list_keys,
    parse_role,
    revoke_key,
)
from mdm.roles import Role
from mdm.stewardship.errors import AuthenticationError

__all__ = ["KEY_RE", "KEY_REVOKED", "NAME_RE", "PERMISSIONS", "ROLE_CHANGED", "KeyRow", "Permission", "Principal",
           "authenticate", "change_role", "create_key", "end_key_sessions", "get_key", "hash_key", "list_keys",
           "parse_role", "principal_by_id", "revoke_key"]


class Permission(StrEnum):
    whoami = "whoami"
    tasks_read = "tasks:read"          # reader: with PII masked
    tasks_decide = "tasks:decide"
    tasks_assign = "tasks:assign"      # assign to someone else (claiming for oneself is tasks:decide)
    keys_manage = "keys:manage"
    runs_manage = "runs:manage"
    audit_read = "audit:read"
    golden_read = "golden:read"        # reader: with PII masked
    golden_write = "golden:write"      # merge, split, override
    match_read = "match:read"          # score a record against the hub (real-time matching)
    records_write = "records:write"    # integrations: upsert source records (search-before-create)
    events_read = "events:read"        # the change feed (PII masked for system)
    webhooks_manage = "webhooks:manage"
    audits_manage = "audits:manage"    # start decay audits, read their results
    quality_read = "quality:read"      # quality history and trends (no PII)
    schedules_read = "schedules:read"


_ALL_ROLES = set(Role)
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.whoami: frozenset(_ALL_ROLES),
    Permission.tasks_read: frozenset({Role.reader, Role.steward, Role.admin}),
    Permission.tasks_decide: frozenset({Role.steward, Role.admin}),
    Permission.tasks_assign: frozenset({Role.steward, Role.admin}),
    Permission.keys_manage: frozenset({Role.admin}),
    Permission.runs_manage: frozenset({Role.admin}),
    Permission.audit_read: frozenset({Role.admin}),
    Permission.golden_read: frozenset(_ALL_ROLES),
    Permission.golden_write: frozenset({Role.steward, Role.admin}),
    Permission.match_read: frozenset({Role.system, Role.steward, Role.admin}),
    Permission.records_write: frozenset({Role.system, Role.admin}),
    Permission.events_read: frozenset({Role.system, Role.admin}),
    Permission.webhooks_manage: frozenset({Role.admin}),
    Permission.audits_manage: frozenset({Role.admin}),
    Permission.quality_read: frozenset({Role.reader, Role.steward, Role.admin}),
    Permission.schedules_read: frozenset({Role.admin}),
}


@dataclass(frozen=True)
class Principal(apikeys.Principal):
    """Who is calling (the core key store's :class:`mdm.apikeys.Principal`) and what the caller's
    role may do here: every principal the server sees is one of these."""

    def can(self, permission: Permission) -> bool:
        return self.role in PERMISSIONS[permission]


def authenticate(con: duckdb.DuckDBPyConnection, key: str | None) -> Principal:
    """The principal a presented key belongs to; :class:`AuthenticationError` otherwise."""
    if not key:
        raise AuthenticationError("missing API key: send the header 'Authorization: Bearer KEY' "
                                  "(create keys with `mdm keys create`)")
    match = KEY_RE.match(key.strip())
    if not match:
        raise AuthenticationError("malformed API key: expected mdm_<prefix>_<secret> as printed by "
                                  "`mdm keys create`")
    found = con.execute("SELECT key_id, key_hash, name, role, revoked_at FROM api_key WHERE prefix = ?",
                        [match.group(1)]).fetchone()
    if found is None or not hmac.compare_digest(found[1], hash_key(key.strip())):
        raise AuthenticationError("unknown API key")
    if found[4] is not None:
        raise AuthenticationError("this API key has been revoked")
    return Principal(key_id=int(found[0]), name=found[2], role=Role(found[3]), prefix=match.group(1))


def principal_by_id(con: duckdb.DuckDBPyConnection, key_id: int) -> Principal:
    """The principal a key id names now (web sessions store the key id); a revoked key is no one."""
    found = con.execute("SELECT key_id, name, role, revoked_at, prefix FROM api_key WHERE key_id = ?",
                        [key_id]).fetchone()
    if found is None or found[3] is not None:
        raise AuthenticationError("your session has ended: its API key was revoked or removed; log in again")
    return Principal(key_id=int(found[0]), name=found[1], role=Role(found[2]), prefix=found[4])
