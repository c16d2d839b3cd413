"""The review queue over HTTP against a real server: listing, detail, masking, claims,
decisions with optimistic concurrency, and the audit entries they leave."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import httpx
from steward_e2e import Served

Take = Callable[[], dict[str, Any]]


def test_list_filters_and_pages(server: Served) -> None:
    c = server.client("reader")
    everything = c.get("/api/v1/tasks", params={"status": "open", "limit": 500}).json()
    assert everything["total"] == len(everything["tasks"]) >= 10
    probs = [t["match_probability"] for t in everything["tasks"]]
    assert probs == sorted(probs, reverse=True), "most likely matches first"
    first = c.get("/api/v1/tasks", params={"status": "open", "limit": 4, "offset": 0}).json()
    second = c.get("/api/v1/tasks", params={"status": "open", "limit": 4, "offset": 4}).json()
    assert first["total"] == everything["total"] and len(first["tasks"]) == 4
    ids = [t["task_id"] for t in first["tasks"]] + [t["task_id"] for t in second["tasks"]]
    assert ids == [t["task_id"] for t in everything["tasks"][:8]]
    review = c.get("/api/v1/tasks", params={"band": "review", "limit": 500}).json()
    assert review["total"] >= 1 and all(t["band"] == "review" for t in review["tasks"])
    assert c.get("/api/v1/tasks", params={"band": "nonsense"}).json()["total"] == 0
    cluster = everything["tasks"][0]["cluster_l"]
    by_cluster = c.get("/api/v1/tasks", params={"cluster": cluster}).json()["tasks"]
    assert by_cluster and all(cluster in (t["cluster_l"], t["cluster_r"]) for t in by_cluster)


def test_detail_shows_both_records_and_an_explanation_that_adds_up(server: Served, open_task: Take) -> None:
    task = open_task()
    d = server.client("steward").get(f"/api/v1/tasks/{task['task_id']}").json()
    assert d["task"]["task_id"] == task["task_id"] and d["masked"] is False
    assert d["left"]["unique_id"] == task["unique_id_l"] and d["right"]["unique_id"] == task["unique_id_r"]
    assert d["left"]["found"] and d["right"]["found"]
    assert d["left"]["source"] == task["unique_id_l"].split(":")[0]
    assert any(v["raw"] for v in d["left"]["attributes"].values())
    assert d["explanation"][0]["comparison"] == "prior"
    assert len(d["explanation"]) >= 3
    assert math.isclose(sum(e["weight"] for e in d["explanation"]), task["match_weight"], abs_tol=1e-6)


def test_readers_see_pii_masked(server: Served, open_task: Take) -> None:
    task = open_task()
    plain = server.client("steward").get(f"/api/v1/tasks/{task['task_id']}").json()
    masked = server.client("reader").get(f"/api/v1/tasks/{task['task_id']}").json()
    assert masked["masked"] is True
    checked = 0
    for side in ("left", "right"):
        for attr in ("email", "phone", "last_name", "birth_date", "national_id"):
            value = plain[side]["attributes"].get(attr, {}).get("raw")
            if value and len(value) > 1:
                shown = masked[side]["attributes"][attr]["raw"]
                assert shown != value and shown[0] == value[0] and set(shown[1:]) == {"*"}
                checked += 1
    assert checked >= 2
    # non-PII attributes are shown as they are
    for side in ("left", "right"):
        for attr in ("city", "state", "postal_code"):
            if attr in plain[side]["attributes"]:
                assert masked[side]["attributes"][attr] == plain[side]["attributes"][attr]


def _audit(server: Served, target: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = server.client("admin").get(
        "/api/v1/audit", params={"target": target, "limit": 1000}).json()["entries"]
    return entries


def test_decision_links_records_and_is_audited(server: Served, open_task: Take) -> None:
    task = open_task()
    c = server.client("steward")
    resp = c.post(f"/api/v1/tasks/{task['task_id']}/decision",
                  json={"decision": "no_match", "version": task["version"], "reason": "  different birth dates "})
    assert resp.status_code == 200, resp.text
    done = resp.json()
    assert done["status"] == "decided" and done["decision"] == "no_match" and done["decided_by"] == "steward-1"
    assert done["version"] == task["version"] + 1 and done["reason"] == "different birth dates"
    open_ids = {t["task_id"] for t in c.get("/api/v1/tasks", params={"status": "open", "limit": 500}).json()["tasks"]}
    assert task["task_id"] not in open_ids
    [entry] = _audit(server, f"task:{task['task_id']}")
    assert entry["action"] == "task.decide.no_match" and entry["actor"].startswith("steward-1 (key ")
    assert entry["before"]["status"] == "open" and entry["after"]["status"] == "decided"
    assert entry["after"]["link"] == {"table": "cannot_link", "unique_id_l": task["unique_id_l"],
                                      "unique_id_r": task["unique_id_r"]}
    again = c.post(f"/api/v1/tasks/{task['task_id']}/decision",
                   json={"decision": "match", "version": done["version"], "reason": "changed my mind"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "task.decided"


def test_stale_version_is_a_conflict(server: Served, open_task: Take) -> None:
    task = open_task()
    c = server.client("steward")
    claimed = c.post(f"/api/v1/tasks/{task['task_id']}/claim").json()
    assert claimed["assignee"] == "steward-1" and claimed["version"] == task["version"] + 1
    stale = c.post(f"/api/v1/tasks/{task['task_id']}/decision",
                   json={"decision": "match", "version": task["version"], "reason": "same person"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "task.version" and "reload" in stale.json()["error"]["message"]
    other = server.client("steward2").post(f"/api/v1/tasks/{task['task_id']}/claim")
    assert other.status_code == 409 and other.json()["error"]["code"] == "task.claimed"
    mine = c.get("/api/v1/tasks", params={"assignee": "steward-1", "status": "open"}).json()["tasks"]
    assert task["task_id"] in {t["task_id"] for t in mine}
    handed = c.put(f"/api/v1/tasks/{task['task_id']}/assignee", json={"assignee": "steward-2",
                                                                      "version": claimed["version"]})
    assert handed.status_code == 200 and handed.json()["assignee"] == "steward-2"
    ok = server.client("steward2").post(f"/api/v1/tasks/{task['task_id']}/decision",
                                        json={"decision": "match", "version": handed.json()["version"],
                                              "reason": "same person"})
    assert ok.status_code == 200, ok.text
    assert [e["action"] for e in _audit(server, f"task:{task['task_id']}")] == [
        "task.claim", "task.assign", "task.decide.match"]


def test_concurrent_deciders_exactly_one_wins(server: Served, open_task: Take) -> None:
    task = open_task()
    n = 8
    barrier = threading.Barrier(n)
    results: list[httpx.Response] = []
    lock = threading.Lock()
    clients = [server.client("steward" if i % 2 else "steward2") for i in range(n)]

    def decide(i: int) -> None:
        barrier.wait()
        r = clients[i].post(f"/api/v1/tasks/{task['task_id']}/decision",
                            json={"decision": "match" if i % 2 else "no_match", "version": task["version"],
                                  "reason": f"decider {i}"})
        with lock:
            results.append(r)

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (n - 1), [r.text for r in results]
    winner = next(r.json() for r in results if r.status_code == 200)
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} <= {"task.version", "task.decided"}
    final = server.client("admin").get(f"/api/v1/tasks/{task['task_id']}").json()["task"]
    assert final["decision"] == winner["decision"] and final["reason"] == winner["reason"]
    decided = [e for e in _audit(server, f"task:{task['task_id']}") if e["action"].startswith("task.decide")]
    assert len(decided) == 1, "exactly one decision was written"


def test_concurrent_decisions_on_different_tasks_are_all_kept(server: Served, open_task: Take) -> None:
    chosen = [open_task() for _ in range(4)]
    before = server.client("admin").get("/api/v1/audit/verify").json()["entries"]
    barrier = threading.Barrier(len(chosen))
    codes: list[int] = []

    def decide(task: dict[str, Any], client: httpx.Client) -> None:
        barrier.wait()
        codes.append(client.post(f"/api/v1/tasks/{task['task_id']}/decision",
                                 json={"decision": "match", "version": task["version"], "reason": "batch"}
                                 ).status_code)

    threads = [threading.Thread(target=decide, args=(t, server.client("steward"))) for t in chosen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == [200] * len(chosen)
    check = server.client("admin").get("/api/v1/audit/verify").json()
    assert check["ok"] is True and check["entries"] == before + len(chosen)


def test_bad_input_is_a_clear_4xx(server: Served, open_task: Take) -> None:
    task = open_task()
    c = server.client("steward")
    url = f"/api/v1/tasks/{task['task_id']}/decision"
    cases: list[tuple[Any, str]] = [
        ({"decision": "maybe", "version": 1, "reason": "x"}, "decision"),
        ({"decision": "match", "version": 0, "reason": "x"}, "version"),
        ({"decision": "match", "version": 1}, "reason"),
        ({"decision": "match", "version": 1, "reason": "   "}, "reason"),
        ({"decision": "match", "version": 1, "reason": "x", "extra": 1}, "extra"),
        ([1, 2], "Input should be a valid dictionary"),
    ]
    for body, fragment in cases:
        r = c.post(url, json=body)
        assert r.status_code == 422, (body, r.text)
        err = r.json()["error"]
        assert err["code"] == "request.invalid" and fragment in err["message"] and "\n" not in err["message"]
    r = c.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    assert c.get("/api/v1/tasks/abc").status_code == 422
    missing = c.get("/api/v1/tasks/999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "task.not_found"
    nowhere = c.get("/api/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "http.not_found"
    wrong = c.delete("/api/v1/tasks")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "http.method_not_allowed"
    untouched = c.get(f"/api/v1/tasks/{task['task_id']}").json()["task"]
    assert untouched["status"] == "open" and untouched["version"] == task["version"]
