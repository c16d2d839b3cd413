"""Golden records over HTTP against a real server: read (masking, lineage, history, as_of,
merged-away redirects), search, xref, conflicts; decisions that rebuild at once; merge,
split and override with optimistic concurrency and audit entries."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from steward_e2e import Served, start_server, stop_server


@pytest.fixture(scope="module")
def gserver(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server of its own: these tests change golden records the shared server's tests read.

    Review tasks open only between records in different clusters; an older task whose two
    records a later run put in one cluster is the case a no-match decision must split, so
    one such task is seeded before the server starts."""
    workdir = tmp_path_factory.mktemp("served-golden") / "demo"
    shutil.copytree(demo_dir, workdir)
    con = duckdb.connect(str(workdir / "hub.duckdb"))
    pair = con.execute("""SELECT list(unique_id ORDER BY unique_id)[1:2] FROM cluster_member GROUP BY cluster_id
                          HAVING count(*) >= 2 ORDER BY cluster_id LIMIT 1""").fetchone()
    assert pair is not None
    con.execute("""INSERT INTO review_task (task_id, status, created_at, run_id, unique_id_l, unique_id_r,
                       match_probability, match_weight, explanation, version)
                   VALUES (nextval('task_id_seq'), 'open', now(), 1, ?, ?, 0.9, 3.2, '[]', 1)""", pair[0])
    con.close()
    served = start_server(workdir)
    yield served
    stop_server(served)


def _xref(c: httpx.Client, unique_id: str) -> str:
    source, _, source_id = unique_id.partition(":")
    r = c.get(f"/api/v1/xref/{source}/{source_id}")
    assert r.status_code == 200, r.text
    return str(r.json()["golden_id"])


def _golden(c: httpx.Client, gid: str) -> dict[str, Any]:
    r = c.get(f"/api/v1/golden/{gid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _multi(c: httpx.Client, at_least: int = 3) -> dict[str, Any]:
    page = c.get("/api/v1/golden", params={"limit": 500}).json()
    for g in page["golden"]:
        if g["member_count"] >= at_least:
            return _golden(c, g["golden_id"])
    raise AssertionError("no golden record with enough members in the demo")


def test_read_masks_pii_for_readers_and_shows_lineage(gserver: Served) -> None:
    steward, reader, system = gserver.client("steward"), gserver.client("reader"), gserver.client("system")
    g = _multi(steward)
    assert g["status"] == "active" and g["masked"] is False and g["members_total"] == g["member_count"]
    assert {m["unique_id"] for m in g["members"]} and g["versions"][0]["version"] == g["version"]
    assert g["lineage"] and all(e["rule"] and e["attribute"] in g["record"] for e in g["lineage"])
    assert g["events"] and g["events"][-1]["type"] == "created"
    masked = _golden(reader, g["golden_id"])
    assert masked["masked"] is True and system.get(f"/api/v1/golden/{g['golden_id']}").status_code == 200
    if g["record"].get("email"):
        assert masked["record"]["email"] != g["record"]["email"] and masked["record"]["email"].endswith("*")
    assert masked["record"]["city"] == g["record"]["city"], "non-PII stays clear"
    assert reader.get("/api/v1/golden/G9999999999").json()["error"]["code"] == "golden.not_found"


def test_search_pages_and_uses_standardised_forms(gserver: Served) -> None:
    c = gserver.client("steward")
    everything = c.get("/api/v1/golden", params={"limit": 500}).json()
    assert everything["total"] == len(everything["golden"]) > 50
    page = c.get("/api/v1/golden", params={"limit": 5, "offset": 5}).json()
    assert [g["golden_id"] for g in page["golden"]] == [g["golden_id"] for g in everything["golden"][5:10]]
    target = next(g for g in everything["golden"] if g["record"].get("email") and g["record"].get("phone"))
    rec = target["record"]
    by_email = c.get("/api/v1/golden", params={"email": f"  {rec['email'].upper()} "}).json()
    assert target["golden_id"] in [g["golden_id"] for g in by_email["golden"]]
    digits = "".join(ch for ch in rec["phone"] if ch.isdigit())[-10:]
    spaced = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    assert target["golden_id"] in [g["golden_id"] for g in c.get("/api/v1/golden", params={"phone": spaced})
                                   .json()["golden"]]
    name = c.get("/api/v1/golden", params={"name": rec["last_name"].lower(), "limit": 500}).json()
    assert target["golden_id"] in [g["golden_id"] for g in name["golden"]]
    q = c.get("/api/v1/golden", params={"q": f"{rec['first_name']} {rec['last_name']}"}).json()
    assert target["golden_id"] in [g["golden_id"] for g in q["golden"]]
    assert c.get("/api/v1/golden", params={"q": "zzqx-nobody"}).json()["total"] == 0
    assert c.get("/api/v1/golden", params={"q": "x", "bogus": "1"}).status_code == 422


def test_conflicts_list_disagreeing_sources(gserver: Served) -> None:
    page = gserver.client("reader").get("/api/v1/golden/conflicts", params={"limit": 10}).json()
    assert page["total"] >= 1
    for c in page["conflicts"]:
        assert len(c["values"]) >= 2 and all(v["records"] for v in c["values"])


def test_no_match_decision_splits_a_golden_record_at_once(gserver: Served) -> None:
    steward = gserver.client("steward")
    tasks = steward.get("/api/v1/tasks", params={"status": "open", "limit": 500}).json()["tasks"]
    task = next(t for t in tasks if _xref(steward, t["unique_id_l"]) == _xref(steward, t["unique_id_r"]))
    gid = _xref(steward, task["unique_id_l"])
    before = _golden(steward, gid)
    last = before["events"][0]["seq"]
    r = steward.post(f"/api/v1/tasks/{task['task_id']}/decision",
                     json={"decision": "no_match", "version": task["version"], "reason": "different people"})
    assert r.status_code == 200, r.text
    left, right = _xref(steward, task["unique_id_l"]), _xref(steward, task["unique_id_r"])
    assert left != right and gid in (left, right)
    events = _golden(steward, gid)["events"]
    assert events[0]["seq"] > last and events[0]["type"] == "split"
    assert events[0]["actor"].startswith("steward-1")


def test_match_decision_merges_two_golden_records(gserver: Served) -> None:
    steward = gserver.client("steward")
    tasks = steward.get("/api/v1/tasks", params={"status": "open", "limit": 500}).json()["tasks"]
    task = next(t for t in tasks if _xref(steward, t["unique_id_l"]) != _xref(steward, t["unique_id_r"]))
    a, b = _xref(steward, task["unique_id_l"]), _xref(steward, task["unique_id_r"])
    r = steward.post(f"/api/v1/tasks/{task['task_id']}/decision",
                     json={"decision": "match", "version": task["version"], "reason": "same person"})
    assert r.status_code == 200, r.text
    older, newer = sorted((a, b))
    assert _xref(steward, task["unique_id_l"]) == _xref(steward, task["unique_id_r"]) == older
    moved = steward.get(f"/api/v1/golden/{newer}", params={"as_of": dt.datetime.now().astimezone().isoformat()})
    assert moved.status_code == 200 and moved.json()["status"] == "merged"
    redirect = steward.get(f"/api/v1/golden/{newer}")
    assert redirect.status_code == 307 and redirect.headers["location"] == f"/api/v1/golden/{older}"
    assert gserver.client("reader").get(f"/api/v1/golden/{newer}", follow_redirects=True).json()["golden_id"] == older


def test_split_then_merge_undoes_it_with_concurrency_and_audit(gserver: Served) -> None:
    steward, admin = gserver.client("steward"), gserver.client("admin")
    g = _multi(steward)
    gid, version = g["golden_id"], g["version"]
    part = [g["members"][-1]["unique_id"]]
    assert gserver.client("reader").post(f"/api/v1/golden/{gid}/split", json={
        "records": part, "version": version, "reason": "x"}).status_code == 403
    stale = steward.post(f"/api/v1/golden/{gid}/split", json={"records": part, "version": version + 7,
                                                                "reason": "different person"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "golden.version"
    bad = steward.post(f"/api/v1/golden/{gid}/split", json={"records": ["crm:nobody"], "version": version,
                                                              "reason": "x"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "golden.not_member"
    r = steward.post(f"/api/v1/golden/{gid}/split", json={"records": part, "version": version,
                                                            "reason": "different person"})
    assert r.status_code == 200, r.text
    split = r.json()
    assert split["golden_id"] == gid and split["split_off"] != gid and _xref(steward, part[0]) == split["split_off"]
    again = steward.post(f"/api/v1/golden/{gid}/split", json={"records": [g["members"][0]["unique_id"]],
                                                                "version": version, "reason": "x"})
    assert again.status_code == 409, "the split bumped the version"
    now = _golden(steward, gid)
    m = steward.post(f"/api/v1/golden/{gid}/merge", json={"other": split["split_off"], "version": now["version"],
                                                           "reason": "it was the same person after all"})
    assert m.status_code == 200, m.text
    assert m.json()["golden_id"] == gid and _xref(steward, part[0]) == gid
    assert _golden(steward, gid)["member_count"] == g["member_count"]
    actions = [e["action"] for e in admin.get("/api/v1/audit", params={"target": f"golden:{gid}"}).json()["entries"]]
    assert actions[-2:] == ["golden.split", "golden.merge"]
    entry = admin.get("/api/v1/audit", params={"target": f"golden:{gid}"}).json()["entries"][-1]
    assert entry["before"]["golden"]["version"] == now["version"]
    assert any(link["table"] == "cannot_link" for link in entry["after"]["links_removed"])


def test_override_wins_until_deleted(gserver: Served) -> None:
    steward = gserver.client("steward")
    g = _multi(steward, 2)
    gid = g["golden_id"]
    r = steward.post(f"/api/v1/golden/{gid}/overrides", json={"attribute": "job_title", "value": "Chief Tester",
                                                                "version": g["version"], "reason": "she said so"})
    assert r.status_code == 201, r.text
    override_id = r.json()["override_id"]
    after = _golden(steward, gid)
    assert after["record"]["job_title"] == "Chief Tester" and after["version"] == g["version"] + 1
    lineage = next(e for e in after["lineage"] if e["attribute"] == "job_title")
    assert (lineage["source"], lineage["rule"]) == ("steward", "steward_override")
    assert after["overrides"][0]["override_id"] == override_id
    unknown = steward.post(f"/api/v1/golden/{gid}/overrides", json={"attribute": "shoe_size", "value": "9",
                                                                      "version": after["version"], "reason": "x"})
    assert unknown.status_code == 422
    assert steward.delete(f"/api/v1/golden/{gid}/overrides/{override_id}",
                          params={"version": g["version"]}).status_code == 409
    d = steward.delete(f"/api/v1/golden/{gid}/overrides/{override_id}", params={"version": after["version"]})
    assert d.status_code == 200, d.text
    reverted = _golden(steward, gid)
    assert reverted["record"]["job_title"] == g["record"]["job_title"] and not reverted["overrides"]
    old = steward.get(f"/api/v1/golden/{gid}", params={"as_of": after["updated_at"]}).json()
    assert old["version_shown"] == after["version"] and old["record"]["job_title"] == "Chief Tester"
