"""The API-key store: keys, their roles, and who a key is.

A key looks like ``mdm_<prefix>_<secret>``: the prefix is public and finds the key's row,
the whole key is checked against its sha256 (only the hash is stored; the key is shown
once, when it is created). Keys carry one role (:class:`~mdm.roles.Role`). Every change to
a key appends an entry to the audit log inside the caller's transaction.

Core, not web layer: keys are hub data that ``mdm keys`` and ``mdm demo`` manage as well as
the server. Checking a presented key and what each role may do over the API are the web
layer's (:mod:`mdm.stewardship.auth`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import duckdb

from mdm import auditlog
from mdm.errors import ConflictError, InputError, NotFoundError
from mdm.roles import SEES_PII, Role

__all__ = ["KEY_RE", "KEY_REVOKED", "NAME_RE", "ROLE_CHANGED", "KeyRow", "Principal", "change_role",
           "create_key", "end_key_sessions", "get_key", "hash_key", "list_keys", "parse_role", "revoke_key"]

KEY_RE = re.compile(r"^mdm_([A-Za-z0-9]{10})_([A-Za-z0-9_-]{20,})$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")

#: why a key's web sessions ended (``ui_session.revoked_reason``)
KEY_REVOKED = "key revoked"
ROLE_CHANGED = "role changed"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role (never the key itself). What the caller may do
    over the API is the web layer's: its :class:`~mdm.stewardship.auth.Principal` adds ``can``."""

    key_id: int
    name: str
    role: Role
    prefix: str

    @property
    def actor(self) -> str:
        """How the audit log and task rows name this caller."""
        return f"{self.name} (key {self.key_id}, {self.role})"

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
    auditlog.append(con, actor=created_by, action="key.create", target=f"key:{key_id}", before=None,
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
    auditlog.append(con, actor=by.actor, action="key.revoke", target=f"key:{key_id}", before=_audit_view(before),
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
    auditlog.append(con, actor=by.actor, action="key.role", target=f"key:{key_id}", before=_audit_view(before),
                    after=_audit_view(after) | {"sessions_ended": ended})
    return after


def end_key_sessions(con: duckdb.DuckDBPyConnection, key_id: int, *, at: dt.datetime, reason: str) -> int:
    """End every live web session of a key (inside the caller's transaction); how many ended. Here, not
    in the web layer, because revoking a key or changing its role (from the CLI too) ends them at once."""
    return len(con.execute("UPDATE ui_session SET revoked_at = ?, revoked_reason = ? "
                           "WHERE key_id = ? AND revoked_at IS NULL RETURNING session_id",
                           [at, reason, key_id]).fetchall())
