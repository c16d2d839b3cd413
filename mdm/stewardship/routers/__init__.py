"""One router per resource, each with its prefix and tags."""

from __future__ import annotations

from typing import Any

from mdm.stewardship.schemas import ErrorResponse


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer (always 400, 401, 403 and 422)."""
    described = {400: "the request body could not be parsed at all", 401: "missing, unknown or revoked API key",
                 403: "the key's role may not do this",
                 404: "not found", 409: "conflict: stale version, already decided, already running",
                 422: "the request failed validation", 503: "the hub is busy with a pipeline run"}
    return {s: {"model": ErrorResponse, "description": described[s]} for s in sorted({400, 401, 403, 422, *statuses})}
