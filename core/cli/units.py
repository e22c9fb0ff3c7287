"""``congvan unit …``: the org tree of a tenant."""

from __future__ import annotations

from typing import Any

import click

from core.cli.output import print_json, print_table
from core.cli.permissions import cli_permission, unit_param
from core.cli.runner import json_option, tenant_option
from core.errors import BadRequest, NotFound

KINDS = ("agency", "department", "division", "office", "other")


@click.group("unit")
def unit_group() -> None:
    """Units: agencies, departments and the rest of a tenant's org tree."""


def register(cli: click.Group) -> None:
    cli.add_command(unit_group)


async def unit_id_of(code: str) -> int:
    from core.units.services import get_unit_by_code

    unit = await get_unit_by_code(code)
    if unit is None:
        raise NotFound(f"No unit with code {code!r}.")
    return int(unit.id)


def unit_dict(unit: Any, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent": codes.get(unit.parent_id) if unit.parent_id else None,
        "level": unit.level,
        "organ_id": unit.organ_id,
        "organ_id_v2": unit.organ_id_v2,
        "active": unit.is_active,
    }


@unit_group.command("create")
@tenant_option()
@click.option("--code", required=True, help="Unique in the tenant, e.g. STP.")
@click.option("--name", required=True, help="Full name, e.g. 'Sở Tư pháp'.")
@click.option("--parent", default=None, metavar="CODE", help="The parent unit's code.")
@click.option("--short-name", default="", help="Used in document notations, e.g. STP.")
@click.option("--kind", type=click.Choice(KINDS), default="agency", show_default=True)
@click.option("--organ-id", default=None, help="OrganId (edXML), e.g. 000.00.14.H41.")
@click.option("--organ-id-v2", default=None, help="OrganId in the newer, longer form.")
@click.option("--sort-order", type=int, default=0)
@json_option
@cli_permission("core.units.manage", unit=unit_param("parent"))
async def create(
    code: str,
    name: str,
    parent: str | None,
    short_name: str,
    kind: str,
    organ_id: str | None,
    organ_id_v2: str | None,
    sort_order: int,
    as_json: bool,
) -> None:
    """Create a unit (under --parent, or as a root)."""
    from core.units.services import create_unit

    parent_id = await unit_id_of(parent) if parent else None
    unit = await create_unit(
        code,
        name,
        parent_id=parent_id,
        short_name=short_name,
        kind=kind,
        organ_id=organ_id,
        organ_id_v2=organ_id_v2,
        sort_order=sort_order,
    )
    if as_json:
        print_json(unit_dict(unit, {parent_id: parent} if parent_id and parent else {}))
    else:
        click.echo(f"Created unit {unit.code} ({unit.name}).")


@unit_group.command("list")
@tenant_option()
@click.option("--active-only", is_flag=True, help="Hide deactivated units.")
@json_option
@cli_permission("core.units.view")
async def list_(active_only: bool, as_json: bool) -> None:
    """List the org tree (indented by level)."""
    from core.units.services import list_units

    units = await list_units(include_inactive=not active_only)
    codes = {u.id: u.code for u in units}
    rows = [unit_dict(u, codes) for u in units]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["name"] = "  " * int(row["level"]) + str(row["name"])
    print_table(
        rows,
        [
            ("code", "CODE"),
            ("name", "NAME"),
            ("short_name", "SHORT"),
            ("kind", "KIND"),
            ("organ_id", "ORGAN ID"),
            ("active", "ACTIVE"),
        ],
    )


@unit_group.command("move")
@tenant_option()
@click.argument("code")
@click.option("--parent", default=None, metavar="CODE", help="The new parent's code.")
@click.option("--root", is_flag=True, help="Make the unit a root of the tree.")
@cli_permission("core.units.manage", unit=unit_param("code"))
async def move(code: str, parent: str | None, root: bool) -> None:
    """Move unit CODE under another parent (--parent CODE) or to the top (--root)."""
    from core.units.services import move_unit

    if bool(parent) == root:
        raise BadRequest("Give exactly one of --parent CODE or --root.")
    unit_id = await unit_id_of(code)
    await move_unit(unit_id, await unit_id_of(parent) if parent else None)
    click.echo(f"Moved unit {code} {'to the top' if root else f'under {parent}'}.")


@unit_group.command("deactivate")
@tenant_option()
@click.argument("code")
@cli_permission("core.units.manage", unit=unit_param("code"))
async def deactivate(code: str) -> None:
    """Deactivate unit CODE (it stays in the records; nothing is deleted)."""
    from core.units.services import deactivate_unit

    await deactivate_unit(await unit_id_of(code))
    click.echo(f"Deactivated unit {code}.")
