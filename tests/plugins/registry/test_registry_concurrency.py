"""Concurrent allocations: consecutive numbers, no gap, no duplicate — on SQLite and on
PostgreSQL (row lock under row-level security, as the non-owner application role)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from urllib.parse import urlsplit

import pytest
from registry_support import make_tree, new_registry
from tortoise.exceptions import OperationalError

from core.context import tenant_context
from core.db.connection import atomic
from plugins.registry.models import NumberSequence, RegistryNumber
from plugins.registry.services.numbering import (
    NumberRequest,
    allocate_number,
    list_numbers,
    reserve_number,
)

QD = NumberRequest(document_type="quyet_dinh")
TASKS = 50


async def test_fifty_concurrent_allocations_get_one_to_fifty(any_db, tenant, other_tenant):
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd)
    with tenant_context(other_tenant):
        other_tree = await make_tree()
        other_registry = await new_registry(other_tree.ubnd)

    async def allocate(info, registry_id: int, reserve: bool) -> int:
        # Each task runs its own transaction and holds it a moment after taking the number.
        with tenant_context(info):
            async with atomic():
                take = reserve_number if reserve else allocate_number
                entry = await take(registry_id, QD)
                await asyncio.sleep(0.001)
                return entry.number

    tasks = [
        asyncio.create_task(allocate(tenant, registry, reserve=n % 5 == 0)) for n in range(TASKS)
    ]
    tasks += [asyncio.create_task(allocate(other_tenant, other_registry, False)) for _ in range(5)]
    results = await asyncio.gather(*tasks)
    assert sorted(results[:TASKS]) == list(range(1, TASKS + 1))
    assert sorted(results[TASKS:]) == [1, 2, 3, 4, 5]
    with tenant_context(tenant):
        register = await list_numbers(registry, limit=None)
        assert [e.number for e in register] == list(range(1, TASKS + 1))
        assert len({e.code for e in register}) == TASKS
        assert sum(e.state == "reserved" for e in register) == TASKS // 5
        assert [s.last_number for s in await NumberSequence.all()] == [TASKS]


async def test_concurrent_rollbacks_leave_no_gap(any_db, tenant):
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd)

    async def allocate(fail: bool) -> int | None:
        with tenant_context(tenant):
            try:
                async with atomic():
                    entry = await allocate_number(registry, QD)
                    await asyncio.sleep(0.001)
                    if fail:
                        raise RuntimeError("the document was not saved")
                    return entry.number
            except RuntimeError:
                return None

    results = await asyncio.gather(*(allocate(fail=n % 3 == 0) for n in range(30)))
    kept = sorted(n for n in results if n is not None)
    assert kept == list(range(1, len(kept) + 1))
    with tenant_context(tenant):
        assert await RegistryNumber.all().count() == len(kept) == 20


async def test_sqlite_refuses_rather_than_duplicates_when_another_process_writes(db, tenant):
    """Tortoise's SQLite client has one connection per process and queues transactions on it,
    so one process never sees "database is locked". A second process (another connection)
    that commits while an allocation is under way makes the allocation fail instead: its read
    snapshot is stale when it asks for the write lock. Nothing is written then, so the number
    is not burned and no duplicate can appear."""
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd)
        assert (await allocate_number(registry, QD)).number == 1
    path = urlsplit(db).netloc + urlsplit(db).path
    other = sqlite3.connect(path, timeout=5, check_same_thread=False, isolation_level=None)
    started = threading.Event()

    def other_process_allocates() -> None:
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "UPDATE registry_sequence SET last_number = last_number + 1 WHERE tenant_id = ?",
            [tenant.id],
        )
        started.set()
        threading.Event().wait(0.3)
        other.execute("COMMIT")

    thread = threading.Thread(target=other_process_allocates)
    thread.start()
    started.wait(5)
    try:
        with tenant_context(tenant), pytest.raises(OperationalError, match="locked"):
            await allocate_number(registry, QD)
    finally:
        thread.join()
        other.close()
    with tenant_context(tenant):
        # The other "process" took number 2 (it wrote the sequence only); ours got nothing.
        assert [e.number for e in await list_numbers(registry)] == [1]
        assert (await NumberSequence.get()).last_number == 2
        assert (await allocate_number(registry, QD)).number == 3
