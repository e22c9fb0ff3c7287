"""Helpers of the registry plugin's tests (imported by conftest and the test modules)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from core.context import Actor, TenantInfo, tenant_context
from core.tenancy.services import run_enabled_hook
from core.testing import make_tenant
from core.testing_web import Account, client_for, make_account

PLUGINS = ("example", "registry")

Cast = Sequence[tuple[str, str, int | None, bool]]
"""People to make: (username, role, unit id or ``None`` for tenant-wide, with sub-units)."""


async def registry_tenant(slug: str, name: str) -> TenantInfo:
    """A tenant with the registry enabled, seeded through the plugin's ``on_plugin_enabled``."""
    info = await make_tenant(slug, name, plugins=PLUGINS)
    with tenant_context(info):
        await run_enabled_hook(info, "registry")
    return info


@dataclass(frozen=True)
class Tree:
    """UBND (agency) with its office VP and its department VX; STP, another agency."""

    ubnd: int
    vp: int
    vx: int
    stp: int


async def make_tree() -> Tree:
    """The unit tree, in the current tenant."""
    from core.units.services import create_unit

    ubnd = await create_unit("UBND", "Ủy ban nhân dân tỉnh", short_name="UBND")
    vp = await create_unit("VP", "Văn phòng", parent_id=ubnd.id, short_name="VP", kind="department")
    vx = await create_unit(
        "VX", "Phòng Văn xã", parent_id=ubnd.id, short_name="VX", kind="department"
    )
    stp = await create_unit("STP", "Sở Tư pháp", short_name="STP")
    return Tree(ubnd.id, vp.id, vx.id, stp.id)


async def new_registry(unit_id: int, direction: str = "outgoing", **options: Any) -> int:
    """A registry of ``unit_id`` in the current tenant; returns its id."""
    from plugins.registry.services.registries import create_registry

    name = options.pop("name", f"Sổ văn bản {direction}")
    view = await create_registry(unit_id, direction, name, **options)
    return view.registry.id


def as_user(user: int | Account) -> Actor:
    """The actor of a user (an id or an :class:`Account`), for ``acting_as``."""
    if isinstance(user, Account):
        return Actor(kind="user", id=user.user_id, name=user.username)
    return Actor(kind="user", id=user, name=f"user {user}")


@asynccontextmanager
async def api_clients(
    app: Starlette, tenant: TenantInfo, cast: Cast
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A bearer-token client per person of ``cast`` (granted their role on their unit), on
    the tenant's host, with the person's ``user_id`` set on it; closed on the way out."""
    made: dict[str, httpx.AsyncClient] = {}
    try:
        for name, role, unit, below in cast:
            person = await make_account(tenant, name, role=role, unit_id=unit, descendants=below)
            c = client_for(app, f"{tenant.slug}.localhost", person.token)
            c.user_id = person.user_id  # type: ignore[attr-defined]
            made[name] = c
        yield made
    finally:
        for c in made.values():
            await c.aclose()
