"""Web-UI sessions in the hub: ended by logout, a revoked key, a changed role or time, also
while a pipeline run holds the hub's write lock; and the rule for the cookies' Secure flag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from mdm.errors import ConflictError
from mdm.roles import Role
from mdm.stewardship import auth, sessions
from mdm.stewardship.auth import Principal
from mdm.stewardship.errors import AuthenticationError
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.sessions import SessionStore
from mdm.stewardship.ui.session import is_loopback, needs_secure_cookies


@pytest.fixture
def access(tmp_path: Path) -> Iterator[HubAccess]:
    a = HubAccess.open(tmp_path / "hub.duckdb", ["first_name"])
    a.write_timeout = 0.2
    yield a
    a.close()


def _key(access: HubAccess, name: str, role: str) -> Principal:
    with access.writer() as cur:
        key, _row = auth.create_key(cur, name=name, role=role, created_by="tests")
        return auth.authenticate(cur, key)


def _who(access: HubAccess, store: SessionStore, token: str) -> Principal:
    with access.cursor() as cur:
        return store.principal(cur, token)


def _rows(access: HubAccess) -> list[tuple[object, ...]]:
    with access.cursor() as cur:
        return cur.execute("SELECT key_id, role, revoked_reason FROM ui_session ORDER BY created_at").fetchall()


def _actions(access: HubAccess) -> list[str]:
    with access.cursor() as cur:
        return [r[0] for r in cur.execute("SELECT action FROM audit_log ORDER BY seq").fetchall()]


def test_a_session_lives_in_the_hub_until_logout(access: HubAccess) -> None:
    ann = _key(access, "ann", "steward")
    store = SessionStore(access, max_age=3600)
    token = store.begin(ann)
    assert not store.pending, "written at once when the hub is free"
    assert _who(access, store, token) == ann
    with access.cursor() as cur:
        stored = str(cur.execute("SELECT * FROM ui_session").fetchall()) + \
            str(cur.execute("SELECT * FROM audit_log").fetchall())
    assert token not in stored and sessions.session_id_of(token) in stored, "only the token's hash is kept"
    store.end(token, actor=ann.actor)
    with pytest.raises(AuthenticationError, match="you logged out"):
        _who(access, store, token)
    fresh = SessionStore(access, max_age=3600)  # nothing in memory: the hub alone says so
    with pytest.raises(AuthenticationError, match="you logged out"):
        _who(access, fresh, token)
    assert _rows(access) == [(ann.key_id, "steward", "logout")]
    assert _actions(access)[-2:] == ["session.login", "session.logout"]
    with pytest.raises(AuthenticationError, match="no such session"):
        _who(access, store, "made-up-token")


def test_revoked_key_and_changed_role_end_every_session(access: HubAccess) -> None:
    root, bob, cy = _key(access, "root", "admin"), _key(access, "bob", "steward"), _key(access, "cy", "steward")
    store = SessionStore(access, max_age=3600)
    bob1, bob2, cy1 = store.begin(bob), store.begin(bob), store.begin(cy)
    with access.writer() as cur:
        auth.revoke_key(cur, bob.key_id, by=root)
    for token in (bob1, bob2):
        with pytest.raises(AuthenticationError, match="ended"):
            _who(access, store, token)
    with access.writer() as cur:
        changed = auth.change_role(cur, cy.key_id, "reader", by=root)
        assert changed.role is Role.reader
        assert auth.change_role(cur, cy.key_id, Role.reader, by=root) == changed, "the same role changes nothing"
        with pytest.raises(ConflictError, match="own role"):
            auth.change_role(cur, root.key_id, "reader", by=root)
        with pytest.raises(ConflictError, match="revoked"):
            auth.change_role(cur, bob.key_id, "admin", by=root)
    with pytest.raises(AuthenticationError, match="role changed"):
        _who(access, store, cy1)
    assert sorted(str(r[2]) for r in _rows(access) if r[2]) == ["key revoked", "key revoked", "role changed"]
    with access.cursor() as cur:
        role_entry = cur.execute("SELECT CAST(after AS VARCHAR) FROM audit_log WHERE action = 'key.role'").fetchall()
    assert len(role_entry) == 1 and '"role":"reader"' in role_entry[0][0] and '"sessions_ended":1' in role_entry[0][0]
    with access.cursor() as cur:
        cy_now = auth.principal_by_id(cur, cy.key_id)
    assert _who(access, store, store.begin(cy_now)).role is Role.reader, "logging in again gives the new role"


def test_a_session_whose_role_no_longer_matches_is_over_even_without_a_revocation(access: HubAccess) -> None:
    dee = _key(access, "dee", "steward")
    store = SessionStore(access, max_age=3600)
    token = store.begin(dee)
    with access.writer() as cur:  # a role changed behind the service's back
        cur.execute("UPDATE api_key SET role = 'admin' WHERE key_id = ?", [dee.key_id])
    with pytest.raises(AuthenticationError, match="role changed"):
        _who(access, store, token)


def test_sessions_expire(access: HubAccess) -> None:
    eve = _key(access, "eve", "reader")
    store = SessionStore(access, max_age=3600)
    token = store.begin(eve)
    with access.writer() as cur:
        cur.execute("UPDATE ui_session SET expires_at = ?", [dt.datetime.now() - dt.timedelta(seconds=1)])
    with pytest.raises(AuthenticationError, match="expired"):
        _who(access, store, token)


def test_login_and_logout_work_while_a_run_holds_the_hub(access: HubAccess) -> None:
    """A pipeline run holds the write lock for minutes: a logout must still end the session at once,
    and what could not be written yet is written (with its audit entries) when the lock is free."""
    fay = _key(access, "fay", "steward")
    store = SessionStore(access, max_age=3600)
    before = store.begin(fay)
    assert access.write_lock.acquire(timeout=1)
    try:
        during = store.begin(fay)
        assert store.pending and _who(access, store, during) == fay
        store.end(before, actor=fay.actor)
        with pytest.raises(AuthenticationError, match="logged out"):
            _who(access, store, before)
        store.end_key(fay.key_id, reason=auth.KEY_REVOKED)  # the key's own transaction ends written ones
        with pytest.raises(AuthenticationError, match="key revoked"):
            _who(access, store, during)
        assert not store.flush(), "the hub is still busy"
    finally:
        access.write_lock.release()
    assert store.flush() and not store.pending
    assert [r[2] for r in _rows(access)] == ["logout", "key revoked"]
    assert _actions(access)[-4:] == ["session.login", "session.login", "session.logout", "session.key_revoked"]
    with access.cursor() as cur:
        row = sessions.lookup(cur, sessions.session_id_of(during))
    assert row is not None and row.revoked_reason == auth.KEY_REVOKED and row.key_id == fay.key_id
    with pytest.raises(AuthenticationError, match="key revoked"):
        _who(access, SessionStore(access, max_age=3600), during)  # the hub alone says so now


@pytest.mark.parametrize("host, scheme, forced, secure", [
    ("127.0.0.1", "http", False, False),
    ("127.8.9.10", "http", False, False),
    ("::1", "http", False, False),
    ("::ffff:127.0.0.1", "http", False, False),
    ("localhost", "http", False, False),
    ("127.0.0.1", "https", False, True),       # behind a TLS proxy that says so
    ("127.0.0.1", "http", True, True),         # configured
    ("0.0.0.0", "http", False, True),
    ("192.168.1.20", "http", False, True),
    ("10.0.0.5", "https", False, True),
    ("2001:db8::1", "http", False, True),
    ("mdm.example.com", "http", False, True),
    ("localhost.example.com", "http", False, True),
    (None, "http", False, True),               # a unix socket: a proxy is in front
])
def test_cookies_are_secure_unless_the_server_is_reached_on_loopback(host: str | None, scheme: str, forced: bool,
                                                                      secure: bool) -> None:
    assert needs_secure_cookies(host, scheme, forced=forced) is secure
    assert is_loopback(host) is (host in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "localhost"))
