"""The OpenAPI document and the docs page: complete, with roles and examples, no CDN."""

from __future__ import annotations

import re

from steward_e2e import Served


def test_openapi_lists_roles_errors_and_examples(server: Served) -> None:
    doc = server.client().get("/openapi.json").json()
    ops = [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]
    assert {p for p, _, _ in ops} >= {"/health", "/api/v1/tasks", "/api/v1/tasks/{task_id}",
                                      "/api/v1/tasks/{task_id}/decision", "/api/v1/runs", "/api/v1/runs/{run_id}",
                                      "/api/v1/keys", "/api/v1/audit", "/api/v1/me"}
    assert not any(p.startswith("/ui") for p, _, _ in ops), "pages are not API operations"
    for path, method, op in ops:
        assert "x-roles" in op, (method, path)
        if path == "/health":
            assert op["x-roles"] == []
            continue
        assert op["x-roles"] and "Roles:" in op["description"]
        assert {"401", "403"} <= set(op["responses"]), (method, path)
        assert op["security"] == [{"HTTPBearer": []}]
    schemas = doc["components"]["schemas"]
    for name in ("DecisionCreate", "TaskDetail", "TaskPublic", "KeyCreate", "RunPublic", "ErrorResponse"):
        assert schemas[name].get("examples"), name
    decision = schemas["DecisionCreate"]
    assert decision["properties"]["decision"]["enum"] == ["match", "no_match"]


def test_docs_page_uses_only_local_assets(server: Served) -> None:
    c = server.client()
    html = c.get("/docs").text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls and all(u.startswith("/docs/assets/") for u in urls), urls
    assert "http://" not in html and "https://" not in html
    for u in urls:
        assert c.get(u).status_code == 200, u


def test_docs_page_renders_every_operation_in_chromium(server: Served) -> None:
    """Swagger UI 4.15 (the bundled one) cannot read 3.1: /docs reads the 3.0 view and shows
    every operation of /openapi.json, with nothing fetched from elsewhere."""
    from playwright.sync_api import expect, sync_playwright
    from test_ui import ARGS, CHROMIUM, shot

    doc = server.client().get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    view = server.client().get("/docs/openapi-3.0.json").json()
    assert view["openapi"].startswith("3.0") and view["paths"].keys() == doc["paths"].keys()
    ops = sum(1 for item in doc["paths"].values() for m in item if m in {"get", "post", "put", "patch", "delete"})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(base_url=server.url, viewport={"width": 1280, "height": 900})
            offsite: list[str] = []
            page.on("request", lambda r: offsite.append(r.url) if not r.url.startswith(server.url) else None)
            page.goto("/docs")
            expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
            expect(page.locator(".version-pragma")).to_have_count(0)
            expect(page.locator(".opblock")).to_have_count(ops)
            expect(page.locator(".opblock-summary-path[data-path='/api/v1/tasks/{task_id}/decision']")
                   ).to_have_count(1)
            shot(page, "30-docs")
            assert offsite == [], offsite
        finally:
            browser.close()
