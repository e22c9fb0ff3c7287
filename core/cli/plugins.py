"""``congvan plugin …``: installed plugins, and a tenant's enablement and settings."""

from __future__ import annotations

import json
from typing import Any

import click

from core.cli.output import print_json, print_table
from core.cli.permissions import cli_permission, read_only
from core.cli.runner import json_option, tenant_option
from core.context import current_tenant_or_none
from core.errors import BadRequest


@click.group("plugin")
def plugin_group() -> None:
    """Plugins: which are installed, which a tenant has enabled, their settings."""


def register(cli: click.Group) -> None:
    cli.add_command(plugin_group)


def parse_assignments(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; VALUE is JSON when it parses (numbers, booleans, lists), else text."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadRequest(f"Expected KEY=VALUE, got {pair!r}.")
        try:
            values[key] = json.loads(raw)
        except ValueError:
            values[key] = raw
    return values


@plugin_group.command("list")
@tenant_option(required=False)
@json_option
@read_only
async def list_(as_json: bool) -> None:
    """List installed plugins (with --tenant: enabled or not, and settings)."""
    from core.plugins.manager import get_host
    from core.tenancy.plugins import list_tenant_plugins

    if current_tenant_or_none() is None:
        host = get_host()
        rows = [
            {
                "name": i.name,
                "version": i.version,
                "title": i.title,
                "essential": i.name in host.essential,
                "description": i.description,
            }
            for i in host.all_info()
        ]
        columns = [
            ("name", "NAME"),
            ("version", "VERSION"),
            ("essential", "ESSENTIAL"),
            ("title", "TITLE"),
        ]
    else:
        views = await list_tenant_plugins()
        if as_json:
            print_json(views)
            return
        rows = [
            {
                **vars(v),
                "settings": " ".join(
                    f"{k}={json.dumps(s, ensure_ascii=False)}" for k, s in v.settings.items()
                ),
            }
            for v in views
        ]
        columns = [
            ("name", "NAME"),
            ("version", "VERSION"),
            ("enabled", "ENABLED"),
            ("settings", "SETTINGS"),
        ]
    if as_json:
        print_json(rows)
        return
    print_table(rows, columns)


@plugin_group.command("enable")
@tenant_option()
@click.argument("name")
@cli_permission("core.plugins.manage")
async def enable(name: str) -> None:
    """Enable plugin NAME for the tenant (takes effect at once, no restart)."""
    from core.tenancy.plugins import enable_plugin

    await enable_plugin(name)
    click.echo(f"Enabled plugin {name}.")


@plugin_group.command("disable")
@tenant_option()
@click.argument("name")
@cli_permission("core.plugins.manage")
async def disable(name: str) -> None:
    """Disable plugin NAME for the tenant (its data and settings stay)."""
    from core.tenancy.plugins import disable_plugin

    await disable_plugin(name)
    click.echo(f"Disabled plugin {name}.")


@plugin_group.command("configure")
@tenant_option()
@click.argument("name")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@json_option
@cli_permission("core.plugins.manage")
async def configure(name: str, assignments: tuple[str, ...], as_json: bool) -> None:
    """Change settings of plugin NAME, e.g. 'max_notes=50 greeting="Xin chào"'."""
    from core.tenancy.plugins import configure_plugin

    view = await configure_plugin(name, parse_assignments(assignments))
    if as_json:
        print_json(view.settings)
        return
    click.echo(f"Settings of {name} saved:")
    for key, value in view.settings.items():
        click.echo(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
