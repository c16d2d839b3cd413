"""API keys: shown once, stored only as a hash, checked in constant time, revocable."""

from __future__ import annotations

import duckdb
import pytest
from steward_data import principal

from mdm.errors import ConflictError, InputError, NotFoundError
from mdm.roles import Role
from mdm.stewardship import auth
from mdm.stewardship.auth import Permission
from mdm.stewardship.errors import AuthenticationError


def test_key_is_stored_hashed_and_authenticates(hub: duckdb.DuckDBPyConnection) -> None:
    key, row = auth.create_key(hub, name="alice", role="steward", created_by="tests")
    assert auth.KEY_RE.match(key) and row.role is Role.steward and row.prefix in key
    dump = str(hub.execute("SELECT * FROM api_key").fetchall()) + str(hub.execute("SELECT * FROM audit_log").fetchall())
    secret = key.split("_", 2)[2]
    assert key not in dump and secret not in dump
    assert auth.hash_key(key) in dump, "only the hash is kept"
    who = auth.authenticate(hub, key)
    assert (who.key_id, who.name, who.role) == (row.key_id, "alice", Role.steward)


@pytest.mark.parametrize("presented, fragment", [
    (None, "missing API key"),
    ("", "missing API key"),
    ("Bearer xyz", "malformed"),
    ("mdm_short_" + "x" * 30, "malformed"),
])
def test_bad_keys_are_refused(hub: duckdb.DuckDBPyConnection, presented: str | None, fragment: str) -> None:
    with pytest.raises(AuthenticationError, match=fragment):
        auth.authenticate(hub, presented)


def test_a_guessed_secret_for_a_real_prefix_is_unknown(hub: duckdb.DuckDBPyConnection) -> None:
    _key, row = auth.create_key(hub, name="alice", role="admin", created_by="tests")
    guess = f"mdm_{row.prefix}_" + "A" * 43
    with pytest.raises(AuthenticationError, match="unknown API key"):
        auth.authenticate(hub, guess)


def test_revocation(hub: duckdb.DuckDBPyConnection) -> None:
    key, row = auth.create_key(hub, name="bob", role="reader", created_by="tests")
    admin = principal("root", Role.admin, key_id=999)
    revoked = auth.revoke_key(hub, row.key_id, by=admin)
    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.authenticate(hub, key)
    with pytest.raises(AuthenticationError, match="log in again"):
        auth.principal_by_id(hub, row.key_id)
    with pytest.raises(ConflictError):
        auth.revoke_key(hub, row.key_id, by=admin)
    with pytest.raises(NotFoundError):
        auth.revoke_key(hub, 12345, by=admin)
    me = principal("root", Role.admin, key_id=auth.create_key(hub, name="root", role="admin", created_by="t")[1].key_id)
    with pytest.raises(ConflictError, match="cannot revoke itself"):
        auth.revoke_key(hub, me.key_id, by=me)


def test_bad_names_and_roles(hub: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="role 'wizard' is unknown"):
        auth.create_key(hub, name="x", role="wizard", created_by="t")
    with pytest.raises(InputError, match="key name"):
        auth.create_key(hub, name="<script>", role="reader", created_by="t")


def test_permissions_by_role() -> None:
    def can(role: Role) -> set[Permission]:
        return {p for p in Permission if principal(role=role).can(p)}

    assert can(Role.reader) == {Permission.whoami, Permission.tasks_read, Permission.golden_read,
                                Permission.quality_read}
    assert can(Role.steward) == {Permission.whoami, Permission.tasks_read, Permission.tasks_decide,
                                 Permission.tasks_assign, Permission.golden_read, Permission.golden_write,
                                 Permission.match_read, Permission.quality_read}
    assert can(Role.admin) == set(Permission)
    assert can(Role.system) == {Permission.whoami, Permission.golden_read, Permission.match_read,
                                Permission.records_write, Permission.events_read}
    assert not principal(role=Role.reader).sees_pii and principal(role=Role.steward).sees_pii
