"""``congvan token create`` and ``congvan platform-admin create``."""

from __future__ import annotations

import click

from core.cli.output import print_json
from core.cli.permissions import PLATFORM, cli_permission
from core.cli.runner import json_option, tenant_option


@click.group("token")
def token_group() -> None:
    """Personal API tokens (for the JSON API and mobile clients)."""


@click.group("platform-admin")
def platform_admin_group() -> None:
    """Vendor operators who manage tenants in the platform console."""


def register(cli: click.Group) -> None:
    cli.add_command(token_group)
    cli.add_command(platform_admin_group)


@token_group.command("create")
@tenant_option()
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Expire after D days.")
@json_option
@cli_permission("core.users.manage")
async def create_token_(username: str, name: str, days: int | None, as_json: bool) -> None:
    """Create an API token for USERNAME and print it (it is shown only this once)."""
    from core.cli.users import user_by_username
    from core.users.tokens import create_token

    user = await user_by_username(username)
    token, secret = await create_token(user.id, name, expires_in_days=days)
    expires = token.expires_at.isoformat() if token.expires_at else None
    if as_json:
        print_json({"id": token.id, "name": token.name, "token": secret, "expires_at": expires})
        return
    click.echo(secret)
    click.echo(
        f"API token {name!r} for {username}"
        + (f", expires {expires}" if expires else ", no expiry")
        + ". Store it now: it is not shown again.",
        err=True,
    )


@platform_admin_group.command("create")
@click.argument("username")
@click.option("--password", required=True)
@click.option("--full-name", default="")
@cli_permission(PLATFORM)
async def create_admin(username: str, password: str, full_name: str) -> None:
    """Create platform admin USERNAME."""
    from core.platform.services import create_platform_admin

    await create_platform_admin(username, password, full_name)
    click.echo(f"Created platform admin {username}.")
