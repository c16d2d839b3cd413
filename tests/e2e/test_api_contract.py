"""The gaps schemathesis found between the OpenAPI document and the server, one by one,
against a real server: response date-times carry their offset; request date-times and dates
are strict strings; match records hold text or null; a reason needs a visible character (and
the document's pattern says so); an unknown webhook is a 404 at once, even while a pipeline
run holds the hub. Each refusal is a 422 that writes nothing."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from steward_e2e import Served

TIMES = {"asserted_at", "created_at", "updated_at", "valid_from", "valid_to", "occurred_at", "as_of", "decided_at",
         "revoked_at", "started_at", "finished_at", "at", "run_at"}


@pytest.fixture(scope="module")
def api(serve_copy: Callable[[str], Served]) -> Served:
    return serve_copy("contract")


@pytest.fixture(scope="module")
def admin(api: Served) -> httpx.Client:
    return api.client("admin")


@pytest.fixture(scope="module")
def document(admin: httpx.Client) -> dict[str, Any]:
    return dict(admin.get("/openapi.json").json())


def _times(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _times(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _times(v, key)
    elif key in TIMES and isinstance(value, str) and "T" in value:
        yield key, value


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "request.invalid" and field in error["message"], error


def test_response_date_times_carry_their_offset(admin: httpx.Client) -> None:
    golden = admin.get("/api/v1/golden", params={"limit": 15}).json()["golden"]
    seen: dict[str, int] = {}
    for g in golden:
        for key, value in _times(admin.get(f"/api/v1/golden/{g['golden_id']}").json()):
            assert dt.datetime.fromisoformat(value).tzinfo is not None, (g["golden_id"], key, value)
            seen[key] = seen.get(key, 0) + 1
    assert seen.get("asserted_at", 0) > 0 and seen.get("valid_from", 0) > 0, seen


def test_request_date_times_are_rfc3339_with_an_offset(admin: httpx.Client, document: dict[str, Any]) -> None:
    def upsert(source_id: str, updated_at: object) -> httpx.Response:
        return admin.post("/api/v1/records", json={"source": "web", "source_id": source_id,
                                                   "record": {"first_name": "Ola", "last_name": "Nordmann"},
                                                   "updated_at": updated_at})

    for i, bad in enumerate([0, 1700000000, "0", "2026-01-05T10:00:00", "2026-01-05", "2026-02-30T10:00:00Z",
                             True]):
        _refused(upsert(f"CT-bad-{i}", bad), "updated_at")
        assert admin.get(f"/api/v1/xref/web/CT-bad-{i}").status_code == 404   # nothing written
    ok = upsert("CT-ok", "2026-01-05T10:00:00+01:00")
    assert ok.status_code == 200, ok.text
    spec = document["components"]["schemas"]["RecordUpsert"]["properties"]["updated_at"]["anyOf"][0]
    assert spec["format"] == "date-time" and "naive" in spec["description"]
    assert not re.search(spec["pattern"], "2026-01-05T10:00:00") and re.search(spec["pattern"], "2026-01-05T10:00:00Z")


def test_a_decay_audit_date_is_a_date_string(admin: httpx.Client) -> None:
    before = admin.get("/api/v1/audits").json()["total"]
    for bad in (0, 20260131, "0", "2026-01-31T00:00:00Z", "31/01/2026"):
        _refused(admin.post("/api/v1/audits/decay", json={"as_of": bad}), "as_of")
    assert admin.get("/api/v1/audits").json()["total"] == before   # no 1970 audit
    made = admin.post("/api/v1/audits/decay", json={"as_of": "2026-01-31"})
    assert made.status_code == 201 and made.json()["as_of"] == "2026-01-31"


@pytest.mark.parametrize("value", [True, False, 78751, 1.5, ["a"], {"a": "b"}], ids=repr)
def test_match_records_hold_text_or_null(admin: httpx.Client, document: dict[str, Any], value: object) -> None:
    _refused(admin.post("/api/v1/match", json={"record": {"last_name": "Estrada", "postal_code": value}}),
             "record.postal_code")
    _refused(admin.post("/api/v1/records", json={"source": "web", "source_id": "CT-typed",
                                                 "record": {"postal_code": value}}), "record.postal_code")
    assert admin.get("/api/v1/xref/web/CT-typed").status_code == 404
    values = document["components"]["schemas"]["MatchCreate"]["properties"]["record"]["additionalProperties"]
    assert values["anyOf"] == [{"type": "string", "maxLength": 10000}, {"type": "null"}]


def test_text_and_null_values_match(admin: httpx.Client) -> None:
    found = admin.post("/api/v1/match", json={"record": {"last_name": "Estrada", "postal_code": "78751",
                                                         "email": None}})
    assert found.status_code == 200, found.text


@pytest.mark.parametrize("reason", ["\u00a0", " \t\n", "\u000b", "\x1c", "\u200b", "\u3000\ufeff", "\x02"],
                         ids=ascii)
def test_a_reason_needs_a_visible_character_and_the_schema_says_so(
        admin: httpx.Client, document: dict[str, Any], reason: str) -> None:
    pattern = document["components"]["schemas"]["MergeCreate"]["properties"]["reason"]["pattern"]
    assert not re.search(pattern, reason)                  # the document refuses it ...
    g1, g2 = (g["golden_id"] for g in admin.get("/api/v1/golden", params={"limit": 2}).json()["golden"])
    merged = admin.post(f"/api/v1/golden/{g1}/merge", json={"other": g2, "version": 1, "reason": reason})
    _refused(merged, "visible character")                  # ... and so does the server
    assert admin.get(f"/api/v1/golden/{g2}").json()["status"] == "active"
    task = admin.get("/api/v1/tasks", params={"status": "open", "limit": 1}).json()["tasks"][0]
    decided = admin.post(f"/api/v1/tasks/{task['task_id']}/decision",
                         json={"decision": "no_match", "version": task["version"], "reason": reason})
    _refused(decided, "visible character")
    for good in ("ok", " same person\u00a0", "é"):
        assert re.search(pattern, good)


def test_unknown_webhooks_are_404_at_once_while_a_run_holds_the_hub(admin: httpx.Client) -> None:
    run = admin.post("/api/v1/runs", json={"retrain": True})   # retraining: a run of some seconds
    assert run.status_code == 202, run.text
    run_id = run.json()["run_id"]
    deadline = time.monotonic() + 60
    while admin.get(f"/api/v1/runs/{run_id}").json()["progress"] == "queued":   # until the run holds the lock
        assert time.monotonic() < deadline
        time.sleep(0.05)
    try:
        for method, path in (("POST", "/api/v1/webhooks/987654/redrive"), ("DELETE", "/api/v1/webhooks/987654"),
                             ("GET", "/api/v1/webhooks/987654/dead-letters")):
            started = time.monotonic()
            answer = admin.request(method, path)
            assert answer.status_code == 404 and answer.json()["error"]["code"] == "webhook.not_found", answer.text
            assert time.monotonic() - started < 3, f"{method} {path} waited for the run"
        assert admin.get(f"/api/v1/runs/{run_id}").json()["status"] == "running"   # the lock was held throughout
    finally:
        while admin.get(f"/api/v1/runs/{run_id}").json()["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
