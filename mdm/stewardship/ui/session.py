"""Signed, HttpOnly, SameSite=Strict session cookies and CSRF tokens for the web UI.

The cookie holds the session's random token and its CSRF token, signed with the server's
session secret (itsdangerous), never the API key itself. The session lives in the hub
(:mod:`mdm.stewardship.sessions`), so logging out, revoking the key or changing its role
ends it for every copy of the cookie. Every form carries the CSRF token and every POST
checks it; login uses a double-submit cookie of its own.

Cookies are ``Secure`` whenever the server is not reached on loopback (see
:func:`needs_secure_cookies`): only plain http on 127.0.0.1 / ::1 goes without it.
"""

from __future__ import annotations

import hmac
import ipaddress
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
    token: str
    csrf: str


def _serializer(settings: ServerSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret, salt="mdm-ui-session")


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped) and ``localhost``; anything else, or no host, is not."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def needs_secure_cookies(server_host: str | None, scheme: str, *, forced: bool = False) -> bool:
    """Whether cookies get the ``Secure`` flag: always over https (also behind a proxy that says so),
    always when configured, and always when the server is reached on an address that is not loopback
    (a Secure cookie is not stored over plain http, so such a server must be put behind https)."""
    return forced or scheme in ("https", "wss") or not is_loopback(server_host)


def cookie_secure(request: Request, settings: ServerSettings) -> bool:
    """:func:`needs_secure_cookies` for this request: the address the connection reached the server on."""
    server = request.scope.get("server")
    host = str(server[0]) if server else None
    return needs_secure_cookies(host, request.url.scheme, forced=settings.cookie_secure)


def read_session(request: Request, settings: ServerSettings) -> SessionData | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(settings).loads(raw, max_age=settings.session_max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str) or not isinstance(data.get("c"), str):
        return None
    return SessionData(token=data["t"], csrf=data["c"])


def start_session(response: Response, request: Request, settings: ServerSettings, token: str) -> None:
    """Set the cookie of the session ``token`` (begun in the hub by :class:`~mdm.stewardship.sessions.SessionStore`)."""
    value = _serializer(settings).dumps({"t": token, "c": secrets.token_urlsafe(24)})
    response.set_cookie(SESSION_COOKIE, value, max_age=settings.session_max_age, httponly=True, samesite="strict",
                        secure=cookie_secure(request, settings), path="/ui")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/ui")


def login_csrf(request: Request) -> str:
    """The login form's token: the one in the browser's cookie, or a new one."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    return token if token and len(token) >= 20 else secrets.token_urlsafe(24)


def set_login_csrf(response: Response, request: Request, token: str, settings: ServerSettings) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=cookie_secure(request, settings), path="/ui")


def check_csrf(expected: str | None, sent: str | None) -> None:
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfError("the form's security token is missing or stale; reload the page and try again")
