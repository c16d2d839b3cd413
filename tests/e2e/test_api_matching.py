"""Real-time matching over HTTP against a real server: a duplicate of a known customer finds
its golden record first; search-before-create attaches, reviews or creates, and the golden
record and change feed show it at once; hostile records are refused with a 4xx."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from steward_e2e import Served


@pytest.fixture(scope="module")
def mserver(serve_copy: Callable[[str], Served]) -> Served:
    return serve_copy("matching")


def _member(served: Served) -> tuple[str, dict[str, Any]]:
    """A golden record with at least two members and a name, email and phone, read from the API."""
    c = served.client("steward")
    page = c.get("/api/v1/golden", params={"limit": 500}).json()
    for g in page["golden"]:
        if g["member_count"] >= 2:
            full = c.get(f"/api/v1/golden/{g['golden_id']}").json()
            rec = full["record"]
            if rec.get("email") and rec.get("last_name") and rec.get("first_name"):
                return str(g["golden_id"]), dict(rec)
    raise AssertionError("no suitable golden record in the demo")


def test_a_duplicate_finds_its_golden_record_first(mserver: Served) -> None:
    gid, rec = _member(mserver)
    probe = {k: rec[k] for k in ("first_name", "last_name", "email", "birth_date", "postal_code") if rec.get(k)}
    r = mserver.client("system").post("/api/v1/match", json={"record": probe, "limit": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["candidates"] and body["candidates"][0]["golden_id"] == gid
    best = body["candidates"][0]
    assert best["match_probability"] > 0.9
    total = sum(e.get("match_weight", e.get("weight", 0.0)) for e in best["explanation"]
                if isinstance(e, dict))
    assert total == pytest.approx(best["match_weight"], abs=1e-6)
    assert mserver.client("reader").post("/api/v1/match", json={"record": probe}).status_code == 403


def test_search_before_create_attaches_creates_and_updates(mserver: Served) -> None:
    gid, rec = _member(mserver)
    c = mserver.client("system")
    feed_before = c.get("/api/v1/events", params={"after": 0, "limit": 1000}).json()["next_after"]
    dup = {k: rec[k] for k in ("first_name", "last_name", "email", "phone", "birth_date") if rec.get(k)}
    r = c.post("/api/v1/records", json={"source": "web", "source_id": "RT-1", "record": dup})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["action"] == "attached" and out["golden_id"] == gid and out["events"] >= 1
    members = {m["unique_id"] for m in mserver.client("steward").get(f"/api/v1/golden/{gid}").json()["members"]}
    assert "web:RT-1" in members
    x = c.get("/api/v1/xref/web/RT-1")
    assert x.status_code == 200 and x.json()["golden_id"] == gid
    new = c.post("/api/v1/records", json={"source": "web", "source_id": "RT-2", "record": {
        "first_name": "Zebedee", "last_name": "Quillfeather", "email": "zq@fastmail.com", "birth_date": "1931-02-03"}})
    assert new.status_code == 200 and new.json()["action"] == "created" and new.json()["ignored"] == []
    new_gid = new.json()["golden_id"]
    assert new_gid and new_gid != gid
    again = c.post("/api/v1/records", json={"source": "web", "source_id": "RT-2", "record": {
        "first_name": "Zebedee", "last_name": "Quillfeather", "email": "zebedee.q@fastmail.com"}})
    assert again.status_code == 200 and again.json()["action"] == "updated" and again.json()["golden_id"] == new_gid
    feed = c.get("/api/v1/events", params={"after": feed_before, "limit": 1000}).json()["events"]
    assert {e["golden_id"] for e in feed} >= {gid, new_gid}
    shown = mserver.client("steward").get(f"/api/v1/golden/{new_gid}").json()["record"]
    assert shown["email"] == "zebedee.q@fastmail.com"
    audit = mserver.client("admin").get("/api/v1/audit", params={"limit": 500}).json()
    actions = json.dumps(audit)
    assert "record.attached" in actions and "record.created" in actions and "record.updated" in actions


@pytest.mark.parametrize("payload", [
    {"record": {"first_name": "x" * 20_000}},
    {"source": "nosuch", "source_id": "1", "record": {"first_name": "A"}},
    {"source": "web", "source_id": "", "record": {}},
])
def test_hostile_records_get_a_4xx(mserver: Served, payload: dict[str, Any]) -> None:
    c = mserver.client("admin")
    path = "/api/v1/records" if "source_id" in payload else "/api/v1/match"
    r = c.post(path, json=payload)
    assert 400 <= r.status_code < 500, r.text
    assert set(r.json()["error"]) == {"code", "message"}


def test_fields_outside_the_dictionary_are_ignored_and_said(mserver: Served) -> None:
    r = mserver.client("system").post("/api/v1/records", json={
        "source": "web", "source_id": "RT-4", "record": {"first_name": "Ottilie", "last_name": "Brandvold",
                                                        "loyalty_tier": "gold"}})
    assert r.status_code == 200, r.text
    assert r.json()["ignored"] == ["loyalty_tier"] and r.json()["golden_id"]
    assert mserver.client("system").post("/api/v1/match", json={"record": {"first_name": "A"},
                                                                "source": "nosuch"}).status_code == 404
