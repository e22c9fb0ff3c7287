"""``congvan role …``: roles (sets of actions) and grants of roles in units."""

from __future__ import annotations

import click

from core.cli.output import print_json, print_table
from core.cli.permissions import cli_permission, unit_param
from core.cli.runner import json_option, tenant_option
from core.errors import BadRequest


@click.group("role")
def role_group() -> None:
    """Roles and grants: who may do what, in which units."""


def register(cli: click.Group) -> None:
    cli.add_command(role_group)


@role_group.command("list")
@tenant_option()
@json_option
@cli_permission("core.roles.view")
async def list_(as_json: bool) -> None:
    """List the tenant's roles with their actions."""
    from core.authz.roles import list_roles

    roles = await list_roles()
    if as_json:
        print_json(roles)
        return
    print_table(
        [role.as_dict() for role in roles],
        [("key", "KEY"), ("name", "NAME"), ("is_system", "SYSTEM"), ("actions", "ACTIONS")],
    )


async def _scope(unit: str | None, tenant_wide: bool) -> int | None:
    from core.cli.units import unit_id_of

    if bool(unit) == tenant_wide:
        raise BadRequest("Give exactly one of --unit CODE or --tenant-wide.")
    return await unit_id_of(unit) if unit else None


def _where(unit: str | None, descendants: bool) -> str:
    if not unit:
        return "tenant-wide"
    return f"in {unit}" + (" and its sub-units" if descendants else "")


@role_group.command("grant")
@tenant_option()
@click.argument("username")
@click.argument("role")
@click.option("--unit", default=None, metavar="CODE", help="The unit the role applies in.")
@click.option("--descendants", is_flag=True, help="Also in every unit below --unit.")
@click.option("--tenant-wide", is_flag=True, help="In every unit of the tenant.")
@cli_permission("core.grants.manage", unit=unit_param("unit"))
async def grant(
    username: str, role: str, unit: str | None, descendants: bool, tenant_wide: bool
) -> None:
    """Grant ROLE to USERNAME in a unit (or tenant-wide)."""
    from core.authz.grants import grant_role
    from core.cli.users import user_by_username

    user = await user_by_username(username)
    unit_id = await _scope(unit, tenant_wide)
    await grant_role(user.id, role, unit_id=unit_id, descendants=descendants)
    click.echo(f"Granted {role} to {username} {_where(unit, descendants)}.")


@role_group.command("revoke")
@tenant_option()
@click.argument("username")
@click.argument("role")
@click.option("--unit", default=None, metavar="CODE")
@click.option("--descendants", is_flag=True)
@click.option("--tenant-wide", is_flag=True)
@cli_permission("core.grants.manage", unit=unit_param("unit"))
async def revoke(
    username: str, role: str, unit: str | None, descendants: bool, tenant_wide: bool
) -> None:
    """Revoke a grant of ROLE from USERNAME (give the same scope it was granted with)."""
    from core.authz.grants import revoke_role
    from core.cli.users import user_by_username

    user = await user_by_username(username)
    unit_id = await _scope(unit, tenant_wide)
    await revoke_role(user.id, role, unit_id=unit_id, descendants=descendants)
    click.echo(f"Revoked {role} from {username} {_where(unit, descendants)}.")


@role_group.command("grants")
@tenant_option()
@click.option("--user", "username", default=None, metavar="USERNAME")
@json_option
@cli_permission("core.roles.view")
async def grants(username: str | None, as_json: bool) -> None:
    """List role grants (of one user with --user)."""
    from core.authz.grants import list_grants
    from core.cli.users import user_by_username
    from core.units.models import Unit
    from core.users.models import User

    user_id = (await user_by_username(username)).id if username else None
    views = await list_grants(user_id=user_id)
    names = dict(await User.all().values_list("id", "username"))
    codes = dict(await Unit.all().values_list("id", "code"))
    rows = [
        {
            "username": names.get(g.user_id, g.user_id),
            "role": g.role_key,
            "unit": codes.get(g.unit_id) if g.unit_id is not None else None,
            "descendants": g.descendants,
        }
        for g in views
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["unit"] = row["unit"] or "(tenant-wide)"
    print_table(
        rows,
        [("username", "USER"), ("role", "ROLE"), ("unit", "UNIT"), ("descendants", "SUB-UNITS")],
    )


@role_group.command("create")
@tenant_option()
@click.argument("key")
@click.option("--name", required=True, help="e.g. 'Văn thư Sở'.")
@click.option("--description", default="")
@click.option("--action", "actions", multiple=True, required=True, help="An action key.")
@cli_permission("core.roles.manage")
async def create(key: str, name: str, description: str, actions: tuple[str, ...]) -> None:
    """Create role KEY from actions (see the actions of plugins with 'role list')."""
    from core.authz.roles import create_role

    await create_role(key, name, list(actions), description)
    click.echo(f"Created role {key} with {len(actions)} action(s).")
