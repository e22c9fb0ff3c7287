"""The administration pages on PostgreSQL, as the non-owner role (row-level security on):
a reference item, a registry, a reservation and its release, end to end through the forms,
and another tenant's registry answering 404."""

# ruff: noqa: F811 (fixtures imported from the support module)
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pages_admin_support import flash_of, follow, post_form, staff  # noqa: F401
from starlette.applications import Starlette
from tortoise import connections

from core.context import TenantInfo, tenant_context
from core.plugins.manager import PluginHost
from core.settings import Settings
from core.testing_web import HTML, attached_runtime
from core.web.app import create_app
from plugins.registry.models import DocumentType, Registry, RegistryNumber

pytestmark = pytest.mark.postgres


@pytest.fixture
async def app(
    pg_db: str,
    tenant: TenantInfo,
    other_tenant: TenantInfo,
    congvan_host: PluginHost,
    web_settings: Settings,
) -> AsyncIterator[Starlette]:
    """The web app on this worker's PostgreSQL database (replaces the SQLite one here)."""
    application = create_app(web_settings, host=congvan_host, runtime=attached_runtime, jobs=False)
    async with application.router.lifespan_context(application):
        yield application


async def test_the_admin_pages_end_to_end_on_postgresql(pg_db, staff, tenant, other_tenant, tree):
    assert connections.get("default").capabilities.dialect == "postgres"
    admin = staff["admin"].c
    new_type = "/registry/reference/document-types/new"
    data = {"code": "quyet_dinh_rieng", "name": "Quyết định riêng", "abbreviation": "QĐR"}
    r = await post_form(admin, new_type, new_type, {**data, "is_active": "on"})
    assert r.status_code == 303
    ua = staff["ua"].c
    new = "/registry/registries/new"
    r = await post_form(
        ua,
        new,
        new,
        {
            "unit_id": str(tree.ubnd),
            "direction": "outgoing",
            "name": "Sổ quyết định riêng",
            "document_types": ["quyet_dinh_rieng"],
            "numbering_scope": "agency",
            "notation_pattern": "{type}-{agency}",
        },
    )
    assert r.status_code == 303
    with tenant_context(tenant):
        registry = await Registry.get(name="Sổ quyết định riêng")
        assert await DocumentType.exists(code="quyet_dinh_rieng")
    with tenant_context(other_tenant):
        assert not await DocumentType.exists(code="quyet_dinh_rieng")
        assert not await Registry.exists(id=registry.id)
    url = f"/registry/registries/{registry.id}"
    thu = staff["thu"].c
    r = await post_form(thu, url, f"{url}/reserve", {"document_type": "quyet_dinh_rieng"})
    assert "Đã giữ số 01/QĐR-UBND." in flash_of((await follow(thu, r)).text)
    with tenant_context(tenant):
        held = await RegistryNumber.get(registry_id=registry.id)
    release = f"{url}/numbers/{held.id}/release"
    r = await post_form(thu, url, release, {"reason": "Không ký"})
    shown = await follow(thu, r)
    assert 'data-state="released"' in shown.text and "Không ký" in shown.text
    assert (await staff["beta"].c.get(url, headers=HTML)).status_code == 404
