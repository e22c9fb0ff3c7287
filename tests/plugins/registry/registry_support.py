"""Helpers of the registry plugin's tests (imported by conftest and the test modules)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.context import TenantInfo, tenant_context
from core.tenancy.services import run_enabled_hook
from core.testing import make_tenant

PLUGINS = ("example", "registry")


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
