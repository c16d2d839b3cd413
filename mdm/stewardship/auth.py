"""API keys and roles.

A key looks like ``mdm_<prefix>_<secret>``: the prefix is public and finds the key's row,
the whole key is checked against its sha256 (only the hash is stored; the key is shown
once, when it is created). Keys carry one role; :data:`PERMISSIONS` says what each role
may do, and every route names the permission it needs (see :mod:`mdm.stewardship.deps`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import duckdb

from mdm.errors import ConflictError, InputError, NotFoundError
from mdm.roles import SEES_PII, Role
from mdm.stewardship import audit
from mdm.stewardship.errors import AuthenticationError


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

KEY_RE = re.compile(r"^mdm_([A-Za-z0-9]{10})_([A-Za-z0-9_-]{20,})$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role (never the key itself)."""

    key_id: int
    name: str
    role: Role
    prefix: str

    @property
    def actor(self) -> str:
        """How the audit log and task rows name this caller."""
        return f"{self.name} (key {self.key_id}, {self.role})"

    def can(self, permission: Permission) -> bool:
        return self.role in PERMISSIONS[permission]

    @property
    def sees_pii(self) -> bool:
        return self.role in SEES_PII


@dataclass(frozen=True)
class KeyRow:
    key_id: int
    prefix: str
    name: str
    role: Role
    created_at: dt.datetime
    created_by: str | None
    revoked_at: dt.datetime | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RE.match(name):
        raise InputError(f"key name {name!r} is not allowed: use 1-64 letters, digits, spaces or ._@- "
                         "starting with a letter or digit", code="input.key_name")
    return name


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InputError(f"role {role!r} is unknown; use one of {', '.join(r.value for r in Role)}",
                         code="input.role") from None


def create_key(con: duckdb.DuckDBPyConnection, *, name: str, role: Role | str, created_by: str) -> tuple[str, KeyRow]:
    """Create a key (inside the caller's transaction); returns the key, shown once, and its row."""
    role = parse_role(str(role))
    name = _check_name(name)
    prefix = secrets.token_hex(5)
    key = f"mdm_{prefix}_{secrets.token_urlsafe(32)}"
    row = con.execute("SELECT nextval('api_key_id_seq')").fetchone()
    assert row is not None
    key_id, now = int(row[0]), dt.datetime.now()
    con.execute("INSERT INTO api_key VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                [key_id, prefix, hash_key(key), name, role.value, now, created_by])
    created = KeyRow(key_id=key_id, prefix=prefix, name=name, role=role, created_at=now, created_by=created_by,
                     revoked_at=None)
    audit.append(con, actor=created_by, action="key.create", target=f"key:{key_id}", before=None,
                 after=_audit_view(created))
    return key, created


def _audit_view(row: KeyRow) -> dict[str, Any]:
    return {"key_id": row.key_id, "prefix": row.prefix, "name": row.name, "role": row.role.value,
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}


def _row(values: tuple[Any, ...]) -> KeyRow:
    key_id, prefix, name, role, created_at, created_by, revoked_at = values
    return KeyRow(key_id=int(key_id), prefix=prefix, name=name, role=Role(role), created_at=created_at,
                  created_by=created_by, revoked_at=revoked_at)


_COLUMNS = "key_id, prefix, name, role, created_at, created_by, revoked_at"


def list_keys(con: duckdb.DuckDBPyConnection, *, include_revoked: bool = True) -> list[KeyRow]:
    where = "" if include_revoked else "WHERE revoked_at IS NULL"
    return [_row(r) for r in con.execute(f"SELECT {_COLUMNS} FROM api_key {where} ORDER BY key_id").fetchall()]


def get_key(con: duckdb.DuckDBPyConnection, key_id: int) -> KeyRow:
    found = con.execute(f"SELECT {_COLUMNS} FROM api_key WHERE key_id = ?", [key_id]).fetchone()
    if found is None:
        raise NotFoundError(f"no API key with id {key_id}", code="key.not_found")
    return _row(found)


def revoke_key(con: duckdb.DuckDBPyConnection, key_id: int, *, by: Principal) -> KeyRow:
    """Revoke a key at once (inside the caller's transaction); a key cannot revoke itself."""
    before = get_key(con, key_id)
    if before.revoked_at is not None:
        raise ConflictError(f"API key {key_id} was already revoked at {before.revoked_at:%Y-%m-%d %H:%M:%S}",
                            code="key.revoked")
    if key_id == by.key_id:
        raise ConflictError("a key cannot revoke itself; use another admin key", code="key.self_revoke")
    now = dt.datetime.now()
    con.execute("UPDATE api_key SET revoked_at = ? WHERE key_id = ?", [now, key_id])
    after = get_key(con, key_id)
    ended = end_key_sessions(con, key_id, at=now, reason=KEY_REVOKED)
    audit.append(con, actor=by.actor, action="key.revoke", target=f"key:{key_id}", before=_audit_view(before),
                 after=_audit_view(after) | {"sessions_ended": ended})
    return after


def change_role(con: duckdb.DuckDBPyConnection, key_id: int, role: Role | str, *, by: Principal) -> KeyRow:
    """Give a key another role (inside the caller's transaction): its API calls get the new role's
    rights at once and its web sessions end. A key cannot change its own role; the same role is a no-op."""
    role = parse_role(str(role))
    before = get_key(con, key_id)
    if before.revoked_at is not None:
        raise ConflictError(f"API key {key_id} was revoked at {before.revoked_at:%Y-%m-%d %H:%M:%S}; create a "
                            "new key instead", code="key.revoked")
    if key_id == by.key_id:
        raise ConflictError("a key cannot change its own role; use another admin key", code="key.self_role")
    if before.role == role:
        return before
    con.execute("UPDATE api_key SET role = ? WHERE key_id = ?", [role.value, key_id])
    after = get_key(con, key_id)
    ended = end_key_sessions(con, key_id, at=dt.datetime.now(), reason=ROLE_CHANGED)
    audit.append(con, actor=by.actor, action="key.role", target=f"key:{key_id}", before=_audit_view(before),
                 after=_audit_view(after) | {"sessions_ended": ended})
    return after


KEY_REVOKED = "key revoked"
ROLE_CHANGED = "role changed"


def end_key_sessions(con: duckdb.DuckDBPyConnection, key_id: int, *, at: dt.datetime, reason: str) -> int:
    """End every live web session of a key (inside the caller's transaction); how many ended."""
    return len(con.execute("UPDATE ui_session SET revoked_at = ?, revoked_reason = ? "
                           "WHERE key_id = ? AND revoked_at IS NULL RETURNING session_id",
                           [at, reason, key_id]).fetchall())


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
