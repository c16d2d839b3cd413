"""The Typer application, its consoles and the options and project helpers every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from mdm.config import Project, SourceMapping
    from mdm.hub import Hub
from mdm.cli.console import err, out, set_verbose

#: ``-h`` works like ``--help`` on every command (sub-commands inherit their parent's context settings)
CONTEXT = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings=CONTEXT, help="mdm: customer master data management and data quality.")

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="project file (mdm.yaml)")]
DEFAULT_CONFIG = Path("mdm.yaml")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"mdm {version('mdm')}")
        raise typer.Exit(0)


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                                help="print the version and exit")] = False,
          verbose: Annotated[bool, typer.Option("--verbose", "-v", help="also print log records (library "
                                                                        "warnings, match sub-steps) on stderr")]
          = False) -> None:
    """mdm: customer master data management and data quality."""
    set_verbose(verbose)


def _project(config: Path) -> Project:
    from mdm.config import load_project

    return load_project(config)


def _writable_hub(project: Project) -> Hub:
    """The project's hub, opened for writing with its memory budget."""
    from mdm.hub import open_hub

    return open_hub(project.hub, project.dictionary.names, memory_limit=project.memory_limit)


def _file_and_mapping(file: Path, source: str, config: Path) -> tuple[Project, SourceMapping]:
    project = _project(config)
    mapping, _ = project.source(source)
    return project, mapping




__all__ = ["CONTEXT", "DEFAULT_CONFIG", "ConfigOpt", "app", "err", "out"]
