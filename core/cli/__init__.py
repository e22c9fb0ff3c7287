"""The ``congvan`` command line: one click group, a module per command group.

Errors end a command with one line on stderr: ``Error: <detail>`` and exit status 1 for what a
user can fix (any :class:`~core.errors.CongvanError`), 2 for a configuration problem (a wrong
or unreachable setting), and 1 with a hint to rerun with ``--debug`` for anything unexpected.
Plugins add their commands through the ``register_commands`` hook.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import click

from core.cli.output import error_line
from core.cli.runner import STATE
from core.errors import ConfigurationError, CongvanError

EXIT_ERROR = 1
EXIT_CONFIG = 2


def _version() -> str:
    try:
        return version("congvan")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    help="Run as this tenant user (permissions are checked) instead of the operator.",
)
@click.option("--debug", is_flag=True, help="Show a traceback on unexpected errors.")
@click.version_option(_version(), prog_name="congvan")
def cli(as_user: str | None, debug: bool) -> None:
    """Congvan: document management and executive work for government agencies."""
    STATE.as_user = as_user
    STATE.debug = debug


def build_cli() -> click.Group:
    """The root group with the core commands and every installed plugin's commands."""
    from core.cli import (
        audit,
        jobs,
        plugins,
        roles,
        server,
        tenants,
        tokens,
        units,
        users,
    )
    from core.plugins.manager import get_host

    for module in (server, tenants, units, users, roles, plugins, tokens, audit, jobs):
        module.register(cli)
    get_host().pm.hook.register_commands(cli=cli)
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``congvan`` console script."""
    try:
        group = build_cli()
        group.main(args=list(argv) if argv is not None else None, prog_name="congvan")
    except ConfigurationError as exc:
        _fail(exc.detail, EXIT_CONFIG)
    except CongvanError as exc:
        _fail(exc.detail, EXIT_ERROR)
    except Exception as exc:
        if STATE.debug:
            raise
        from core.plugins.manager import PluginError

        if isinstance(exc, PluginError):
            _fail(str(exc), EXIT_CONFIG)
        _fail(f"{type(exc).__name__}: {exc} (run 'congvan --debug …' for a traceback)", EXIT_ERROR)


def _fail(message: str, code: int) -> None:
    error_line(message)
    sys.exit(code)


__all__ = ["build_cli", "cli", "main"]
