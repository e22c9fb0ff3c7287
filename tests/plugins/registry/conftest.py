"""Fixtures of the registry plugin's tests: alpha and beta with the registry enabled and
seeded (the core's fixtures enable only the example plugin), and a small unit tree."""

from __future__ import annotations

import pytest
from registry_support import Tree, make_tree, registry_tenant

from core.context import TenantInfo, tenant_context


@pytest.fixture
async def tenant(current_db: str) -> TenantInfo:
    return await registry_tenant("alpha", "Tỉnh Alpha")


@pytest.fixture
async def other_tenant(current_db: str) -> TenantInfo:
    return await registry_tenant("beta", "Bộ Beta")


@pytest.fixture
async def tree(tenant: TenantInfo) -> Tree:
    """The unit tree of alpha."""
    with tenant_context(tenant):
        return await make_tree()
