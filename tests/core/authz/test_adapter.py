"""The Casbin adapter over CasbinRule: the current tenant's rows only, writes in transactions."""

from __future__ import annotations

import pytest

from core.authz.adapter import PolicyFilter, TenantAdapter
from core.authz.enforcer import load_enforcer, new_enforcer
from core.authz.models import CasbinRule
from core.context import TenantInfo, platform_scope, tenant_context
from core.db.connection import atomic
from core.errors import TenantRequired
from core.testing import make_tenant


async def rules(ptype: str | None = None) -> list[tuple[str, ...]]:
    query = CasbinRule.all() if ptype is None else CasbinRule.filter(ptype=ptype)
    rows = await query.order_by("id").values_list("ptype", "v0", "v1", "v2")
    return [tuple(row) for row in rows]


async def test_is_filtered_is_a_plain_method(tenant_context: TenantInfo) -> None:
    adapter = TenantAdapter()
    assert adapter.is_filtered() is False
    enforcer = new_enforcer(adapter)
    await enforcer.load_filtered_policy(PolicyFilter())
    assert adapter.is_filtered() is True
    assert enforcer.is_filtered() is True


async def test_add_and_load(tenant_context: TenantInfo) -> None:
    adapter = TenantAdapter()
    assert await adapter.add_policy("p", "p", ["role:clerk", "doc.register"])
    assert not await adapter.add_policy("p", "p", ["role:clerk", "doc.register"])
    await adapter.add_policies(
        "g", "g", [["user:1", "role:clerk", "/1/*"], ["user:2", "role:clerk", "*"]]
    )
    # Already-present rules in a batch are skipped, not duplicated.
    await adapter.add_policies("g", "g", [["user:1", "role:clerk", "/1/*"]])
    assert len(await rules("g")) == 2
    enforcer = await load_enforcer()
    assert enforcer.get_policy() == [["role:clerk", "doc.register"]]
    assert sorted(enforcer.get_grouping_policy()) == [
        ["user:1", "role:clerk", "/1/*"],
        ["user:2", "role:clerk", "*"],
    ]
    assert enforcer.enforce("user:1", "/1/5/", "doc.register")


async def test_bookkeeping_rows_are_not_loaded(tenant_context: TenantInfo) -> None:
    await TenantAdapter().add_policy("d", "d", ["role:clerk", "doc.register"])
    enforcer = await load_enforcer()
    assert enforcer.get_policy() == []


async def test_remove(tenant_context: TenantInfo) -> None:
    adapter = TenantAdapter()
    await adapter.add_policies("p", "p", [["role:a", "x"], ["role:a", "y"], ["role:b", "x"]])
    assert await adapter.remove_policy("p", "p", ["role:a", "x"])
    assert not await adapter.remove_policy("p", "p", ["role:a", "x"])
    assert await adapter.remove_policies("p", "p", [["role:a", "y"], ["role:zzz", "q"]])
    assert await rules("p") == [("p", "role:b", "x", "")]
    await adapter.add_policies("p", "p", [["role:c", "x"], ["role:c", "y"]])
    # An empty value matches anything; field_index 1 filters on the action.
    assert await adapter.remove_filtered_policy("p", "p", 1, "x")
    assert await rules("p") == [("p", "role:c", "y", "")]
    assert not await adapter.remove_filtered_policy("p", "p", 0, "role:none")
    with pytest.raises(ValueError, match="out of range"):
        await adapter.remove_filtered_policy("p", "p", 5, "a", "b")


async def test_save_policy_replaces_model_rows_only(tenant_context: TenantInfo) -> None:
    adapter = TenantAdapter()
    await adapter.add_policies("p", "p", [["role:old", "x"]])
    await adapter.add_policy("d", "d", ["role:old", "x"])
    enforcer = new_enforcer()
    enforcer.model.model["p"]["p"].policy.append(["role:new", "y"])
    enforcer.model.model["g"]["g"].policy.append(["user:1", "role:new", "*"])
    await adapter.save_policy(enforcer.model)
    assert await rules() == [
        ("d", "role:old", "x", ""),
        ("p", "role:new", "y", ""),
        ("g", "user:1", "role:new", "*"),
    ]


async def test_writes_join_the_callers_transaction(tenant_context: TenantInfo) -> None:
    class Boom(Exception):
        pass

    async def write_then_fail() -> None:
        async with atomic():
            await TenantAdapter().add_policy("p", "p", ["role:a", "x"])
            raise Boom

    with pytest.raises(Boom):
        await write_then_fail()
    assert await rules() == []


async def test_needs_a_tenant(db: str) -> None:
    with pytest.raises(TenantRequired):
        await TenantAdapter().add_policy("p", "p", ["role:a", "x"])


async def _two_tenant_isolation() -> None:
    alpha = await make_tenant("alpha2", "Alpha")
    beta = await make_tenant("beta2", "Beta")
    with tenant_context(alpha):
        await TenantAdapter().add_policies("p", "p", [["role:clerk", "doc.register"]])
        await TenantAdapter().add_policy("g", "g", ["user:5", "role:clerk", "*"])
    with tenant_context(beta):
        await TenantAdapter().add_policies("p", "p", [["role:clerk", "doc.sign"]])
        enforcer = await load_enforcer()
        assert enforcer.get_policy() == [["role:clerk", "doc.sign"]]
        assert enforcer.get_grouping_policy() == []
        assert not enforcer.enforce("user:5", "/", "doc.register")
        # Removing beta's rules never touches alpha's.
        await TenantAdapter().remove_filtered_policy("p", "p", 0, "role:clerk")
        await TenantAdapter().save_policy(new_enforcer().model)
    with tenant_context(alpha):
        enforcer = await load_enforcer()
        assert enforcer.get_policy() == [["role:clerk", "doc.register"]]
        assert enforcer.enforce("user:5", "/", "doc.register")
    with platform_scope():
        assert await CasbinRule.unscoped().filter(tenant_id=alpha.id).count() == 2


async def test_two_tenants_sqlite(db: str) -> None:
    await _two_tenant_isolation()


@pytest.mark.postgres
async def test_two_tenants_postgres_with_rls(pg_db: str) -> None:
    await _two_tenant_isolation()
