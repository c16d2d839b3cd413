"""Server settings, injected into the app (never read from globals)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from mdm.config import Project


@dataclass(frozen=True)
class ServerSettings:
    project: Project
    #: signs web-UI session cookies; random per server start unless given (sessions then end on restart)
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    session_max_age: int = 8 * 3600
    #: mark cookies Secure; turn on behind HTTPS (plain http on 127.0.0.1 would drop them)
    cookie_secure: bool = False
    #: seconds an API write waits for the hub's write lock (held by a running pipeline run)
    write_timeout: float = 10.0
