"""The per-tenant enforcer LRU: lazy loads, eviction, invalidation through the change bus."""

from __future__ import annotations

import asyncio

import pytest

from core.authz import enforcer as enforcer_module
from core.authz.adapter import TenantAdapter
from core.authz.enforcer import EnforcerCache, configure, get_enforcer, invalidate, policy_changed
from core.context import TenantInfo, tenant_context
from core.db.connection import atomic
from core.errors import TenantRequired
from core.notify import InProcessChangeBus, set_change_bus
from core.testing import make_tenant


async def grant_everything(user: str = "user:1") -> None:
    adapter = TenantAdapter()
    await adapter.add_policy("p", "p", ["role:clerk", "doc.register"])
    await adapter.add_policy("g", "g", [user, "role:clerk", "*"])


async def test_loads_lazily_once_and_caches(tenant_context: TenantInfo) -> None:
    cache = configure()
    first = await get_enforcer()
    assert await get_enforcer() is first
    assert cache.loads == 1
    assert tenant_context.id in cache


async def test_needs_a_tenant(db: str) -> None:
    with pytest.raises(TenantRequired):
        await get_enforcer()


async def test_invalidate_reloads_new_rules(tenant_context: TenantInfo) -> None:
    enforcer = await get_enforcer()
    assert not enforcer.enforce("user:1", "/", "doc.register")
    await grant_everything()
    # Without an announcement the cached enforcer still holds the old rules …
    assert not (await get_enforcer()).enforce("user:1", "/", "doc.register")
    invalidate(tenant_context.id)
    # … and after one it reloads.
    assert (await get_enforcer()).enforce("user:1", "/", "doc.register")


async def test_policy_changed_drops_at_once_and_publishes(
    tenant_context: TenantInfo, fresh_authz: InProcessChangeBus
) -> None:
    heard: list[str] = []
    fresh_authz.subscribe("policy", heard.append)
    await get_enforcer()
    await grant_everything()
    await policy_changed()
    assert heard == [str(tenant_context.id)]
    assert (await get_enforcer()).enforce("user:1", "/", "doc.register")


async def test_policy_changed_inside_a_transaction_waits_for_the_commit(
    tenant_context: TenantInfo,
) -> None:
    cache = configure()
    await get_enforcer()
    async with atomic():
        await policy_changed()
        assert len(cache) == 1  # not yet: the change is not committed
    assert len(cache) == 0


async def test_a_bus_message_drops_that_tenant_only(
    tenant: TenantInfo, other_tenant: TenantInfo, fresh_authz: InProcessChangeBus
) -> None:
    cache = configure()
    for info in (tenant, other_tenant):
        with tenant_context(info):
            await get_enforcer()
    await fresh_authz.publish("policy", str(tenant.id))
    assert tenant.id not in cache
    assert other_tenant.id in cache
    # A payload that is not a tenant id drops everything rather than guess.
    await fresh_authz.publish("policy", "garbage")
    assert len(cache) == 0


async def test_a_resync_drops_everything(tenant_context: TenantInfo) -> None:
    cache = configure()
    bus = InProcessChangeBus()
    set_change_bus(bus)
    await get_enforcer()
    await bus._resync_all()
    assert len(cache) == 0


async def test_lru_evicts_the_least_recently_used(db: str) -> None:
    cache = configure(size=2)
    tenants = [await make_tenant(f"t{i}", f"T{i}") for i in range(3)]
    for info in tenants[:2]:
        with tenant_context(info):
            await get_enforcer()
    with tenant_context(tenants[0]):
        await get_enforcer()  # tenants[0] is now the most recent
    with tenant_context(tenants[2]):
        await get_enforcer()
    assert tenants[0].id in cache
    assert tenants[1].id not in cache
    assert tenants[2].id in cache
    assert len(cache) == 2
    assert cache.loads == 3


async def test_entries_expire_after_max_age(tenant_context: TenantInfo) -> None:
    cache = configure(max_age=0.05)
    await get_enforcer()
    await asyncio.sleep(0.1)
    await get_enforcer()
    assert cache.loads == 2


async def test_concurrent_first_checks_load_once(tenant_context: TenantInfo) -> None:
    cache = configure()
    results = await asyncio.gather(*(get_enforcer() for _ in range(10)))
    assert len({id(r) for r in results}) == 1
    assert cache.loads == 1


async def test_a_load_overlapping_an_invalidation_is_not_kept(
    tenant_context: TenantInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = configure()
    real_load = enforcer_module.load_enforcer
    calls = 0

    async def load_then_change() -> object:
        nonlocal calls
        calls += 1
        enforcer = await real_load()
        if calls == 1:
            # The rules change while the first load is in flight: its result is stale.
            await grant_everything()
            cache.invalidate(tenant_context.id)
        return enforcer

    monkeypatch.setattr(enforcer_module, "load_enforcer", load_then_change)
    enforcer = await get_enforcer()
    assert calls == 2
    assert enforcer.enforce("user:1", "/", "doc.register")


async def test_inside_a_transaction_rules_are_read_but_not_cached(
    tenant_context: TenantInfo,
) -> None:
    cache = configure()

    class Rollback(Exception):
        pass

    async def grant_check_and_roll_back() -> None:
        async with atomic():
            await grant_everything()
            assert (await get_enforcer()).enforce("user:1", "/", "doc.register")
            raise Rollback

    with pytest.raises(Rollback):
        await grant_check_and_roll_back()
    assert tenant_context.id not in cache
    assert not (await get_enforcer()).enforce("user:1", "/", "doc.register")


def test_cache_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        EnforcerCache(size=0)


async def test_two_tenants_never_share_rules(tenant: TenantInfo, other_tenant: TenantInfo) -> None:
    with tenant_context(tenant):
        await grant_everything("user:7")
    with tenant_context(other_tenant):
        await TenantAdapter().add_policy("p", "p", ["role:clerk", "doc.sign"])
        await TenantAdapter().add_policy("g", "g", ["user:7", "role:clerk", "/1/"])
        beta = await get_enforcer()
        assert beta.get_policy() == [["role:clerk", "doc.sign"]]
        assert not beta.enforce("user:7", "/", "doc.register")
        assert beta.enforce("user:7", "/1/", "doc.sign")
    with tenant_context(tenant):
        alpha = await get_enforcer()
        assert alpha is not beta
        assert alpha.enforce("user:7", "/5/", "doc.register")
        assert not alpha.enforce("user:7", "/1/", "doc.sign")


@pytest.mark.postgres
async def test_transactions_are_detected_on_postgres(pg_db: str) -> None:
    with tenant_context(await make_tenant("pgt", "PG")):
        cache = configure()
        async with atomic():
            await get_enforcer()
            await policy_changed()
            assert len(cache) == 0  # read inside the transaction: not cached
        assert len(cache) == 0
        await get_enforcer()
        assert len(cache) == 1
