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
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from mdm.stewardship import errors
from mdm.stewardship.deps import RoleCheck, ServerState, UiRoleCheck
from mdm.stewardship.hubaccess import HubAccess
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
from mdm.stewardship.settings import ServerSettings
from mdm.stewardship.ui import router as ui
from mdm.stewardship.ui import trends
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
                                    realtime=RealtimeService(access, settings.project))
        worker = BackgroundWorker(access, settings.project, manager)
        worker.start()
        log.info("serving hub %s", access.path)
        try:
            yield
        finally:
            worker.stop()
            manager.wait()
            access.close()

    app = FastAPI(title="mdm stewardship API", version="1", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    errors.install(app)
    for r in (health.router, me.router, keys.router, tasks.router, runs.router, audit.router, events.router,
              webhooks.router, audits.router, ui.router, trends.router):
        app.include_router(r)
    for r in (golden.router, xref.router, matching.router):
        app.include_router(r)
    _local_docs(app)
    ui.mount_static(app)
    _document_roles(app)
    return app


def _local_docs(app: FastAPI) -> None:
    """Swagger UI from the files of the ``swagger-ui-bundle`` package: no CDN needed."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="mdm stewardship API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/docs/assets/favicon-32x32.png")


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
