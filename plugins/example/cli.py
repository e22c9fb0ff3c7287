from __future__ import annotations

import click

from core import cli_read_only


def add_commands(cli: click.Group) -> None:
    @cli.group("example")
    def example() -> None:
        """Example plugin commands."""

    @example.command("hello")
    @cli_read_only
    @click.argument("name", default="Việt Nam")
    def hello(name: str) -> None:
        """Print a greeting (proves plugins can add CLI commands)."""
        click.echo(f"Xin chào, {name}!")
