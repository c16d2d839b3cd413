"""The stewardship server and its API keys: serve, keys create / list / revoke."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mdm.cli.app import DEFAULT_CONFIG, ConfigOpt, _project, _writable_hub, app, err, out
from mdm.errors import InputError, PortInUseError, printable


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port to listen on")] = 8000,
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Serve the stewardship API and web UI; the server owns the hub while it runs."""
    _serve(config, host, port)


def _serve(config: Path, host: str, port: int) -> None:
    from mdm import pipeline
    from mdm.stewardship.serve import serve as serve_web  # the CLI's one way into the web layer

    project = _project(config)
    pipeline.check_rules(project)  # a broken rules file fails at start, not at the first rebuild
    _check_port(host, port)  # before the hub is taken: a busy port is not a busy hub
    serve_web(project, host=host, port=port,  # a busy hub fails first, in one line
              ready=lambda: err.print(f"serving {project.hub} on http://{host}:{port} (UI /ui/, API docs /docs)",
                                      markup=False, highlight=False))


def _check_port(host: str, port: int) -> None:
    """Fail in one line when ``host:port`` cannot be listened on (as uvicorn would bind it)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: not an address this machine can listen on ({exc.strerror})",
                         code="input.host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise PortInUseError(f"cannot listen on {host}:{port}: {exc.strerror}; another program (maybe another "
                                 "`mdm serve`) uses it, or pick a free one with --port", code="serve.port_in_use"
                                 ) from None


keys_app = typer.Typer(no_args_is_help=True, help="API keys of the stewardship server (stored hashed).")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help="reader | steward | admin | system")],
    name: Annotated[str, typer.Option("--name", help="who uses the key")],
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Create an API key and print it once on stdout (only its hash is stored)."""
    import getpass

    from mdm.apikeys import create_key, parse_role
    from mdm.hub import transaction

    parse_role(role)
    project = _project(config)
    with _writable_hub(project) as hub, transaction(hub.con):
        key, row = create_key(hub.con, name=name, role=role, created_by=f"cli ({getpass.getuser()})")
    sys.stdout.write(key + "\n")
    err.print(f"created {row.role} key {row.key_id} for {row.name!r} (prefix {row.prefix}); it is shown only now, "
              "keep it safe", markup=False, highlight=False)


@keys_app.command("list")
def keys_list(config: ConfigOpt = DEFAULT_CONFIG) -> None:
    """List keys: id, prefix, name, role, created, revoked (never the keys themselves)."""
    from mdm.apikeys import list_keys

    project = _project(config)
    with _writable_hub(project) as hub:
        for k in list_keys(hub.con):
            revoked = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
            # tab-separated on stdout as it is (no Rich tab expansion), so `cut -f1` finds the ids
            sys.stdout.write(f"{k.key_id}\t{k.prefix}\t{k.role}\t{printable(k.name)}\t"
                             f"{k.created_at:%Y-%m-%d %H:%M}\t{revoked}\n")


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="the key's id, as `mdm keys list` shows it")],
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Revoke a key at once: its API calls fail and its web sessions end."""
    import getpass

    from mdm.apikeys import Principal, revoke_key
    from mdm.hub import transaction
    from mdm.roles import Role

    project = _project(config)
    # the CLI acts as the hub's owner: key id 0 is never issued, so any key can be revoked from here
    by = Principal(key_id=0, name=f"cli ({getpass.getuser()})", role=Role.admin, prefix="")
    with _writable_hub(project) as hub, transaction(hub.con):
        row = revoke_key(hub.con, key_id, by=by)
    out.print(f"revoked {row.role} key {row.key_id} for {row.name!r} (prefix {row.prefix})")


