from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.authz.api import has_permission
from core.authz.grants import list_grants
from core.context import Actor, platform_scope, tenant_context
from core.demo import DEMO_PASSWORD, USERS, seed_demo
from core.platform.models import PlatformAdmin
from core.tenancy import registry as registry_module
from core.tenancy.models import Tenant
from core.tenancy.registry import TenantRegistry, set_registry
from core.units.models import Unit
from core.users.models import Position, User
from core.users.passwords import verify_password


@pytest.fixture(params=["db", pytest.param("pg_db", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    """SQLite, then PostgreSQL under row-level security."""
    return str(request.getfixturevalue(request.param))


@pytest.fixture
async def registry(database: str) -> AsyncIterator[TenantRegistry]:
    previous = registry_module._registry
    loaded = set_registry(TenantRegistry("localhost"))
    await loaded.reload()
    yield loaded
    registry_module._registry = previous
    with platform_scope():  # positions and parents restrict the shared truncation on SQLite
        await Position.unscoped().delete()
        await Unit.unscoped().update(parent_id=None)


async def _counts() -> tuple[int, ...]:
    with platform_scope():
        return (
            await Tenant.all().count(),
            await Unit.all().count(),
            await User.all().count(),
            await PlatformAdmin.all().count(),
        )


async def test_seed_demo_builds_a_working_province_once(registry):
    report = await seed_demo()
    assert report.created
    assert report.host == "demo.localhost"
    logins = {login.username: login for login in report.logins}
    assert set(logins) == {u.username for u in USERS} | {"platform"}
    assert {login.password for login in report.logins} == {DEMO_PASSWORD}
    demo = registry.by_slug("demo")
    assert demo.name == "UBND tỉnh Demo"
    assert "example" in demo.enabled_plugins
    with tenant_context(demo):
        units = {u.code: u for u in await Unit.all()}
        assert units["STP-VB"].parent_id == units["STP"].id
        assert units["STP"].organ_id == "000.00.14.H99"
        users = {u.username: u for u in await User.all()}
        assert verify_password(users["vanthu"].password_hash, DEMO_PASSWORD)
        roles = {(g.user_id, g.role_key) for g in await list_grants()}
        for spec in USERS:
            assert (users[spec.username].id, spec.role) in roles
        position = await Position.get(user_id=users["lanhdao"].id)
        assert position.title == "Giám đốc Sở"
        clerk = Actor("user", users["vanthu"].id, "vanthu")
        specialist = Actor("user", users["chuyenvien1"].id, "chuyenvien1")
        admin = Actor("user", users["admin"].id, "admin")
        assert await has_permission("core.units.manage", actor=admin)
        assert await has_permission("example.notes.create", unit_id=units["STP-VP"].id, actor=clerk)
        assert not await has_permission(
            "example.notes.create", unit_id=units["SNV"].id, actor=clerk
        )
        assert not await has_permission("core.units.manage", actor=specialist)
    assert await PlatformAdmin.exists(username="platform")

    before = await _counts()
    again = await seed_demo()
    assert not again.created
    assert again.logins == report.logins
    assert await _counts() == before
