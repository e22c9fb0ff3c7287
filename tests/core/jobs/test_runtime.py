"""Embedded mode end to end: the web process's JobRuntime dispatches and runs jobs itself."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from jobs_support import WaitUntil

from core.context import TenantInfo, platform_scope, tenant_context
from core.db.connection import atomic
from core.jobs.backends import BrokerUnavailable
from core.jobs.dispatcher import Dispatcher
from core.jobs.dramatiq_backend import DramatiqBackend
from core.jobs.inprocess import InProcessBackend
from core.jobs.models import OutboxMessage
from core.jobs.outbox import enqueue
from core.jobs.runtime import JobRuntime, job_runtime_from_settings
from core.settings import load_settings
from plugins.example.models import NoteStat
from plugins.example.services import create_note


async def _done(count: int) -> bool:
    return await OutboxMessage.filter(status="done").count() == count


async def test_embedded_runtime_runs_jobs_in_the_right_tenant(
    tenant: TenantInfo, other_tenant: TenantInfo, tmp_path: Path, wait_until: WaitUntil
) -> None:
    settings = load_settings(var_dir=tmp_path, job_workers=2, dispatch_interval=0.05)
    runtime = job_runtime_from_settings(settings)
    assert isinstance(runtime.backend, InProcessBackend)
    await runtime.start()
    try:
        with tenant_context(tenant):
            note = await create_note("Báo cáo tuần")
        await wait_until(lambda: _done(1), within=10, what="the job to run")
    finally:
        await runtime.stop()
    with tenant_context(tenant):
        [stat] = await NoteStat.all()
    assert stat.note_id == note.id
    with tenant_context(other_tenant):
        assert await NoteStat.all().count() == 0


async def test_many_jobs_drain_quickly(tenant: TenantInfo, wait_until: WaitUntil) -> None:
    """The queue (8 slots) limits each round; a full round looks again at once, not after 2 s."""
    workers = InProcessBackend(2)
    runtime = JobRuntime(workers, Dispatcher(workers, interval=2.0))
    with tenant_context(tenant):
        async with atomic():
            for i in range(60):
                await enqueue("example.count_note", {"note_id": i})
    await runtime.start()
    try:
        await wait_until(lambda: _done(60), within=6, what="60 jobs to run")
    finally:
        await runtime.stop()
    with tenant_context(tenant):
        assert await NoteStat.all().count() == 60


async def test_stop_returns_taken_but_unfinished_messages_to_pending(
    tenant: TenantInfo, probe: ModuleType, wait_until: WaitUntil
) -> None:
    with tenant_context(tenant):
        ids = [await enqueue("probe.sleepy", {"seconds": 30}) for _ in range(3)]
    workers = InProcessBackend(1, grace=0.1)
    await workers.start()
    assert await Dispatcher(workers).run_once() == 3
    await wait_until(lambda: _dispatched_running(workers), within=5, what="a job to start")
    await workers.stop()
    rows = await OutboxMessage.filter(id__in=ids)
    assert {(r.status, r.attempts, r.dispatched_at) for r in rows} == {("pending", 0, None)}


async def _dispatched_running(workers: InProcessBackend) -> bool:
    return bool(workers._running)


async def test_workers_refuse_to_start_in_platform_scope_or_a_transaction(db: str) -> None:
    workers = InProcessBackend(1)
    with platform_scope(), pytest.raises(RuntimeError, match="outside platform_scope"):
        await workers.start()
    with pytest.raises(RuntimeError, match="outside a transaction"):
        async with atomic():
            await workers.start()
    assert not workers.started
    with pytest.raises(BrokerUnavailable, match="not running"):
        await workers.send("x", None)


async def test_a_full_queue_refuses_more(db: str) -> None:
    workers = InProcessBackend(1, queue_size=1)
    await workers.start()
    try:
        assert workers.capacity() == 1
        await workers.send("no-such-message", None)
        await workers.join()
        for task in workers._tasks:  # hold the worker so the queue stays full
            task.cancel()
        await workers.send("a", None)
        with pytest.raises(BrokerUnavailable, match="queue is full"):
            await workers.send("b", None)
        assert workers.capacity() == 0
    finally:
        await workers.stop()


def test_web_runtime_with_redis_does_not_consume(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path, broker_url="redis://127.0.0.1:6379/0")
    quiet = job_runtime_from_settings(settings)
    assert quiet.backend is None
    assert quiet.dispatcher is None
    sending = job_runtime_from_settings(settings, dispatch=True)
    assert isinstance(sending.backend, DramatiqBackend)
    assert sending.dispatcher is not None
    with pytest.raises(ValueError, match="run_worker"):
        job_runtime_from_settings(settings, role="worker")
