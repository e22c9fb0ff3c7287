"""Fixtures of the tenancy suite: a loaded tenant registry for the process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.tenancy import registry as registry_module
from core.tenancy.registry import TenantRegistry, set_registry


@pytest.fixture
async def registry(db: str) -> AsyncIterator[TenantRegistry]:
    """The process registry, loaded from the SQLite test database (restored afterwards)."""
    async for loaded in _registry():
        yield loaded


@pytest.fixture
async def pg_registry(pg_db: str) -> AsyncIterator[TenantRegistry]:
    """The same on PostgreSQL, connected as the non-owner role so row-level security applies."""
    async for loaded in _registry():
        yield loaded


@pytest.fixture(
    params=["registry", pytest.param("pg_registry", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def any_registry(request: pytest.FixtureRequest) -> TenantRegistry:
    """Runs the test on SQLite and on PostgreSQL (under row-level security)."""
    registry: TenantRegistry = request.getfixturevalue(request.param)
    return registry


async def _registry() -> AsyncIterator[TenantRegistry]:
    previous = registry_module._registry
    loaded = set_registry(TenantRegistry("localhost"))
    await loaded.reload()
    yield loaded
    registry_module._registry = previous
    await loosen_unit_tree()


async def loosen_unit_tree() -> None:
    """Let the shared truncation delete units: positions and parents restrict it on SQLite."""
    from core.context import platform_scope
    from core.units.models import Unit
    from core.users.models import Position

    with platform_scope():
        await Position.unscoped().delete()
        await Unit.unscoped().update(parent_id=None)
