"""Domain errors -> HTTP responses, in this one place.

Every error leaves the API as ``{"error": {"code": "...", "message": "..."}}`` with a
stable ``code``. :data:`STATUS` maps :class:`~mdm.errors.MdmError` classes to statuses
(most specific class first); request validation, unknown routes and unexpected bugs get
codes of their own. Pages under ``/ui/`` get the same information as HTML, and a
missing session there is a redirect to the login page.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mdm.errors import ConfigError, ConflictError, HubBusyError, HubError, InputError, MdmError, NotFoundError

log = logging.getLogger("mdm.stewardship")


class AuthenticationError(MdmError):
    """No API key, an unknown one, or a revoked one (HTTP 401)."""

    code = "auth.unauthenticated"


class PermissionDeniedError(MdmError):
    """The key is valid but its role may not do this (HTTP 403)."""

    code = "auth.forbidden"


class CsrfError(MdmError):
    """A web form was posted without the session's CSRF token (HTTP 403)."""

    code = "auth.csrf"


#: most specific first: the first class an error is an instance of decides its status
STATUS: list[tuple[type[MdmError], int]] = [
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (CsrfError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 422),
    (HubBusyError, 503),
    (HubError, 503),
    (ConfigError, 500),
    (MdmError, 400),
]


def status_of(exc: MdmError) -> int:
    return next(status for cls, status in STATUS if isinstance(exc, cls))


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _is_ui(request: Request) -> bool:
    return request.url.path.startswith("/ui/") or request.url.path == "/ui"


def _respond(request: Request, status: int, code: str, message: str,
             headers: dict[str, str] | None = None) -> Response:
    if _is_ui(request):
        if status == 401 and request.method in ("GET", "HEAD"):
            target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
            return RedirectResponse(f"/ui/login?next={target}", status_code=303)
        from mdm.stewardship.ui.render import render_error

        return HTMLResponse(render_error(request, status, code, message), status_code=status)
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the error format."""

    @app.exception_handler(MdmError)
    async def _domain(request: Request, exc: MdmError) -> Response:
        status = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status >= 500:
            log.warning("%s %s -> %s %s", request.method, request.url.path, status, exc.code)
        return _respond(request, status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _respond(request, 422, "request.invalid", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {400: "request.malformed", 404: "http.not_found", 405: "http.method_not_allowed"}
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}"
        return _respond(request, exc.status_code, codes.get(exc.status_code, f"http.{exc.status_code}"), message,
                        dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return _respond(request, 500, "internal", "internal error; the server log has the details")
