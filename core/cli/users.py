"""``congvan user …``: users of a tenant, their passwords and positions."""

from __future__ import annotations

from typing import Any

import click

from core.cli.output import print_json, print_table
from core.cli.permissions import cli_permission, unit_param
from core.cli.runner import json_option, tenant_option
from core.errors import NotFound


@click.group("user")
def user_group() -> None:
    """Users: people of a tenant, with positions (chức vụ) in units."""


def register(cli: click.Group) -> None:
    cli.add_command(user_group)


async def user_by_username(username: str) -> Any:
    from core.users.services import get_user_by_username

    user = await get_user_by_username(username)
    if user is None:
        raise NotFound(f"No user {username!r} in this tenant.")
    return user


def user_dict(user: Any) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "active": user.is_active,
    }


@user_group.command("create")
@tenant_option()
@click.argument("username")
@click.option("--full-name", required=True, help="e.g. 'Nguyễn Văn An'.")
@click.option("--password", required=True, help="The initial password.")
@click.option("--unit", default=None, metavar="CODE", help="The unit of the user's position.")
@click.option("--position", default="", help="Position title (chức vụ), e.g. 'Chuyên viên'.")
@click.option("--email", default="")
@click.option("--phone", default="")
@json_option
@cli_permission("core.users.manage", unit=unit_param("unit"))
async def create(
    username: str,
    full_name: str,
    password: str,
    unit: str | None,
    position: str,
    email: str,
    phone: str,
    as_json: bool,
) -> None:
    """Create user USERNAME (with a primary position in --unit)."""
    from core.cli.units import unit_id_of
    from core.users.services import create_user

    unit_id = await unit_id_of(unit) if unit else None
    user = await create_user(
        username,
        full_name,
        password=password,
        email=email,
        phone=phone,
        unit_id=unit_id,
        position_title=position,
    )
    if as_json:
        print_json(user_dict(user))
    else:
        click.echo(f"Created user {user.username} ({user.full_name}).")


@user_group.command("list")
@tenant_option()
@click.option("--unit", default=None, metavar="CODE", help="Only users with a position there.")
@click.option("--search", "q", default=None, help="Match user name, full name or e-mail.")
@json_option
@cli_permission("core.users.view")
async def list_(unit: str | None, q: str | None, as_json: bool) -> None:
    """List users."""
    from core.cli.units import unit_id_of
    from core.users.services import list_users

    unit_id = await unit_id_of(unit) if unit else None
    rows = [user_dict(u) for u in await list_users(unit_id=unit_id, q=q)]
    if as_json:
        print_json(rows)
        return
    print_table(
        rows,
        [
            ("username", "USERNAME"),
            ("full_name", "FULL NAME"),
            ("email", "EMAIL"),
            ("active", "ACTIVE"),
        ],
    )


@user_group.command("set-password")
@tenant_option()
@click.argument("username")
@click.option("--password", required=True, help="The new password.")
@cli_permission("core.users.manage")
async def set_password_(username: str, password: str) -> None:
    """Set USERNAME's password."""
    from core.users.services import set_password

    user = await user_by_username(username)
    await set_password(user.id, password)
    click.echo(f"Password of {username} changed.")


@user_group.command("deactivate")
@tenant_option()
@click.argument("username")
@cli_permission("core.users.manage")
async def deactivate(username: str) -> None:
    """Deactivate USERNAME: no more sign-ins or tokens; records keep the name."""
    from core.users.services import deactivate_user

    user = await user_by_username(username)
    await deactivate_user(user.id)
    click.echo(f"Deactivated user {username}.")
