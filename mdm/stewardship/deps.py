"""Shared dependencies as ``Annotated[..., Depends()]`` aliases.

Every API route takes one of the role aliases below (``TaskReader``, ``TaskDecider``,
``KeyAdmin``...): each is a :class:`RoleCheck` naming one :class:`Permission`, which
authenticates the bearer key (401) and checks the role (403). Web pages take the
``Ui*`` aliases, which do the same from the session cookie, whose session must still be
live in the hub (not logged out, its key not revoked, its key's role unchanged).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import duckdb
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mdm.errors import InputError
from mdm.roles import Role
from mdm.stewardship import auth
from mdm.stewardship.auth import Permission, Principal
from mdm.stewardship.errors import AuthenticationError, PermissionDeniedError
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.realtime import RealtimeService
from mdm.stewardship.runs import RunManager
from mdm.stewardship.sessions import SessionStore
from mdm.stewardship.settings import ServerSettings


@dataclass
class ServerState:
    """What the app holds while it serves: settings, the hub, the run manager, dictionary facts."""

    settings: ServerSettings
    access: HubAccess
    runs: RunManager
    attributes: list[str]
    pii: set[str]
    realtime: RealtimeService
    sessions: SessionStore


def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.mdm
    return state


State = Annotated[ServerState, Depends(get_state)]


def get_cursor(state: State) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read cursor for one request."""
    with state.access.cursor() as cur:
        yield cur


Cursor = Annotated[duckdb.DuckDBPyConnection, Depends(get_cursor)]

bearer = HTTPBearer(auto_error=False, description="an API key from `mdm keys create` or POST /api/v1/keys")


def _declared_query(dependant: Any) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query(sub)
    return names


def strict_query(request: Request) -> None:
    """Unknown or repeated query parameters are a 422, not silently ignored (a typo in a filter is a
    bug to show, not an unfiltered answer)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    repeated = sorted({k for k in request.query_params if len(request.query_params.getlist(k)) > 1})
    if repeated:
        raise InputError(f"query parameter {repeated[0][:40]!r} is given more than once; give it once",
                         code="request.repeated_parameter")
    unknown = sorted(set(request.query_params) - _declared_query(dependant))
    if unknown:
        allowed = ", ".join(sorted(_declared_query(dependant))) or "none"
        raise InputError(f"unknown query parameter {unknown[0][:40]!r}; this route takes: {allowed}",
                         code="request.unknown_parameter")


class RoleCheck:
    """Dependency: the caller's principal, when its role has ``permission`` (then unknown
    query parameters are refused: authentication comes first, so strangers learn nothing)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    @property
    def roles(self) -> frozenset[Role]:
        return auth.PERMISSIONS[self.permission]

    def __call__(self, request: Request, state: State,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
        with state.access.cursor() as cur:
            principal = auth.authenticate(cur, credentials.credentials if credentials else None)
        check(principal, self.permission)
        strict_query(request)
        return principal


def check(principal: Principal, permission: Permission) -> Principal:
    if not principal.can(permission):
        allowed = ", ".join(sorted(auth.PERMISSIONS[permission]))
        raise PermissionDeniedError(f"role {principal.role} may not do this ({permission}); it needs one of: "
                                    f"{allowed}")
    return principal


Whoami = Annotated[Principal, Depends(RoleCheck(Permission.whoami))]
TaskReader = Annotated[Principal, Depends(RoleCheck(Permission.tasks_read))]
TaskDecider = Annotated[Principal, Depends(RoleCheck(Permission.tasks_decide))]
TaskAssigner = Annotated[Principal, Depends(RoleCheck(Permission.tasks_assign))]
KeyAdmin = Annotated[Principal, Depends(RoleCheck(Permission.keys_manage))]
RunAdmin = Annotated[Principal, Depends(RoleCheck(Permission.runs_manage))]
AuditReader = Annotated[Principal, Depends(RoleCheck(Permission.audit_read))]
GoldenReader = Annotated[Principal, Depends(RoleCheck(Permission.golden_read))]
GoldenSteward = Annotated[Principal, Depends(RoleCheck(Permission.golden_write))]
MatchCaller = Annotated[Principal, Depends(RoleCheck(Permission.match_read))]
RecordWriter = Annotated[Principal, Depends(RoleCheck(Permission.records_write))]


# --- web UI sessions ------------------------------------------------------------------

SESSION_COOKIE = "mdm_session"


@dataclass(frozen=True)
class UiSession:
    principal: Principal
    csrf: str
    token: str


class UiRoleCheck:
    """Dependency for pages: the session's principal when its role has ``permission``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    @property
    def roles(self) -> frozenset[Role]:
        return auth.PERMISSIONS[self.permission]

    def __call__(self, request: Request, state: State) -> UiSession:
        from mdm.stewardship.ui.session import read_session

        data = read_session(request, state.settings)
        if data is None:
            raise AuthenticationError("log in with an API key first")
        if state.sessions.pending:  # logins and logouts made while a pipeline run held the hub
            state.sessions.flush()
        with state.access.cursor() as cur:
            principal = state.sessions.principal(cur, data.token)
        return UiSession(principal=check(principal, self.permission), csrf=data.csrf, token=data.token)


UiTaskReader = Annotated[UiSession, Depends(UiRoleCheck(Permission.tasks_read))]
UiTaskDecider = Annotated[UiSession, Depends(UiRoleCheck(Permission.tasks_decide))]
UiAnyone = Annotated[UiSession, Depends(UiRoleCheck(Permission.whoami))]
UiGoldenReader = Annotated[UiSession, Depends(UiRoleCheck(Permission.golden_read))]
UiGoldenSteward = Annotated[UiSession, Depends(UiRoleCheck(Permission.golden_write))]
