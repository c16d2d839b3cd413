"""Every route x every role against a real server: 401 without a valid key, 403 for a role
that may not, through for a role that may. The route list comes from the app itself, so a
route added later is covered (and a route without a role check fails this test)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route
from steward_e2e import ROLES, Served

from mdm.config import load_project
from mdm.stewardship.app import create_app, iter_routes, route_roles
from mdm.stewardship.auth import PERMISSIONS, Permission
from mdm.stewardship.deps import RoleCheck, UiRoleCheck
from mdm.stewardship.settings import ServerSettings

#: the only routes anyone may call without a key (everything else must name a permission)
PUBLIC = {("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/docs/openapi-3.0.json"), ("GET", "/docs"),
          ("GET", "/ui/login"), ("POST", "/ui/login")}
PUBLIC_MOUNTS = {"/docs/assets", "/ui/static"}
UNKNOWN_KEY = "mdm_0000000000_" + "x" * 43


def _routes(server: Served) -> Iterator[tuple[str, str, APIRoute | Route]]:
    app = create_app(ServerSettings(project=load_project(server.config)))
    for route in iter_routes(app.routes):
        if isinstance(route, Mount):
            assert route.path in PUBLIC_MOUNTS, f"unexpected mount {route.path}"
            continue
        assert isinstance(route, Route)
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, route.path, route


def _outcome(resp: httpx.Response) -> str:
    """unauthenticated | forbidden | through, from the status and the error's stable code."""
    if resp.status_code == 401:
        return "unauthenticated"
    if resp.status_code == 303 and resp.headers.get("location", "").startswith("/ui/login"):
        return "unauthenticated"
    if resp.status_code == 403:
        if resp.headers.get("content-type", "").startswith("application/json"):
            code = resp.json()["error"]["code"]
        else:
            found = re.search(r"<code>([a-z_.]+)</code>", resp.text)
            code = found.group(1) if found else "?"
        if code == "auth.forbidden":
            return "forbidden"
    return "through"


def _call(client: httpx.Client, method: str, path: str, route: APIRoute | Route) -> httpx.Response:
    url = re.sub(r"\{[^}]+\}", "999999", path)  # ids no row has: an authorised call ends at 404, never a change
    if isinstance(route, APIRoute) and route.body_field is not None and method in ("POST", "PUT", "PATCH"):
        if path.startswith("/ui/"):
            return client.request(method, url, data={})  # a form without its fields: 422 once authorised
        return client.request(method, url, json=[])  # not an object: 422 once authorised
    return client.request(method, url)


def _ui_login(server: Served, key: str) -> httpx.Client:
    c = server.client()
    form = c.get("/ui/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, form.text
    resp = c.post("/ui/login", data={"api_key": key, "csrf": token.group(1), "next": "/ui/tasks"})
    assert resp.status_code == 303 and resp.headers["location"] == "/ui/tasks", resp.text
    return c


def test_every_route_is_public_by_intent_or_checks_a_role(server: Served) -> None:
    seen_public = set()
    for method, path, route in _routes(server):
        roles = route_roles(route) if isinstance(route, APIRoute) else None
        if roles is None:
            seen_public.add((method, path))
        else:
            assert roles, f"{method} {path} admits no role at all"
    assert seen_public == PUBLIC


@pytest.mark.parametrize("who", ["no key", "unknown key", "malformed key", *ROLES])
def test_auth_matrix(server: Served, who: str) -> None:
    if who in ROLES:
        api, ui = server.client(who), _ui_login(server, server.keys[who])
    else:
        key = {"no key": None, "unknown key": UNKNOWN_KEY, "malformed key": "let-me-in"}[who]
        api = server.client(key=key)
        ui = server.client(key=key)
        ui.cookies.set("mdm_session", "forged.session.cookie", domain="127.0.0.1", path="/ui")
    checked = 0
    for method, path, route in _routes(server):
        if (method, path) in PUBLIC or not isinstance(route, APIRoute):
            continue
        roles = route_roles(route)
        assert roles is not None
        resp = _call(ui if path.startswith("/ui") else api, method, path, route)
        assert resp.status_code < 500, (method, path, resp.status_code, resp.text[:300])
        got = _outcome(resp)
        expected = "unauthenticated" if who not in ROLES else "through" if who in roles else "forbidden"
        assert got == expected, f"{who}: {method} {path} -> {resp.status_code} {resp.text[:200]}"
        if got == "unauthenticated" and not path.startswith("/ui"):
            assert resp.headers.get("www-authenticate") == "Bearer"
            assert resp.json()["error"]["code"] == "auth.unauthenticated"
        checked += 1
    assert checked >= 15


def test_public_routes_need_no_key(server: Served) -> None:
    c = server.client()
    assert c.get("/health").json() == {"status": "ok"}
    assert c.get("/openapi.json").status_code == 200
    assert c.get("/docs").status_code == 200
    assert c.get("/docs/openapi-3.0.json").json()["openapi"].startswith("3.0")
    assert c.get("/ui/login").status_code == 200


def test_every_role_check_names_a_permission_of_the_one_table(server: Served) -> None:
    """Routes say what they need (a Permission); which roles have it is auth.PERMISSIONS alone."""
    named = set()
    for method, path, route in _routes(server):
        if not isinstance(route, APIRoute) or (method, path) in PUBLIC:
            continue
        pending, checks = list(route.dependant.dependencies), []
        while pending:
            dep = pending.pop()
            if isinstance(dep.call, RoleCheck | UiRoleCheck):
                checks.append(dep.call)
            pending.extend(dep.dependencies)
        assert len(checks) == 1, f"{method} {path}: {len(checks)} role checks"
        assert checks[0].permission in PERMISSIONS and checks[0].roles == PERMISSIONS[checks[0].permission]
        named.add(checks[0].permission)
    assert {Permission.events_read, Permission.webhooks_manage, Permission.audits_manage} <= named
