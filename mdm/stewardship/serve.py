"""The one entry point into the web layer from outside it: start the server on a project.

``mdm serve`` (and ``mdm demo --serve``) is the composition root: it loads and checks the
project, then calls :func:`serve`, which builds the settings, takes the hub and runs the app
under uvicorn. Nothing else outside :mod:`mdm.stewardship` imports the web layer.
"""

from __future__ import annotations

from collections.abc import Callable

import uvicorn

from mdm.config import Project
from mdm.stewardship.app import create_app
from mdm.stewardship.hubaccess import HubAccess
from mdm.stewardship.settings import ServerSettings

__all__ = ["serve"]


def serve(project: Project, *, host: str, port: int, ready: Callable[[], None] | None = None) -> None:
    """Serve the stewardship API and web UI on ``host:port`` until stopped; the server owns the hub
    while it runs. The hub is opened first, so a busy hub fails here (in one line), before ``ready``
    is called and before uvicorn starts."""
    access = HubAccess.open(project.hub, project.dictionary.names, project.memory_limit)
    if ready is not None:
        ready()
    uvicorn.run(create_app(ServerSettings(project=project), access=access), host=host, port=port,
                log_level="info", server_header=False)
