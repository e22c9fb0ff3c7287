"""Tenants: create, list, show, suspend, resume and update them (the platform side).

Tenant rows are platform tables; what a tenant starts with (plugin data, its first admin, the
audit event of its creation) is written inside the new tenant's context in the same
transaction. Its system roles and the admin's grant follow right after the commit, because the
authorization layer announces policy changes only once they are committed. Then the process's
registry is reloaded and the other processes are told on the ``tenant`` channel, so a
suspension or a new domain takes effect everywhere.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tortoise.functions import Count

from core.audit.services import record_audit
from core.context import Actor, TenantInfo, acting_as, current_actor, platform_scope, tenant_context
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput, NotFound
from core.plugins.manager import get_host
from core.tenancy.models import Tenant, TenantDomain, TenantPlugin
from core.tenancy.registry import get_registry, load_tenant_info
from core.tenancy.validation import (
    check_domains_free,
    validate_domains,
    validate_plugins,
    validate_slug,
    validate_theme,
)

TENANT_ADMIN_ROLE = "tenant_admin"


@dataclass(frozen=True)
class TenantSummary:
    """One line of ``congvan tenant list``."""

    slug: str
    name: str
    status: str
    domains: list[str]
    users: int
    units: int
    plugins: list[str]


@dataclass(frozen=True)
class AdminSpec:
    """The first tenant admin to create with a tenant."""

    username: str
    password: str
    full_name: str = ""


@dataclass(frozen=True)
class TenantSpec:
    """A validated request to create a tenant."""

    slug: str
    name: str
    domains: tuple[str, ...] = ()
    theme: str = "default"
    plugins: tuple[str, ...] = ()
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    admin: AdminSpec | None = None


# ---------------------------------------------------------------------------- notifications


async def tenant_changed(tenant_id: int) -> TenantInfo | None:
    """Refresh this process's registry and notify the other processes, once committed.

    Returns the fresh snapshot when called after the commit; inside ``atomic()`` both steps
    wait for the outermost commit (so no uncommitted row is cached) and it returns None.
    """
    from core.db.connection import in_atomic, on_commit
    from core.notify import TENANT_CHANNEL, publish_after_commit

    try:
        registry = get_registry()
    except RuntimeError:  # a script or a test that never loaded the registry
        registry = None

    async def reload() -> None:
        if registry is not None:
            await registry.reload_tenant(tenant_id)

    if in_atomic():
        await on_commit(reload)
        await publish_after_commit(TENANT_CHANNEL, str(tenant_id))
        return None
    info = await registry.reload_tenant(tenant_id) if registry is not None else None
    # A failing bus is logged, not raised: the change is committed, and failing the command
    # now would report a saved change as an error.
    await publish_after_commit(TENANT_CHANNEL, str(tenant_id))
    return info


@asynccontextmanager
async def in_tenant(info: TenantInfo) -> AsyncIterator[TenantInfo]:
    """Enter ``info``'s context inside an open transaction, row-level security included.

    A transaction carries the tenant it was opened with; a nested ``atomic()`` sets the new
    one on the connection (PostgreSQL), so reads and writes of this block see this tenant.
    """
    with tenant_context(info):
        async with atomic():
            yield info


async def fresh_info(tenant: Tenant) -> TenantInfo:
    """A snapshot read from the database now (platform tables need no scope)."""
    return await load_tenant_info(await Tenant.get(id=tenant.id))


async def _get(slug: str) -> Tenant:
    tenant = await Tenant.get_or_none(slug=slug)
    if tenant is None:
        raise NotFound(f"No tenant {slug!r}.")
    return tenant


# ---------------------------------------------------------------------------- creation


def tenant_spec(
    slug: str,
    name: str,
    *,
    domains: Sequence[str] = (),
    theme: str = "default",
    plugins: Sequence[str] | None = None,
    admin_username: str | None = None,
    admin_password: str | None = None,
    admin_full_name: str = "",
) -> TenantSpec:
    """Validate the arguments of :func:`create_tenant` without touching the database."""
    slug = validate_slug(slug)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A tenant needs a name.", {"name": "required"})
    admin = None
    if admin_username:
        if not admin_password:
            raise InvalidInput(
                f"The tenant admin {admin_username!r} needs a password.",
                {"admin_password": "required"},
            )
        admin = AdminSpec(admin_username, admin_password, admin_full_name or admin_username)
    elif admin_password:
        raise InvalidInput("An admin password was given without an admin user name.")
    return TenantSpec(
        slug=slug,
        name=name,
        domains=validate_domains(domains, slug=slug),
        theme=validate_theme(theme),
        plugins=validate_plugins(plugins),
        admin=admin,
    )


async def provision_tenant(spec: TenantSpec) -> tuple[TenantInfo, int | None]:
    """Write a new tenant and its data; returns its snapshot and the admin's user id.

    Call inside ``atomic()``; after the commit call :func:`finish_provisioning` (roles and
    grants announce policy changes, which must not happen before the commit) and
    :func:`tenant_changed`.
    """
    if await Tenant.exists(slug=spec.slug):
        raise Conflict(f"A tenant with the slug {spec.slug!r} already exists.")
    await check_domains_free(spec.domains)
    tenant = await Tenant.create(slug=spec.slug, name=spec.name, theme=spec.theme)
    for domain in spec.domains:
        await TenantDomain.create(tenant=tenant, domain=domain)
    for plugin in spec.plugins:
        settings = spec.plugin_settings.get(plugin, {})
        await TenantPlugin.create(tenant=tenant, plugin=plugin, enabled=True, settings=settings)
    info = await fresh_info(tenant)
    admin_id = None
    async with in_tenant(info):
        await record_audit(
            "tenant.create", object_type="tenant", object_id=tenant.id, after=snapshot(info)
        )
        for plugin in spec.plugins:
            await run_enabled_hook(info, plugin)
        if spec.admin is not None:
            from core.users.services import create_user

            admin = spec.admin
            user = await create_user(admin.username, admin.full_name, password=admin.password)
            admin_id = int(user.id)
    return info, admin_id


async def finish_provisioning(info: TenantInfo, admin_id: int | None) -> None:
    """Seed the system roles and make the first admin a tenant admin (inside or after the
    provisioning transaction; policy notifications wait for the commit)."""
    from core.authz.grants import grant_role
    from core.authz.roles import seed_roles

    # Seeding is the platform's own act (a platform admin has no tenant permissions to check),
    # so it runs as the system actor; the audit trail still names who asked for it.
    provisioner = Actor("system", name=f"tenant provisioning by {current_actor().ref}")
    with tenant_context(info), acting_as(provisioner):
        await seed_roles()
        if admin_id is not None:
            await grant_role(admin_id, TENANT_ADMIN_ROLE, unit_id=None)


async def run_enabled_hook(info: TenantInfo, plugin: str) -> None:
    """Call ``on_plugin_enabled(plugin=…)`` for the tenant's enabled plugins, awaiting results."""
    for result in get_host().relay(info).on_plugin_enabled(plugin=plugin):
        if inspect.isawaitable(result):
            await result


async def create_tenant(
    slug: str,
    name: str,
    *,
    domains: Sequence[str] = (),
    theme: str = "default",
    plugins: Sequence[str] | None = None,
    admin_username: str | None = None,
    admin_password: str | None = None,
    admin_full_name: str = "",
) -> TenantInfo:
    """Create a tenant with its domains, enabled plugins (``None`` → all) and first admin.

    Raises InvalidInput for a bad slug, domain or admin, NotFound for an unknown plugin and
    Conflict for a slug or domain already taken. Nothing is written when it raises.
    """
    spec = tenant_spec(
        slug,
        name,
        domains=domains,
        theme=theme,
        plugins=plugins,
        admin_username=admin_username,
        admin_password=admin_password,
        admin_full_name=admin_full_name,
    )
    # One transaction: a tenant never exists without its roles and its first admin's grant.
    async with atomic():
        info, admin_id = await provision_tenant(spec)
        await finish_provisioning(info, admin_id)
    return await tenant_changed(info.id) or info


# ---------------------------------------------------------------------------- queries


def snapshot(info: TenantInfo) -> dict[str, Any]:
    """What the audit trail records about a tenant."""
    return {
        "slug": info.slug,
        "name": info.name,
        "status": info.status,
        "theme": info.theme,
        "domains": list(info.domains),
        "plugins": sorted(info.enabled_plugins),
    }


async def get_tenant(slug: str) -> TenantInfo:
    """The tenant's current snapshot, read from the database; NotFound when there is none."""
    return await fresh_info(await _get(slug))


async def list_tenants() -> list[TenantSummary]:
    """Every tenant with its domains, enabled plugins and how many users and units it has."""
    from core.units.models import Unit
    from core.users.models import User

    with platform_scope():
        users = await _counts(User)
        units = await _counts(Unit)
        tenants = await Tenant.all().order_by("slug").prefetch_related("domains", "plugins")
    return [
        TenantSummary(
            slug=t.slug,
            name=t.name,
            status=t.status,
            domains=sorted(d.domain for d in t.domains),
            users=users.get(t.id, 0),
            units=units.get(t.id, 0),
            plugins=sorted(p.plugin for p in t.plugins if p.enabled),
        )
        for t in tenants
    ]


async def _counts(model: Any) -> dict[int, int]:
    rows = (
        await model.unscoped()
        .annotate(n=Count("id"))
        .group_by("tenant_id")
        .values("tenant_id", "n")
    )
    return {int(row["tenant_id"]): int(row["n"]) for row in rows}


# ---------------------------------------------------------------------------- changes


async def apply_tenant_change(
    slug: str,
    action: str,
    *,
    name: str | None = None,
    theme: str | None = None,
    status: str | None = None,
    domains: tuple[str, ...] | None = None,
) -> TenantInfo:
    """Change a tenant inside the caller's transaction: bump its version, audit it.

    ``domains`` replaces the set of custom domains. The caller calls :func:`tenant_changed`
    after the commit.
    """
    tenant = await Tenant.select_for_update().get_or_none(slug=slug)
    if tenant is None:
        raise NotFound(f"No tenant {slug!r}.")
    before = snapshot(await fresh_info(tenant))
    tenant.name = name if name is not None else tenant.name
    tenant.theme = theme if theme is not None else tenant.theme
    tenant.status = status if status is not None else tenant.status
    tenant.version += 1
    await tenant.save()
    if domains is not None:
        await check_domains_free(domains, tenant_id=tenant.id)
        await TenantDomain.filter(tenant_id=tenant.id).exclude(domain__in=domains).delete()
        rows = await TenantDomain.filter(tenant_id=tenant.id).values_list("domain", flat=True)
        kept = {str(row) for row in rows}
        for domain in domains:
            if domain not in kept:
                await TenantDomain.create(tenant=tenant, domain=domain)
    info = await fresh_info(tenant)
    async with in_tenant(info):
        after = snapshot(info)
        await record_audit(
            action, object_type="tenant", object_id=tenant.id, before=before, after=after
        )
    return info


async def _change(slug: str, action: str, **changes: Any) -> TenantInfo:
    async with atomic():
        info = await apply_tenant_change(slug, action, **changes)
    return await tenant_changed(info.id) or info


async def suspend_tenant(slug: str) -> TenantInfo:
    """Suspend a tenant: its hosts answer 403 until it is resumed. Its data stays."""
    if (await get_tenant(slug)).status == "suspended":
        raise Conflict(f"Tenant {slug!r} is already suspended.")
    return await _change(slug, "tenant.suspend", status="suspended")


async def resume_tenant(slug: str) -> TenantInfo:
    """Make a suspended tenant reachable again."""
    if (await get_tenant(slug)).status == "active":
        raise Conflict(f"Tenant {slug!r} is not suspended.")
    return await _change(slug, "tenant.resume", status="active")


async def update_tenant(
    slug: str,
    *,
    name: str | None = None,
    theme: str | None = None,
    domains: Sequence[str] | None = None,
) -> TenantInfo:
    """Rename a tenant, change its theme, or replace its set of custom domains."""
    if name is not None and not name.strip():
        raise InvalidInput("A tenant needs a name.", {"name": "required"})
    clean = validate_domains(domains, slug=slug) if domains is not None else None
    return await _change(
        slug,
        "tenant.update",
        name=name.strip() if name is not None else None,
        theme=validate_theme(theme) if theme is not None else None,
        domains=clean,
    )
