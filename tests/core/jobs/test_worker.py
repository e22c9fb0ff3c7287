"""``congvan worker`` as a real process: dramatiq on real Redis, or in-process jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from jobs_support import Spawn, WaitUntil

from core.context import TenantInfo, platform_scope, tenant_context
from core.jobs.dispatcher import Dispatcher
from core.jobs.dramatiq_backend import DramatiqBackend
from core.jobs.models import OutboxMessage
from core.jobs.outbox import enqueue
from core.testing import free_port, make_tenant
from plugins.example.models import NoteStat
from plugins.example.services import create_note

pytestmark = [pytest.mark.slow, pytest.mark.redis]


async def _tenants() -> tuple[TenantInfo, TenantInfo]:
    with platform_scope():
        return await make_tenant("alpha", "Alpha", plugins=("example", "probe")), await make_tenant(
            "beta", "Beta", plugins=("example", "probe")
        )


async def _stats(tenant: TenantInfo) -> list[str]:
    with tenant_context(tenant):
        return sorted(s.message_id for s in await NoteStat.all())


def _done(*ids: str) -> object:
    async def check() -> bool:
        return await OutboxMessage.filter(id__in=ids, status="done").count() == len(ids)

    return check


async def test_real_worker_runs_jobs_in_their_tenant(
    database: str, redis_url: str, probe: ModuleType, spawn: Spawn, wait_until: WaitUntil
) -> None:
    alpha, beta = await _tenants()
    worker = spawn("worker", database_url=database, broker_url=redis_url)
    with tenant_context(alpha):
        await create_note("Giấy mời họp")
    counted = (await OutboxMessage.get(handler="example.count_note")).id
    with tenant_context(beta):
        # Fails unless the worker restores tenant "beta" around the handler.
        checked = await enqueue("probe.check_tenant", {"slug": "beta"})
    await wait_until(
        _done(counted, checked), within=30, what=lambda: f"the worker:\n{worker.output()}"
    )
    assert await _stats(alpha) == [counted]
    assert await _stats(beta) == [checked]
    assert worker.terminate() == 0, worker.output()
    assert "congvan worker: stopping" in worker.output()


async def test_broker_down_then_a_real_worker_delivers(
    db: str, redis_url: str, spawn: Spawn, wait_until: WaitUntil
) -> None:
    alpha, _ = await _tenants()
    with tenant_context(alpha):
        await create_note("Tờ trình")  # enqueue succeeds whatever the broker's state
    message = await OutboxMessage.get(handler="example.count_note")

    down = DramatiqBackend(f"redis://127.0.0.1:{free_port()}/0")
    assert await Dispatcher(down).run_once() == 0
    await down.stop()
    await message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.last_error.startswith("broker unavailable: cannot send to redis://127.0.0.1:")

    worker = spawn("worker", "--no-dispatch", database_url=db, broker_url=redis_url)
    up = DramatiqBackend(redis_url)
    assert await Dispatcher(up).run_once(now=datetime.now(UTC) + timedelta(seconds=10)) == 1
    await up.stop()
    await wait_until(_done(message.id), within=30, what=lambda: f"the worker:\n{worker.output()}")
    assert await _stats(alpha) == [message.id]
    assert worker.terminate() == 0, worker.output()


async def test_embedded_worker_process_runs_jobs(
    db: str, spawn: Spawn, wait_until: WaitUntil
) -> None:
    alpha, beta = await _tenants()
    worker = spawn("worker", database_url=db, broker_url="inprocess://")
    with tenant_context(alpha):
        await create_note("Kế hoạch")
    message = await OutboxMessage.get(handler="example.count_note")
    await wait_until(_done(message.id), within=30, what=lambda: f"the worker:\n{worker.output()}")
    assert await _stats(alpha) == [message.id]
    assert await _stats(beta) == []
    assert worker.terminate() == 0, worker.output()


async def test_worker_refuses_an_unreachable_database(
    tmp_path: object, redis_url: str, spawn: Spawn
) -> None:
    closed = f"postgres://congvan_app@127.0.0.1:{free_port()}/nowhere"
    worker = spawn("worker", database_url=closed, broker_url=redis_url)
    assert worker.process.wait(30) != 0
    assert "CONGVAN_DATABASE_URL: cannot connect" in worker.output()
