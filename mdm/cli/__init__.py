"""The ``mdm`` command line: thin, it parses arguments and calls pipeline/hub functions.

User errors (:class:`~mdm.errors.MdmError`) print one line on stderr and exit non-zero;
tracebacks are reserved for bugs. Progress is shown on a terminal, quiet in pipes/CI.

The package: :mod:`.app` (the Typer app and shared options), :mod:`.console` (progress and
logging while a command works), :mod:`.commands` (the pipeline commands) and :mod:`.server`
(``serve`` and ``keys``).
"""

from __future__ import annotations

import sys

import typer

from mdm.cli import commands, server  # noqa: F401 - importing them registers their commands on the app
from mdm.cli.app import app
from mdm.cli.console import err
from mdm.errors import MdmError, printable


def usage_line(exc: typer.TyperException) -> str:
    """A command-line mistake as one line: what was wrong (the option, the value) and where to look."""
    message = exc.format_message().strip().rstrip(".")
    ctx = getattr(exc, "ctx", None)
    where = f"; see '{ctx.command_path} --help'" if ctx is not None else "; see 'mdm --help'"
    return f"error: {printable(message)}{where}"


def main() -> None:
    """Console entry point: domain errors and usage mistakes become one line and an exit code."""
    from typer._click.exceptions import NoArgsIsHelpError  # typer bundles its own click

    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except MdmError as exc:
        err.print(f"error: {printable(exc.message)}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted", markup=False)
        sys.exit(130)
    except NoArgsIsHelpError as exc:  # `mdm` or `mdm keys` alone: the help, as asked
        sys.stdout.write(exc.format_message() + "\n")
        sys.exit(0)
    except typer.TyperException as exc:  # usage mistakes: unknown option or command, bad or missing value
        err.print(usage_line(exc), markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)



__all__ = ["app", "main", "usage_line"]
