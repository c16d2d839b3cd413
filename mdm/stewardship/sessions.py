"""Web-UI sessions, kept server-side in the hub so that they can be ended.

Logging in makes a random token: the browser's cookie carries it (signed, see
:mod:`mdm.stewardship.ui.session`), the hub's ``ui_session`` table only its sha256 with
the key's id, the key's role at login and when the session expires. Every page request
looks the session up: logging out, revoking the key or changing the key's role sets
``revoked_at``, and a copied cookie is worthless from then on. A session also ends when
its key's role is no longer the role it logged in with, or when it expires.

The server owns the hub and writes only under its write lock, which a pipeline run holds
for its whole transaction. Logging in or out must work during a run too, so
:class:`SessionStore` keeps the sessions begun and ended since its last write in memory
(a lookup sees them at once) and writes them, with their audit entries, as soon as it
gets the lock. The cookie's signing secret is per server start unless configured, so a
crash that loses unwritten entries also invalidates the cookies they were about.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass

import duckdb

from mdm.hub import transaction
from mdm.roles import Role
from mdm.stewardship import audit, auth
from mdm.stewardship.auth import Principal
from mdm.stewardship.errors import AuthenticationError
from mdm.stewardship.hubaccess import HubAccess

log = logging.getLogger("mdm.stewardship")

LOGOUT = "logout"


@dataclass(frozen=True)
class SessionRow:
    session_id: str
    key_id: int
    role: Role
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revoked_reason: str | None = None


@dataclass(frozen=True)
class _Ended:
    at: dt.datetime
    reason: str
    actor: str


def session_id_of(token: str) -> str:
    """The id a session has in the hub: the sha256 of its token (the token itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def public_id(session_id: str) -> str:
    """How the audit log names a session: a prefix of its id, enough to tell sessions apart."""
    return session_id[:16]


def insert(con: duckdb.DuckDBPyConnection, row: SessionRow, *, actor: str) -> None:
    """Record a login (inside the caller's transaction), with its audit entry."""
    con.execute("INSERT INTO ui_session VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                [row.session_id, row.key_id, row.role.value, row.created_at, row.expires_at])
    audit.append(con, actor=actor, action="session.login", target=f"key:{row.key_id}", before=None,
                 after={"session": public_id(row.session_id), "role": row.role.value,
                        "at": row.created_at.isoformat(), "expires_at": row.expires_at.isoformat()})


def revoke(con: duckdb.DuckDBPyConnection, session_id: str, *, at: dt.datetime, reason: str, actor: str) -> bool:
    """End one session (inside the caller's transaction); False when it had already ended."""
    ended = con.execute("UPDATE ui_session SET revoked_at = ?, revoked_reason = ? "
                        "WHERE session_id = ? AND revoked_at IS NULL RETURNING key_id",
                        [at, reason, session_id]).fetchall()
    for (key_id,) in ended:
        audit.append(con, actor=actor, action=f"session.{reason.replace(' ', '_')}", target=f"key:{key_id}",
                     before=None, after={"session": public_id(session_id), "at": at.isoformat()})
    return bool(ended)


def lookup(con: duckdb.DuckDBPyConnection, session_id: str) -> SessionRow | None:
    found = con.execute("SELECT session_id, key_id, role, created_at, expires_at, revoked_at, revoked_reason "
                        "FROM ui_session WHERE session_id = ?", [session_id]).fetchone()
    if found is None:
        return None
    sid, key_id, role, created_at, expires_at, revoked_at, reason = found
    return SessionRow(session_id=sid, key_id=int(key_id), role=Role(role), created_at=created_at,
                      expires_at=expires_at, revoked_at=revoked_at, revoked_reason=reason)


def check(con: duckdb.DuckDBPyConnection, row: SessionRow | None, now: dt.datetime) -> Principal:
    """The principal of a live session; :class:`AuthenticationError` saying why it ended otherwise."""
    if row is None:
        raise AuthenticationError("no such session; log in again")
    if row.revoked_at is not None:
        why = "you logged out" if row.revoked_reason == LOGOUT else f"it was ended ({row.revoked_reason})"
        raise AuthenticationError(f"your session has ended: {why}; log in again")
    if row.expires_at <= now:
        raise AuthenticationError("your session has expired; log in again")
    principal = auth.principal_by_id(con, row.key_id)
    if principal.role != row.role:
        raise AuthenticationError("your session has ended: your key's role changed; log in again")
    return principal


class SessionStore:
    """The sessions of a running server: the hub's rows plus what is waiting for the write lock."""

    def __init__(self, access: HubAccess, max_age: int) -> None:
        self.access = access
        self.max_age = max_age
        self._mu = threading.Lock()
        self._begun: dict[str, tuple[SessionRow, str]] = {}
        self._ended: dict[str, _Ended] = {}

    @property
    def pending(self) -> bool:
        return bool(self._begun or self._ended)

    def begin(self, principal: Principal) -> str:
        """A new session for ``principal``; returns its token (for the cookie, never stored)."""
        token = secrets.token_urlsafe(32)
        now = dt.datetime.now()
        row = SessionRow(session_id=session_id_of(token), key_id=principal.key_id, role=principal.role,
                         created_at=now, expires_at=now + dt.timedelta(seconds=self.max_age))
        with self._mu:
            self._begun[row.session_id] = (row, principal.actor)
        self.flush(timeout=min(1.0, self.access.write_timeout))
        return token

    def end(self, token: str, *, actor: str, reason: str = LOGOUT) -> None:
        """End the session of ``token`` at once (it is written to the hub as soon as the hub is free)."""
        with self._mu:
            self._ended.setdefault(session_id_of(token), _Ended(dt.datetime.now(), reason, actor))
        self.flush(timeout=min(1.0, self.access.write_timeout))

    def end_key(self, key_id: int, *, reason: str) -> None:
        """End the not yet written sessions of a key (the written ones end in the key's own transaction,
        :func:`mdm.stewardship.auth.end_key_sessions`)."""
        now = dt.datetime.now()
        with self._mu:
            for sid, (row, actor) in self._begun.items():
                if row.key_id == key_id:
                    self._ended.setdefault(sid, _Ended(now, reason, actor))

    def principal(self, cur: duckdb.DuckDBPyConnection, token: str) -> Principal:
        """The principal of the session of ``token``, or :class:`AuthenticationError`."""
        sid = session_id_of(token)
        with self._mu:
            ended, begun = self._ended.get(sid), self._begun.get(sid)
        row = begun[0] if begun else lookup(cur, sid)
        if row is not None and ended is not None:
            row = SessionRow(**{**row.__dict__, "revoked_at": ended.at, "revoked_reason": ended.reason})
        return check(cur, row, dt.datetime.now())

    def flush(self, timeout: float = 0.0) -> bool:
        """Write what is pending, if the write lock comes within ``timeout`` seconds; True when done."""
        if not self.pending:
            return True
        got = self.access.write_lock.acquire(timeout=timeout) if timeout > 0 else \
            self.access.write_lock.acquire(blocking=False)
        if not got:
            return False
        try:
            with self._mu:
                begun, ended = dict(self._begun), dict(self._ended)
            with self.access.cursor() as cur, transaction(cur):
                for row, actor in begun.values():
                    insert(cur, row, actor=actor)
                for sid, e in ended.items():
                    revoke(cur, sid, at=e.at, reason=e.reason, actor=e.actor)
            with self._mu:
                for sid in begun:
                    self._begun.pop(sid, None)
                for sid in ended:
                    self._ended.pop(sid, None)
            return True
        except duckdb.Error as exc:  # kept in memory (and still in force); the next flush retries
            log.warning("could not write web sessions to the hub yet: %s", str(exc).splitlines()[0])
            return False
        finally:
            self.access.write_lock.release()
