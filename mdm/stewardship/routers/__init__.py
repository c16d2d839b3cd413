"""One router per resource, each with its prefix and tags."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from mdm.stewardship.auth import Principal, Role, authenticate
from mdm.stewardship.deps import RoleCheck, State, bearer, strict_query
from mdm.stewardship.errors import PermissionDeniedError
from mdm.stewardship.schemas import ErrorResponse


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer (always 400, 401, 403 and 422)."""
    described = {400: "the request body could not be parsed at all", 401: "missing, unknown or revoked API key",
                 403: "the key's role may not do this",
                 404: "not found", 409: "conflict: stale version, already decided, already running",
                 422: "the request failed validation", 503: "the hub is busy with a pipeline run"}
    return {s: {"model": ErrorResponse, "description": described[s]} for s in sorted({400, 401, 403, 422, *statuses})}


class RoleGate(RoleCheck):
    """A role check naming its roles directly, for routes whose permission is not (yet) in
    :data:`mdm.stewardship.auth.PERMISSIONS`; behaves like :class:`RoleCheck` (401, 403, strict query)."""

    def __init__(self, permission: str, *roles: Role) -> None:
        self.name = permission
        self._roles = frozenset(roles)

    @property
    def roles(self) -> frozenset[Role]:
        return self._roles

    def __call__(self, request: Request, state: State,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
        with state.access.cursor() as cur:
            principal = authenticate(cur, credentials.credentials if credentials else None)
        if principal.role not in self._roles:
            allowed = ", ".join(sorted(self._roles))
            raise PermissionDeniedError(f"role {principal.role} may not do this ({self.name}); it needs one of: "
                                        f"{allowed}")
        strict_query(request)
        return principal
