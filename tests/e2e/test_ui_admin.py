"""Admin pages of the web UI (issue 19.6) in a real headless Chromium against a real server:
create an API key and see it once, use it against the API, revoke it and see the API refuse it;
start a pipeline run and follow it; see a webhook subscription's deliveries and redeliver its
dead letters to a real receiver; see the scheduled jobs. Each is checked against the API and the
audit log; stewards and readers get 403 on every admin page and POST. Screenshots land in
test-artifacts/ui/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from steward_e2e import Served, start_server, stop_server, wait_for
from test_ui import login, shot
from webhook_receiver import Receiver

SCHEDULES = ('\nschedules:\n'
             '  - {name: nightly-decay, job: decay_audit, cron: "0 2 * * *"}\n'
             '  - {name: monthly-publish, job: publish, cron: "0 3 1 * *", options: {target: crm}}\n')


@pytest.fixture(scope="module")
def admin_server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server on a copy of the demo whose mdm.yaml schedules two jobs."""
    workdir = tmp_path_factory.mktemp("served-admin-ui") / "demo"
    shutil.copytree(demo_dir, workdir)
    config = workdir / "mdm.yaml"
    config.write_text(config.read_text() + SCHEDULES)
    served = start_server(workdir)
    yield served
    stop_server(served)


@pytest.fixture
def new_page(chromium: Browser, admin_server: Served) -> Iterator[Callable[[], Page]]:
    """Factory: a page in a fresh browser context (its own cookies), nothing fetched off the server."""
    contexts, offsite = [], []

    def make() -> Page:
        context = chromium.new_context(base_url=admin_server.url, viewport={"width": 1280, "height": 900})
        context.on("request", lambda req: offsite.append(req.url) if not req.url.startswith(admin_server.url)
                   else None)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert offsite == [], f"the UI fetched from outside the server: {offsite}"


def _audit(admin: httpx.Client, **query: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = admin.get("/api/v1/audit", params={**query, "limit": 1000}).json()["entries"]
    return entries


def _csrf(page: Page) -> str:
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    assert token
    return token


def test_admin_creates_a_key_sees_it_once_and_revokes_it(new_page: Callable[[], Page],
                                                          admin_server: Served) -> None:
    admin_api = admin_server.client("admin")
    page = new_page()
    login(page, admin_server.keys["admin"], "/ui/admin")
    expect(page).to_have_url(re.compile(r"/ui/admin/keys$"))
    expect(page.get_by_test_id("nav-admin")).to_be_visible()
    mine = admin_api.get("/api/v1/me").json()["key_id"]
    expect(page.get_by_test_id(f"key-{mine}")).to_contain_text("your key")
    expect(page.get_by_test_id(f"revoke-{mine}")).to_have_count(0)  # a key cannot revoke itself

    page.fill("#key-name", "ui made key")
    page.select_option("#key-role", "reader")
    page.get_by_test_id("key-create-submit").click()
    expect(page.get_by_test_id("key-created")).to_contain_text("ui made key (reader)")
    key = page.get_by_test_id("new-key").input_value()
    found = re.fullmatch(r"mdm_([A-Za-z0-9]{10})_[A-Za-z0-9_-]{20,}", key)
    assert found, key
    prefix = found.group(1)
    assert key not in page.url
    shot(page, "60-admin-key-created")

    # the key works against the API, with the role picked
    me = admin_server.client(key=key).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["name"] == "ui made key" and me.json()["role"] == "reader"
    key_id = me.json()["key_id"]
    listed = {k["key_id"]: k for k in admin_api.get("/api/v1/keys").json()["keys"]}
    assert listed[key_id]["prefix"] == prefix and listed[key_id]["revoked_at"] is None
    [made] = [e for e in _audit(admin_api, action="key.create") if e["target"] == f"key:{key_id}"]
    assert made["actor"].startswith("admin-1 (key") and made["after"]["role"] == "reader"
    assert key not in str(made)

    # shown once: the list never shows it again, nor does the server log
    page.goto("/ui/admin/keys")
    row = page.get_by_test_id(f"key-{key_id}")
    expect(row).to_contain_text("reader")
    expect(row).to_contain_text(f"mdm_{prefix}_")
    expect(page.get_by_test_id(f"last-used-{key_id}")).to_have_text("—")
    assert key not in page.content() and key[16:] not in page.content()
    assert key not in admin_server.log_text()

    # logging in with the key counts as a use of it
    other = new_page()
    login(other, key, "/ui/tasks")
    expect(other.get_by_test_id("who")).to_have_text("ui made key · reader")
    expect(other.get_by_test_id("nav-admin")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id(f"last-used-{key_id}")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"))
    shot(page, "61-admin-keys")

    # revoke: a confirmation first, which changes nothing
    page.get_by_test_id(f"revoke-{key_id}").click()
    expect(page.get_by_test_id("revoke-confirm")).to_contain_text(f"Revoke key {key_id} (ui made key, reader)?")
    shot(page, "62-admin-key-revoke-confirm")
    assert admin_server.client(key=key).get("/api/v1/me").status_code == 200
    stale = page.request.post(f"/ui/admin/keys/{key_id}/revoke", form={"csrf": "not-the-token"})
    assert stale.status == 403 and "auth.csrf" in stale.text()
    assert admin_server.client(key=key).get("/api/v1/me").status_code == 200
    page.get_by_test_id("revoke-submit").click()
    expect(page.get_by_test_id("admin-notice")).to_contain_text(f"key {key_id} (ui made key, mdm_{prefix}_…) revoked")
    expect(page.get_by_test_id(f"revoked-{key_id}")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d "))
    expect(page.get_by_test_id(f"revoke-{key_id}")).to_have_count(0)
    shot(page, "63-admin-key-revoked")
    refused = admin_server.client(key=key).get("/api/v1/me")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "auth.unauthenticated"
    [gone] = [e for e in _audit(admin_api, action="key.revoke") if e["target"] == f"key:{key_id}"]
    assert gone["actor"].startswith("admin-1 (key") and gone["after"]["sessions_ended"] == 1
    other.goto("/ui/tasks")  # the key's web session ended with it
    expect(other).to_have_url(re.compile(r"/ui/login\?next="))

    # again: refused with the reason, nothing changes
    page.goto(f"/ui/admin/keys?revoke={key_id}")
    expect(page.get_by_test_id("admin-error")).to_contain_text(f"API key {key_id} is already revoked")
    expect(page.get_by_test_id("revoke-confirm")).to_have_count(0)
    # a bad name is refused with the reason and creates nothing
    count = len(admin_api.get("/api/v1/keys").json()["keys"])
    page.evaluate("document.querySelector('#key-name').removeAttribute('pattern')")
    page.fill("#key-name", "-bad/name")
    page.get_by_test_id("key-create-submit").click()
    expect(page.get_by_test_id("admin-error")).to_contain_text("the key was not created")
    assert len(admin_api.get("/api/v1/keys").json()["keys"]) == count


def test_admin_sees_deliveries_and_redelivers_dead_letters(new_page: Callable[[], Page], admin_server: Served) -> None:
    admin_api = admin_server.client("admin")
    receiver, sid = Receiver(), None
    try:
        receiver.up = False
        events = admin_api.get("/api/v1/events", params={"after": 0, "limit": 500}).json()["events"]
        while more := admin_api.get("/api/v1/events", params={"after": events[-1]["seq"], "limit": 500}).json()[
                "events"]:
            events += more
        created = admin_api.post("/api/v1/webhooks", json={"url": receiver.url, "max_attempts": 1,
                                                            "from_seq": events[-3]["seq"]})
        assert created.status_code == 201, created.text
        sid, secret = created.json()["subscription_id"], created.json()["secret"]
        wait_for(lambda: len(admin_api.get(f"/api/v1/webhooks/{sid}/dead-letters").json()["dead_letters"]) == 3,
                 "3 dead letters")
        dead = admin_api.get(f"/api/v1/webhooks/{sid}/dead-letters").json()["dead_letters"]

        page = new_page()
        login(page, admin_server.keys["admin"], "/ui/admin/webhooks")
        row = page.locator(f"tr[data-webhook-id='{sid}']")
        expect(row).to_contain_text(receiver.url)
        expect(page.get_by_test_id(f"webhook-dead-{sid}")).to_have_text("3")
        assert secret not in page.content()
        shot(page, "64-admin-webhooks")
        page.get_by_test_id(f"webhook-{sid}").click()
        expect(page).to_have_url(re.compile(rf"/ui/admin/webhooks/{sid}$"))
        expect(page.get_by_test_id("webhook-url")).to_have_text(receiver.url)
        expect(page.get_by_test_id("delivery-counts")).to_have_text("0 delivered · 0 pending · 3 dead")
        letters = page.get_by_test_id("dead-letters")
        for d in dead:
            expect(letters.locator(f"tr[data-delivery-id='{d['delivery_id']}']")).to_contain_text(d["golden_id"])
        expect(page.get_by_test_id("deliveries").locator("tr[data-status='dead']")).to_have_count(3)
        expect(letters).to_contain_text("HTTP 503")
        assert secret not in page.content()
        shot(page, "65-admin-webhook-dead-letters")

        # redeliver one picked dead letter, then the rest
        receiver.up = True
        page.get_by_test_id(f"pick-delivery-{dead[0]['delivery_id']}").check()
        page.get_by_test_id("redrive-submit").click()
        expect(page.get_by_test_id("admin-notice")).to_contain_text("1 dead letter put back in the queue")
        wait_for(lambda: len(receiver.accepted()) == 1, "the redelivered letter")
        assert receiver.accepted()[0].event["seq"] == dead[0]["seq"]
        page.goto(f"/ui/admin/webhooks/{sid}")
        expect(page.get_by_test_id("delivery-counts")).to_have_text("1 delivered · 0 pending · 2 dead")
        expect(page.get_by_test_id("deliveries").locator(
            f"tr[data-delivery-id='{dead[0]['delivery_id']}']")).to_have_attribute("data-status", "delivered")
        page.get_by_test_id("redrive-submit").click()
        expect(page.get_by_test_id("admin-notice")).to_contain_text("2 dead letters put back in the queue")
        wait_for(lambda: len(receiver.accepted()) == 3, "every redelivered letter")
        assert receiver.all_signed_by(secret)
        page.goto(f"/ui/admin/webhooks/{sid}")
        expect(page.get_by_test_id("dead-letters")).to_contain_text("No dead letters.")
        expect(page.get_by_test_id("deliveries").locator("tr[data-status='delivered']")).to_have_count(3)
        shot(page, "66-admin-webhook-redelivered")
        assert admin_api.get(f"/api/v1/webhooks/{sid}/dead-letters").json()["dead_letters"] == []
        redrives = _audit(admin_api, target=f"webhook:{sid}", action="webhook.redrive")
        assert [e["after"] for e in redrives] == [{"delivery_ids": [dead[0]["delivery_id"]], "redriven": 1},
                                                  {"delivery_ids": None, "redriven": 2}]
        assert all(e["actor"].startswith("admin-1 (key") for e in redrives)
        stale = page.request.post(f"/ui/admin/webhooks/{sid}/redrive", form={"csrf": "stale"})
        assert stale.status == 403 and "auth.csrf" in stale.text()
        assert page.request.get("/ui/admin/webhooks/999999").status == 404
    finally:
        receiver.close()
        if sid is not None:
            admin_api.delete(f"/api/v1/webhooks/{sid}")


def test_admin_sees_the_scheduled_jobs(new_page: Callable[[], Page], admin_server: Served) -> None:
    jobs = {s["name"]: s for s in admin_server.client("admin").get("/api/v1/schedules").json()["schedules"]}
    assert set(jobs) == {"nightly-decay", "monthly-publish"}
    page = new_page()
    login(page, admin_server.keys["admin"], "/ui/admin/schedules")
    table = page.get_by_test_id("schedules")
    for name, job in jobs.items():
        row = table.locator(f"tr[data-schedule='{name}']")
        expect(row).to_contain_text(job["job"])
        expect(row).to_contain_text(job["cron"])
        expect(page.get_by_test_id(f"schedule-status-{name}")).to_have_text(job["last_status"] or "not run yet")
        expect(page.get_by_test_id(f"schedule-next-{name}")).to_have_text(
            job["next_run"][:19].replace("T", " "))
    shot(page, "67-admin-schedules")


def test_admin_starts_a_run_and_follows_it(new_page: Callable[[], Page], admin_server: Served) -> None:
    admin_api = admin_server.client("admin")
    before = admin_api.get("/api/v1/runs").json()["total"]
    page = new_page()
    login(page, admin_server.keys["admin"], "/ui/admin/runs")
    expect(page.get_by_test_id("runs-total")).to_contain_text(f"{before} run")
    page.get_by_test_id("run-start-submit").click()
    expect(page).to_have_url(re.compile(r"/ui/admin/runs/\d+\?notice="))
    run_id = int(re.search(r"/runs/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    expect(page.get_by_test_id("admin-notice")).to_have_text(f"run {run_id} started")
    expect(page.get_by_test_id("run-status")).to_contain_text(re.compile("running|succeeded"))
    shot(page, "68-admin-run-started")
    listed = admin_api.get("/api/v1/runs").json()
    assert listed["total"] == before + 1 and listed["runs"][0]["run_id"] == run_id
    assert listed["runs"][0]["requested_by"] == "admin-1"
    [started] = [e for e in _audit(admin_api, action="run.start") if e["target"] == f"run:{run_id}"]
    assert started["actor"].startswith("admin-1 (key") and started["after"] == {"retrain": False}

    # a second start while it runs is refused with the reason (or it has finished already)
    wait_for(lambda: admin_api.get(f"/api/v1/runs/{run_id}").json()["status"] != "running", "the run")
    run = admin_api.get(f"/api/v1/runs/{run_id}").json()
    assert run["status"] == "succeeded", run
    page.goto(f"/ui/admin/runs/{run_id}")  # the page reloads itself while running; this is the settled view
    expect(page.get_by_test_id("run-status")).to_have_text("succeeded")
    expect(page.get_by_test_id("run-progress")).to_have_text(run["progress"])
    expect(page.get_by_test_id("run-totals")).to_contain_text(str(run["summary"]["totals"]["rows_read"]))
    if run["report"]:
        expect(page.get_by_test_id("run-report")).to_have_text(run["report"])
    shot(page, "69-admin-run-finished")
    page.goto("/ui/admin/runs")
    expect(page.get_by_test_id(f"run-status-{run_id}")).to_have_text("succeeded")
    expect(page.get_by_test_id("runs-total")).to_contain_text(f"{before + 1} run")
    shot(page, "70-admin-runs")
    assert page.request.get("/ui/admin/runs/999999").status == 404


@pytest.mark.parametrize("role", ["steward", "reader"])
def test_other_roles_get_403_on_every_admin_page(new_page: Callable[[], Page], admin_server: Served,
                                                 role: str) -> None:
    admin_api = admin_server.client("admin")
    sid = admin_api.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/never"}).json()["subscription_id"]
    page = new_page()
    login(page, admin_server.keys[role], "/ui/tasks")
    expect(page.get_by_test_id("who")).to_contain_text(role)
    expect(page.get_by_test_id("nav-admin")).to_have_count(0)
    for path in ("/ui/admin", "/ui/admin/keys", "/ui/admin/keys?revoke=1", "/ui/admin/runs", "/ui/admin/runs/1",
                 "/ui/admin/webhooks", f"/ui/admin/webhooks/{sid}", "/ui/admin/schedules"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        expect(page.locator("h1")).to_have_text("403")
        expect(page.locator("code")).to_have_text("auth.forbidden")
    shot(page, f"71-admin-403-{role}")
    page.goto("/ui/tasks")
    csrf = _csrf(page)  # a valid token of this session: the role, not the token, is what refuses
    keys = len(admin_api.get("/api/v1/keys").json()["keys"])
    runs = admin_api.get("/api/v1/runs").json()["total"]
    posts: list[tuple[str, dict[str, str | float | bool]]] = [
        ("/ui/admin/keys", {"csrf": csrf, "name": f"{role} escalates", "role": "admin"}),
        ("/ui/admin/keys/1/revoke", {"csrf": csrf}), ("/ui/admin/runs", {"csrf": csrf}),
        (f"/ui/admin/webhooks/{sid}/redrive", {"csrf": csrf})]
    for path, form in posts:
        refused = page.request.post(path, form=form)
        assert refused.status == 403 and "auth.forbidden" in refused.text(), path
    assert len(admin_api.get("/api/v1/keys").json()["keys"]) == keys
    assert admin_api.get("/api/v1/runs").json()["total"] == runs
    assert admin_api.delete(f"/api/v1/webhooks/{sid}").status_code == 204
