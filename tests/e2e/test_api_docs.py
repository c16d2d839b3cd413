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
