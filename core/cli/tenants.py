"""``congvan tenant …``: create, list, show, update, suspend, resume, apply a manifest."""

from __future__ import annotations

from pathlib import Path

import click

from core.cli.output import print_fields, print_json, print_table
from core.cli.permissions import PLATFORM, cli_permission
from core.cli.runner import json_option
from core.context import TenantInfo


@click.group("tenant")
def tenant_group() -> None:
    """Tenants: one deployment each (a province, a ministry, an agency)."""


def register(cli: click.Group) -> None:
    cli.add_command(tenant_group)


def hosts_of(info: TenantInfo) -> list[str]:
    from core.settings import get_settings

    return [f"{info.slug}.{get_settings().base_domain}", *info.domains]


def print_info(info: TenantInfo, as_json: bool) -> None:
    if as_json:
        print_json({**_info_dict(info), "hosts": hosts_of(info)})
        return
    print_fields(
        [
            ("slug", info.slug),
            ("name", info.name),
            ("status", info.status),
            ("theme", info.theme),
            ("hosts", hosts_of(info)),
            ("plugins", sorted(info.enabled_plugins)),
        ]
    )


def _info_dict(info: TenantInfo) -> dict[str, object]:
    from core.cli.output import plain

    value = plain(info)
    assert isinstance(value, dict)
    return value


@tenant_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Full name, e.g. 'UBND tỉnh Hà Giang'.")
@click.option("--domain", "domains", multiple=True, metavar="HOST", help="A custom domain.")
@click.option("--theme", default="default", show_default=True)
@click.option(
    "--plugin", "plugins", multiple=True, metavar="NAME", help="Enable only these (default: all)."
)
@click.option("--no-plugins", is_flag=True, help="Enable no optional plugin.")
@click.option("--admin", "admin_username", metavar="USERNAME", help="Create this tenant admin.")
@click.option("--admin-password", metavar="PASSWORD", help="The tenant admin's password.")
@click.option("--admin-name", "admin_full_name", default="", help="The tenant admin's full name.")
@json_option
@cli_permission(PLATFORM)
async def create(
    slug: str,
    name: str,
    domains: tuple[str, ...],
    theme: str,
    plugins: tuple[str, ...],
    no_plugins: bool,
    admin_username: str | None,
    admin_password: str | None,
    admin_full_name: str,
    as_json: bool,
) -> None:
    """Create tenant SLUG (served at SLUG.<base domain> and its custom domains)."""
    from core.tenancy.services import create_tenant

    info = await create_tenant(
        slug,
        name,
        domains=domains,
        theme=theme,
        plugins=[] if no_plugins else (list(plugins) or None),
        admin_username=admin_username,
        admin_password=admin_password,
        admin_full_name=admin_full_name,
    )
    if as_json:
        print_info(info, True)
        return
    click.echo(f"Created tenant {info.slug!r} ({info.name}).")
    print_info(info, False)


@tenant_group.command("list")
@json_option
@cli_permission(PLATFORM)
async def list_(as_json: bool) -> None:
    """List every tenant with its hosts, users, units and plugins."""
    from core.tenancy.services import list_tenants

    tenants = await list_tenants()
    if as_json:
        print_json(tenants)
        return
    print_table(
        [vars(t) for t in tenants],
        [
            ("slug", "SLUG"),
            ("name", "NAME"),
            ("status", "STATUS"),
            ("users", "USERS"),
            ("units", "UNITS"),
            ("domains", "DOMAINS"),
            ("plugins", "PLUGINS"),
        ],
    )


@tenant_group.command("show")
@click.argument("slug")
@json_option
@cli_permission(PLATFORM)
async def show(slug: str, as_json: bool) -> None:
    """Show one tenant."""
    from core.tenancy.services import get_tenant

    print_info(await get_tenant(slug), as_json)


@tenant_group.command("update")
@click.argument("slug")
@click.option("--name", default=None)
@click.option("--theme", default=None)
@click.option("--domain", "domains", multiple=True, metavar="HOST", help="Replaces the domains.")
@click.option("--no-domains", is_flag=True, help="Remove every custom domain.")
@json_option
@cli_permission(PLATFORM)
async def update(
    slug: str,
    name: str | None,
    theme: str | None,
    domains: tuple[str, ...],
    no_domains: bool,
    as_json: bool,
) -> None:
    """Rename a tenant, change its theme or replace its custom domains."""
    from core.tenancy.services import update_tenant

    new_domains = [] if no_domains else (list(domains) if domains else None)
    info = await update_tenant(slug, name=name, theme=theme, domains=new_domains)
    if not as_json:
        click.echo(f"Updated tenant {slug!r}.")
    print_info(info, as_json)


@tenant_group.command("suspend")
@click.argument("slug")
@cli_permission(PLATFORM)
async def suspend(slug: str) -> None:
    """Suspend a tenant: its hosts answer 403 until it is resumed; nothing is deleted."""
    from core.tenancy.services import suspend_tenant

    await suspend_tenant(slug)
    click.echo(f"Tenant {slug!r} is suspended.")


@tenant_group.command("resume")
@click.argument("slug")
@cli_permission(PLATFORM)
async def resume(slug: str) -> None:
    """Make a suspended tenant reachable again."""
    from core.tenancy.services import resume_tenant

    await resume_tenant(slug)
    click.echo(f"Tenant {slug!r} is active again.")


@tenant_group.command("apply")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@json_option
@cli_permission(PLATFORM)
async def apply(path: Path, as_json: bool) -> None:
    """Create or update a tenant from a manifest (tenants/*.toml); never deletes anything."""
    from core.tenancy.manifest import apply_manifest

    report = await apply_manifest(path)
    if as_json:
        print_json(report)
        return
    if not report.created and not report.updated:
        click.echo(f"Tenant {report.tenant!r} is up to date with {path}: 0 created, 0 updated.")
    else:
        verb = "Created" if report.tenant_created else "Updated"
        click.echo(
            f"{verb} tenant {report.tenant!r} from {path}: "
            f"{len(report.created)} created, {len(report.updated)} updated."
        )
    for item in report.created:
        click.echo(f"  + {item}")
    for item in report.updated:
        click.echo(f"  ~ {item}")
    if report.unmanaged:
        click.echo("Not in the manifest (left as they are):")
        for item in report.unmanaged:
            click.echo(f"  ? {item}")
