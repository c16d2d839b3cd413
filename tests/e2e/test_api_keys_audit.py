"""API keys and the audit log over HTTP: keys shown once and stored hashed, revocation at
once, no secret in the server's log, the audit chain intact and readable by admins."""

from __future__ import annotations

from steward_e2e import Served


def test_admin_creates_lists_and_revokes_keys(server: Served) -> None:
    admin = server.client("admin")
    created = admin.post("/api/v1/keys", json={"name": "integration-crm", "role": "system"})
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith(f"mdm_{body['prefix']}_") and body["role"] == "system"
    me = server.client(key=key).get("/api/v1/me").json()
    assert me == {"key_id": body["key_id"], "name": "integration-crm", "role": "system", "sees_pii": False}
    listed = admin.get("/api/v1/keys").json()["keys"]
    row = next(k for k in listed if k["key_id"] == body["key_id"])
    assert "key" not in row and "key_hash" not in row and key not in str(listed)
    revoked = admin.delete(f"/api/v1/keys/{body['key_id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    after = server.client(key=key).get("/api/v1/me")
    assert after.status_code == 401 and "revoked" in after.json()["error"]["message"]
    twice = admin.delete(f"/api/v1/keys/{body['key_id']}")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "key.revoked"
    own = admin.get("/api/v1/me").json()["key_id"]
    self_revoke = admin.delete(f"/api/v1/keys/{own}")
    assert self_revoke.status_code == 409 and self_revoke.json()["error"]["code"] == "key.self_revoke"
    actions = [e["action"] for e in admin.get("/api/v1/audit", params={"target": f"key:{body['key_id']}"}
                                              ).json()["entries"]]
    assert actions == ["key.create", "key.revoke"]
    bad = admin.post("/api/v1/keys", json={"name": "", "role": "wizard"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "request.invalid"


def test_no_key_reaches_the_server_log(server: Served) -> None:
    for role in ("reader", "steward", "admin", "system"):
        server.client(role).get("/api/v1/me")
    created = server.client("admin").post("/api/v1/keys", json={"name": "log-check", "role": "reader"}).json()
    server.client(key=created["key"]).get("/api/v1/tasks")
    log = server.log_text()
    assert "GET /api/v1/me" in log, "the access log is on, so this check means something"
    for key in [*server.keys.values(), created["key"]]:
        assert key not in log and key.split("_", 2)[2] not in log


def test_audit_chain_verifies_and_pages(server: Served) -> None:
    admin = server.client("admin")
    check = admin.get("/api/v1/audit/verify").json()
    assert check["ok"] is True and check["broken_at"] is None and len(check["head"]) == 64
    first = admin.get("/api/v1/audit", params={"limit": 2}).json()["entries"]
    assert [e["seq"] for e in first] == [1, 2]
    nxt = admin.get("/api/v1/audit", params={"after": 2, "limit": 2}).json()["entries"]
    assert nxt and nxt[0]["seq"] == 3 and nxt[0]["prev_hash"] == first[1]["hash"]
