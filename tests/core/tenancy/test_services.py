from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.audit.models import AuditEvent
from core.authz.roles import SYSTEM_ROLE_KEYS, list_roles
from core.context import platform_scope, tenant_context
from core.errors import Conflict, InvalidInput, NotFound
from core.plugins.manager import BUILTIN_PLUGINS
from core.tenancy.middleware import TenantMiddleware
from core.tenancy.models import Tenant, TenantDomain, TenantPlugin
from core.tenancy.services import (
    create_tenant,
    get_tenant,
    list_tenants,
    resume_tenant,
    suspend_tenant,
    update_tenant,
)
from core.units.models import Unit

# Every built-in plugin (the name is the package: plugins.<name>.plugin).
INSTALLED = sorted(dotted.split(".")[1] for dotted in BUILTIN_PLUGINS)


async def _counts() -> tuple[int, int, int]:
    return (
        await Tenant.all().count(),
        await TenantDomain.all().count(),
        await TenantPlugin.all().count(),
    )


async def _actions(info) -> list[str]:
    with tenant_context(info):
        return [e.action for e in await AuditEvent.all().order_by("seq")]


async def test_create_two_tenants_each_seeded_and_isolated(registry):
    alpha = await create_tenant("alpha", "Tỉnh Alpha", domains=["VanBan.Alpha.gov.vn."])
    beta = await create_tenant("beta", "Bộ Beta", plugins=[])
    assert alpha.domains == ("vanban.alpha.gov.vn",)
    assert alpha.enabled_plugins == frozenset(INSTALLED)  # None → every installed plugin
    assert beta.enabled_plugins == frozenset()
    assert registry.resolve("vanban.alpha.gov.vn") == alpha
    assert registry.resolve("beta.localhost") == beta
    for info in (alpha, beta):
        with tenant_context(info):
            assert {r.key for r in await list_roles()} == set(SYSTEM_ROLE_KEYS)
        actions = await _actions(info)
        assert actions[0] == "tenant.create"
    # The example plugin's on_plugin_enabled ran for alpha only.
    from plugins.example.models import Note

    with tenant_context(alpha):
        assert [n.title for n in await Note.all()] == ["Chào mừng"]
    with tenant_context(beta):
        assert await Note.all().count() == 0
        assert "tenant.create" in await _actions(beta)


@pytest.mark.parametrize(
    "slug", ["", "A", "-a", "a-", "a_b", "ab.c", "x" * 64, "www", "admin", "platform", "mail"]
)
async def test_bad_or_reserved_slug_is_refused(registry, slug):
    with pytest.raises(InvalidInput) as error:
        await create_tenant(slug, "Tên")
    assert repr(slug) in error.value.detail
    assert await _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "domain",
    ["not a host", "localhost", "beta.localhost", "x.alpha.localhost", "-bad.gov.vn", "a..vn"],
)
async def test_bad_domain_is_refused(registry, domain):
    with pytest.raises(InvalidInput) as error:
        await create_tenant("alpha", "Tỉnh Alpha", domains=[domain])
    assert repr(domain) in error.value.detail
    assert await _counts() == (0, 0, 0)


async def test_own_base_host_is_allowed_as_domain(registry):
    info = await create_tenant("alpha", "Tỉnh Alpha", domains=["alpha.localhost"])
    assert info.domains == ("alpha.localhost",)


async def test_duplicate_slug_or_domain_is_a_conflict_and_writes_nothing(registry):
    await create_tenant("alpha", "Tỉnh Alpha", domains=["vanban.alpha.gov.vn"])
    before = await _counts()
    with pytest.raises(Conflict, match="'alpha' already exists"):
        await create_tenant("alpha", "Khác")
    with pytest.raises(
        Conflict, match=r"'vanban\.alpha\.gov\.vn' is already used by tenant 'alpha'"
    ):
        await create_tenant("beta", "Bộ Beta", domains=["vanban.alpha.gov.vn"])
    assert await _counts() == before
    assert registry.by_slug("beta") is None


async def test_unknown_plugin_and_missing_admin_password(registry):
    with pytest.raises(NotFound, match="'nope'"):
        await create_tenant("alpha", "Tỉnh Alpha", plugins=["nope"])
    with pytest.raises(InvalidInput, match="needs a password"):
        await create_tenant("alpha", "Tỉnh Alpha", admin_username="admin")
    assert await _counts() == (0, 0, 0)


async def test_get_and_list_tenants(registry):
    alpha = await create_tenant("alpha", "Tỉnh Alpha", domains=["vanban.alpha.gov.vn"])
    await create_tenant("beta", "Bộ Beta", plugins=[])
    with tenant_context(alpha):
        await Unit.create(code="UBND", name="UBND tỉnh")
        await Unit.create(code="STP", name="Sở Tư pháp")
    with pytest.raises(NotFound, match=r"^No tenant 'gamma'\.$"):
        await get_tenant("gamma")
    assert (await get_tenant("alpha")).name == "Tỉnh Alpha"
    summaries = {s.slug: s for s in await list_tenants()}
    assert summaries["alpha"].units == 2
    assert summaries["beta"].units == 0
    assert summaries["alpha"].domains == ["vanban.alpha.gov.vn"]
    assert summaries["alpha"].plugins == INSTALLED
    assert summaries["beta"].plugins == []


def _app(registry) -> Starlette:
    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.scope["congvan.tenant"].slug)

    return Starlette(
        routes=[Route("/", home)], middleware=[Middleware(TenantMiddleware, registry=registry)]
    )


async def test_suspend_and_resume_switch_the_middleware(registry):
    alpha = await create_tenant("alpha", "Tỉnh Alpha", domains=["vanban.alpha.gov.vn"])
    transport = httpx.ASGITransport(app=_app(registry))
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get("http://alpha.localhost/")).text == "alpha"
        suspended = await suspend_tenant("alpha")
        assert suspended.status == "suspended"
        for host in ("alpha.localhost", "vanban.alpha.gov.vn"):
            response = await client.get(f"http://{host}/")
            assert response.status_code == 403
            assert "suspended" in response.json()["detail"]
        with pytest.raises(Conflict, match="already suspended"):
            await suspend_tenant("alpha")
        await resume_tenant("alpha")
        assert (await client.get("http://vanban.alpha.gov.vn/")).status_code == 200
        with pytest.raises(Conflict, match="not suspended"):
            await resume_tenant("alpha")
    assert (await _actions(alpha))[-2:] == ["tenant.suspend", "tenant.resume"]
    with platform_scope():
        assert (await Tenant.get(slug="alpha")).version == 3


async def test_update_tenant_replaces_domains_and_audits(registry):
    await create_tenant("alpha", "Tỉnh Alpha", domains=["a.gov.vn"])
    await create_tenant("beta", "Bộ Beta", domains=["b.gov.vn"])
    info = await update_tenant("alpha", name="UBND tỉnh Alpha", domains=["c.gov.vn", "d.gov.vn"])
    assert info.name == "UBND tỉnh Alpha"
    assert info.domains == ("c.gov.vn", "d.gov.vn")
    assert registry.resolve("a.gov.vn") is None
    assert registry.resolve("d.gov.vn").slug == "alpha"
    with pytest.raises(Conflict, match=r"'b\.gov\.vn'"):
        await update_tenant("alpha", domains=["b.gov.vn"])
    with pytest.raises(InvalidInput):
        await update_tenant("alpha", name="  ")
    assert (await get_tenant("alpha")).domains == ("c.gov.vn", "d.gov.vn")
    event = await _last_event(info)
    assert event.action == "tenant.update"
    assert event.before["domains"] == ["a.gov.vn"]
    assert event.after["name"] == "UBND tỉnh Alpha"


async def _last_event(info) -> AuditEvent:
    with tenant_context(info):
        return await AuditEvent.all().order_by("-seq").first()


async def test_an_unknown_theme_is_refused_with_the_installed_ones(registry):
    from core.context import platform_scope
    from core.errors import InvalidInput
    from core.tenancy.services import create_tenant, get_tenant, update_tenant

    with platform_scope():
        await create_tenant("themed", "Tỉnh có giao diện")
        with pytest.raises(
            InvalidInput, match=r"Unknown theme 'nope'; installed themes: .*default"
        ):
            await update_tenant("themed", theme="nope")
        assert (await get_tenant("themed")).theme == "default"
        assert (await update_tenant("themed", theme="tinh-mau")).theme == "tinh-mau"
