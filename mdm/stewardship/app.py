"""The FastAPI application: routers, error handlers, local API docs and the web UI.

``create_app(settings)`` builds the app; the hub is opened when the server starts (the
lifespan) and closed when it stops, after any running pipeline run has finished.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mdm.stewardship import errors
from mdm.stewardship.deps import RoleCheck, ServerState, UiRoleCheck
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.openapi30 import as_openapi30
from mdm.stewardship.realtime import RealtimeService
from mdm.stewardship.routers import (
    audit,
    audits,
    events,
    golden,
    health,
    keys,
    matching,
    me,
    runs,
    tasks,
    webhooks,
    xref,
)
from mdm.stewardship.runs import RunManager
from mdm.stewardship.sessions import SessionStore
from mdm.stewardship.settings import ServerSettings
from mdm.stewardship.ui import admin, trends, undo
from mdm.stewardship.ui import router as ui
from mdm.stewardship.worker import BackgroundWorker

log = logging.getLogger("mdm.stewardship")

DESCRIPTION = """Stewardship API of **mdm**: the review queue, API keys, pipeline runs and the audit log.

Send an API key as `Authorization: Bearer KEY` (create one with `mdm keys create --role ROLE --name NAME`).
401 means no valid key, 403 a role that may not do this. Every error is
`{"error": {"code": "...", "message": "..."}}` with a stable code. Each operation lists its roles under `x-roles`.
"""


def iter_routes(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route of the app, flat: newer FastAPI keeps included routers as one entry each."""
    for route in routes:
        inner = getattr(route, "original_router", None)  # fastapi's included-router wrapper
        if inner is not None:
            yield from iter_routes(inner.routes)
        else:
            yield route


def route_roles(route: APIRoute) -> frozenset[str] | None:
    """The roles a route admits, read off its role-check dependency; None for a public route."""
    pending = list(route.dependant.dependencies)
    while pending:
        dep = pending.pop()
        if isinstance(dep.call, RoleCheck | UiRoleCheck):
            return frozenset(r.value for r in dep.call.roles)
        pending.extend(dep.dependencies)
    return None


def create_app(settings: ServerSettings, access: HubAccess | None = None) -> FastAPI:
    """The app; ``access`` is an already opened hub (``mdm serve`` opens it first to fail early)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal access
        if access is None:
            access = HubAccess.open(settings.project.hub, settings.project.dictionary.names,
                                     settings.project.memory_limit)
        access.write_timeout = settings.write_timeout
        manager = RunManager(access, settings.project)
        manager.recover()
        app.state.mdm = ServerState(settings=settings, access=access, runs=manager,
                                    attributes=settings.project.dictionary.names,
                                    pii={n for n, a in settings.project.dictionary.attributes.items() if a.pii},
                                    realtime=RealtimeService(access, settings.project),
                                    sessions=SessionStore(access, settings.session_max_age))
        worker = BackgroundWorker(access, settings.project, manager)
        worker.start()
        log.info("serving hub %s", access.path)
        try:
            yield
        finally:
            worker.stop()
            manager.wait()
            app.state.mdm.sessions.flush(timeout=settings.write_timeout)
            access.close()

    app = FastAPI(title="mdm stewardship API", version="1", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    errors.install(app)
    for r in (health.router, me.router, keys.router, tasks.router, runs.router, audit.router, events.router,
              webhooks.router, audits.router, ui.router, undo.router, trends.router, admin.router):
        app.include_router(r)
    for r in (golden.router, xref.router, matching.router):
        app.include_router(r)
    _local_docs(app)
    ui.mount_static(app)
    _document_roles(app)
    app.add_middleware(SecurityHeaders)
    return app


#: pages: nothing but this server's own files (its one script is the keyboard shortcuts, static/keys.js),
#: never framed, forms post here only
UI_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'")
#: Swagger UI starts itself with an inline script
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
#: JSON answers load nothing
API_CSP = "default-src 'none'; frame-ancestors 'none'"
COMMON_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def security_headers(path: str) -> dict[str, str]:
    """The headers every response of ``path`` gets: CSP, framing, referrer and sniffing rules; pages
    (not their static files) are also kept out of caches, so Back after logout shows nothing."""
    if path == "/ui" or path.startswith("/ui/"):
        extra = {"content-security-policy": UI_CSP}
        if not path.startswith("/ui/static/"):
            extra["cache-control"] = "no-store"
    elif path == "/docs" or path.startswith("/docs/"):
        extra = {"content-security-policy": DOCS_CSP}
    else:
        extra = {"content-security-policy": API_CSP}
    return COMMON_HEADERS | extra


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route of ``path`` answers (for the ``Allow`` header of a 405)."""
    methods: set[str] = set()
    for route in iter_routes(app.routes):
        if isinstance(route, Mount):
            if route.path_regex.match(path):
                methods |= {"GET", "HEAD"}  # static files
        elif isinstance(route, Route) and route.methods and route.path_regex.match(path):
            methods |= route.methods
    return sorted(methods)


class SecurityHeaders:
    """ASGI middleware: :func:`security_headers` on every response (headers a route set win), and on
    every 405 an ``Allow`` header naming all methods of the path (Starlette names only the first
    route's, and none at all when the answer comes from an error handler)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.decode("latin-1").lower() for k, _ in headers}
                for name, value in security_headers(path).items():
                    if name not in have:
                        headers.append((name.encode("latin-1"), value.encode("latin-1")))
                if message["status"] == 405:
                    allow = ", ".join(allowed_methods(scope["app"], path))
                    headers = [(k, v) for k, v in headers if k.decode("latin-1").lower() != "allow"]
                    headers.append((b"allow", allow.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _local_docs(app: FastAPI) -> None:
    """Swagger UI from the files of the ``swagger-ui-bundle`` package: no CDN needed."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/docs/openapi-3.0.json", title="mdm stewardship API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/docs/assets/favicon-32x32.png")

    @app.get("/docs/openapi-3.0.json", include_in_schema=False)
    def docs_document() -> JSONResponse:
        """The API document as OpenAPI 3.0, for the bundled Swagger UI 4.x (see :mod:`openapi30`)."""
        return JSONResponse(as_openapi30(app.openapi()))


def _document_roles(app: FastAPI) -> None:
    """Add each operation's roles to the OpenAPI document (``x-roles`` and a line in its description)."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = base()
        for route in iter_routes(app.routes):
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            roles = route_roles(route)
            for method in route.methods or ():
                op = doc["paths"].get(route.path_format, {}).get(method.lower())
                if op is None:
                    continue
                op["x-roles"] = sorted(roles) if roles is not None else []
                note = f"Roles: {', '.join(sorted(roles))}." if roles is not None else "No authentication."
                op["description"] = f"{op.get('description', '').rstrip()}\n\n{note}".strip()
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
