"""Web-UI sessions end on the server, in a real headless Chromium against a real ``mdm serve``:
a copied session cookie stops working after logout, after its key is revoked and after its
key's role changes. Also the pages' security headers (CSP, framing, referrer), the cookies'
Secure rule and the ``Allow`` header of every 405."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Cookie, Page, expect
from steward_e2e import Served
from test_ui import login

NOWHERE = 999999  # no task has this id: a request that gets through auth ends at 404, never a change


@pytest.fixture
def contexts(chromium: Browser, server: Served) -> Iterator[list[BrowserContext]]:
    """Browser contexts (each its own cookie jar, like separate browsers), closed afterwards."""
    made: list[BrowserContext] = []
    yield made
    for ctx in made:
        ctx.close()


def _browser(chromium: Browser, server: Served, contexts: list[BrowserContext],
             cookies: list[Cookie] | None = None) -> tuple[BrowserContext, Page]:
    ctx = chromium.new_context(base_url=server.url)
    if cookies:
        ctx.add_cookies(cookies)  # type: ignore[arg-type]  # a read cookie is a valid cookie to set
    contexts.append(ctx)
    return ctx, ctx.new_page()


def _fresh_key(server: Served, role: str, name: str) -> tuple[str, int]:
    made = server.client("admin").post("/api/v1/keys", json={"name": name, "role": role})
    assert made.status_code == 201, made.text
    return made.json()["key"], made.json()["key_id"]


def _session_cookie(ctx: BrowserContext) -> Cookie:
    return next(c for c in ctx.cookies() if c["name"] == "mdm_session")


def _logged_in(page: Page, key: str, role: str) -> str:
    """Log in, check the page says who; returns the page's CSRF token (what a thief would also have)."""
    login(page, key)
    expect(page).to_have_url(re.compile(r"/ui/tasks$"))
    expect(page.get_by_test_id("who")).to_contain_text(f"· {role}")
    token = page.locator("form[action='/ui/logout'] input[name=csrf]").get_attribute("value")
    assert token
    return token


def _works(ctx: BrowserContext, page: Page, csrf: str) -> bool:
    """Whether the context's session cookie still opens pages and gets a form post through auth."""
    page.goto("/ui/tasks")
    post = ctx.request.post(f"/ui/tasks/{NOWHERE}/claim", form={"csrf": csrf}, max_redirects=0)
    if page.get_by_test_id("who").count() == 1:
        assert post.status == 404, "through auth, then no such task"
        return True
    expect(page).to_have_url(re.compile(r"/ui/login\?next=%2Fui%2Ftasks$"))
    assert post.status == 401, post.status
    return False


def _audit(server: Served, key_id: int) -> list[dict[str, Any]]:
    got = server.client("admin").get("/api/v1/audit", params={"target": f"key:{key_id}"})
    assert got.status_code == 200, got.text
    return list(got.json()["entries"])


def test_logout_ends_every_copy_of_the_session(chromium: Browser, server: Served,
                                               contexts: list[BrowserContext]) -> None:
    key, key_id = _fresh_key(server, "steward", "session-logout")
    ctx, page = _browser(chromium, server, contexts)
    csrf = _logged_in(page, key, "steward")
    cookie = _session_cookie(ctx)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/ui"
    assert not cookie["secure"], "plain http on 127.0.0.1: a Secure cookie would not be kept"
    assert key not in cookie["value"]
    thief_ctx, thief = _browser(chromium, server, contexts, [cookie])
    assert _works(thief_ctx, thief, csrf), "the copy works while the session lives"

    page.click("text=Log out")
    expect(page).to_have_url(re.compile(r"/ui/login$"))
    assert not [c for c in ctx.cookies() if c["name"] == "mdm_session"]
    assert _session_cookie(thief_ctx)["value"] == cookie["value"], "the copy is still in the other browser..."
    assert not _works(thief_ctx, thief, csrf), "...but the server has ended its session"
    assert not _works(ctx, page, csrf)
    entries = _audit(server, key_id)
    assert [e["action"] for e in entries] == ["key.create", "session.login", "session.logout"]
    assert entries[1]["actor"] == entries[2]["actor"] == f"session-logout (key {key_id}, steward)"
    assert entries[1]["after"]["session"] == entries[2]["after"]["session"]
    assert cookie["value"] not in str(entries) and key not in server.log_text()


def test_revoking_a_key_ends_all_its_sessions(chromium: Browser, server: Served,
                                             contexts: list[BrowserContext]) -> None:
    key, key_id = _fresh_key(server, "steward", "session-revoke")
    ctx1, page1 = _browser(chromium, server, contexts)
    ctx2, page2 = _browser(chromium, server, contexts)
    csrf1, csrf2 = _logged_in(page1, key, "steward"), _logged_in(page2, key, "steward")
    thief_ctx, thief = _browser(chromium, server, contexts, [_session_cookie(ctx1)])
    assert _works(thief_ctx, thief, csrf1)

    revoked = server.client("admin").delete(f"/api/v1/keys/{key_id}")
    assert revoked.status_code == 200, revoked.text
    for c, p, token in ((ctx1, page1, csrf1), (ctx2, page2, csrf2), (thief_ctx, thief, csrf1)):
        assert not _works(c, p, token)
    page1.fill("#api_key", key)
    page1.click("button[type=submit]")
    expect(page1.get_by_test_id("login-error")).to_contain_text("revoked")
    last = _audit(server, key_id)[-1]
    assert last["action"] == "key.revoke" and last["after"]["sessions_ended"] == 2


def test_changing_a_keys_role_ends_its_sessions(chromium: Browser, server: Served,
                                               contexts: list[BrowserContext]) -> None:
    key, key_id = _fresh_key(server, "steward", "session-role")
    ctx, page = _browser(chromium, server, contexts)
    csrf = _logged_in(page, key, "steward")
    thief_ctx, thief = _browser(chromium, server, contexts, [_session_cookie(ctx)])
    assert _works(thief_ctx, thief, csrf)

    admin = server.client("admin")
    changed = admin.patch(f"/api/v1/keys/{key_id}", json={"role": "reader"})
    assert changed.status_code == 200 and changed.json()["role"] == "reader", changed.text
    assert server.client(key=key).get("/api/v1/me").json()["role"] == "reader", "the API sees the new role at once"
    assert not _works(thief_ctx, thief, csrf)
    assert not _works(ctx, page, csrf)
    page.fill("#api_key", key)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("who")).to_have_text("session-role · reader")
    assert [e["action"] for e in _audit(server, key_id)] == ["key.create", "session.login", "key.role",
                                                             "session.login"]

    same = admin.patch(f"/api/v1/keys/{key_id}", json={"role": "reader"})
    assert same.status_code == 200
    page.reload()
    expect(page.get_by_test_id("who")).to_have_text("session-role · reader")  # the same role ends nothing
    own = admin.get("/api/v1/me").json()["key_id"]
    self_change = admin.patch(f"/api/v1/keys/{own}", json={"role": "reader"})
    assert self_change.status_code == 409 and self_change.json()["error"]["code"] == "key.self_role"
    bad = admin.patch(f"/api/v1/keys/{key_id}", json={"role": "wizard"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "request.invalid"
    assert admin.patch(f"/api/v1/keys/{NOWHERE}", json={"role": "reader"}).status_code == 404
    assert server.client("steward").patch(f"/api/v1/keys/{key_id}", json={"role": "admin"}).status_code == 403


def test_pages_send_security_headers_and_obey_them(chromium: Browser, server: Served,
                                                   contexts: list[BrowserContext]) -> None:
    _ctx, page = _browser(chromium, server, contexts)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Refused" in m.text or "Policy" in m.text else None)
    shown = page.goto("/ui/login")
    assert shown is not None
    h = shown.headers
    assert "default-src 'none'" in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "script-src 'self';" in h["content-security-policy"], "only the server's own script files"
    assert "unsafe-inline" not in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY" and h["referrer-policy"] == "no-referrer"
    assert h["x-content-type-options"] == "nosniff" and h["cache-control"] == "no-store"
    _logged_in(page, server.keys["steward"], "steward")
    golden = server.client("admin").get("/api/v1/golden", params={"limit": 1}).json()
    golden_id = re.search(r"'golden_id': '([^']+)'", str(golden))
    assert golden_id, golden
    page.goto(f"/ui/golden/{golden_id.group(1)}")
    expect(page.locator(".scroll-x")).to_have_css("overflow-x", "auto")  # the style moved to app.css applies
    page.goto("/ui/trends")
    expect(page.locator("figure.chart figcaption").first).to_have_css("font-weight", "600")
    page.goto("/docs")
    expect(page.locator(".swagger-ui h2, .swagger-ui h3").first).to_be_visible()  # Swagger UI's script ran
    assert refused == [], f"the browser refused something the pages use: {refused}"

    page.set_content(f'<iframe src="{server.url}/ui/login"></iframe>')  # another site framing the login
    frame = page.frames[1]
    frame.wait_for_load_state()
    assert frame.locator("#api_key").count() == 0, "the login form must not show inside a frame"
    assert any("frame-ancestors" in m or "X-Frame-Options" in m for m in refused), refused


def test_cookies_are_secure_unless_reached_on_loopback_over_http(server: Served) -> None:
    """The server listens on 127.0.0.1 (no Secure, or plain http would lose the cookie); behind a TLS
    proxy on the same host (X-Forwarded-Proto, trusted from 127.0.0.1) the cookies are Secure.
    Other addresses: tests/stewardship/test_sessions.py, of the rule itself."""
    c = server.client()
    plain = c.get("/ui/login").headers["set-cookie"]
    assert "mdm_login_csrf=" in plain and "httponly" in plain.lower() and "secure" not in plain.lower()
    proxied = server.client().get("/ui/login", headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"]
    assert "secure" in proxied.lower()


@pytest.mark.parametrize("method, path, allow", [
    ("OPTIONS", "/api/v1/keys", "GET, POST"),
    ("PUT", "/api/v1/keys/7", "DELETE, PATCH"),
    ("OPTIONS", "/api/v1/tasks/7/decision", "POST"),
    ("POST", "/health", "GET"),
    ("OPTIONS", "/ui/login", "GET, POST"),
    ("DELETE", "/ui/static/app.css", "GET, HEAD"),
])
def test_405_names_the_methods_the_route_allows(server: Served, method: str, path: str, allow: str) -> None:
    resp = server.client().request(method, path)
    assert resp.status_code == 405 and resp.headers["allow"] == allow, (resp.status_code, resp.headers)
    if path.startswith("/api/"):
        assert resp.json()["error"]["code"] == "http.method_not_allowed"
        assert resp.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_options_on_every_documented_path_lists_its_methods(server: Served) -> None:
    c = server.client()
    doc = c.get("/openapi.json").json()
    for path, item in doc["paths"].items():
        url = re.sub(r"\{[^}]+\}", "7", path)
        resp = c.options(url)
        documented = {m.upper() for m in item}
        assert resp.status_code == 405, (path, resp.status_code)
        assert documented <= set(resp.headers["allow"].split(", ")), (path, resp.headers.get("allow"))
