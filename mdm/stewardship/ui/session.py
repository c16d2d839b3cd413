"""Signed, HttpOnly, SameSite=Strict session cookies and CSRF tokens for the web UI.

The cookie holds the key's id and the session's CSRF token, signed with the server's
session secret (itsdangerous), never the API key itself. Every form carries the CSRF
token and every POST checks it; login uses a double-submit cookie of its own.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from mdm.stewardship.deps import SESSION_COOKIE
from mdm.stewardship.errors import CsrfError
from mdm.stewardship.settings import ServerSettings

LOGIN_CSRF_COOKIE = "mdm_login_csrf"


@dataclass(frozen=True)
class SessionData:
    key_id: int
    csrf: str


def _serializer(settings: ServerSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret, salt="mdm-ui-session")


def read_session(request: Request, settings: ServerSettings) -> SessionData | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(settings).loads(raw, max_age=settings.session_max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), int) or not isinstance(data.get("c"), str):
        return None
    return SessionData(key_id=data["k"], csrf=data["c"])


def start_session(response: Response, settings: ServerSettings, key_id: int) -> None:
    value = _serializer(settings).dumps({"k": key_id, "c": secrets.token_urlsafe(24)})
    response.set_cookie(SESSION_COOKIE, value, max_age=settings.session_max_age, httponly=True, samesite="strict",
                        secure=settings.cookie_secure, path="/ui")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/ui")


def login_csrf(request: Request) -> str:
    """The login form's token: the one in the browser's cookie, or a new one."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    return token if token and len(token) >= 20 else secrets.token_urlsafe(24)


def set_login_csrf(response: Response, token: str, settings: ServerSettings) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=settings.cookie_secure, path="/ui")


def check_csrf(expected: str | None, sent: str | None) -> None:
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfError("the form's security token is missing or stale; reload the page and try again")
