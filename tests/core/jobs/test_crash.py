"""Crash safety: processes killed with SIGKILL lose no message and never double an effect."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from jobs_support import Spawn, WaitUntil

from core.context import TenantInfo, platform_scope, tenant_context
from core.jobs.dispatcher import Dispatcher
from core.jobs.executor import execute_message
from core.jobs.inprocess import InProcessBackend
from core.jobs.models import OutboxMessage
from core.jobs.outbox import enqueue
from core.testing import make_tenant
from plugins.example.models import Note, NoteStat

pytestmark = pytest.mark.slow


async def _alpha() -> TenantInfo:
    with platform_scope():
        return await make_tenant("alpha", "Alpha", plugins=("example", "probe"))


async def _stats(tenant: TenantInfo) -> list[str]:
    with tenant_context(tenant):
        return [s.message_id for s in await NoteStat.all()]


async def _deliver_again(message_id: str) -> str:
    """What a broker that lost an acknowledgement does: the row looks dispatched long ago."""
    await OutboxMessage.filter(id=message_id).update(
        status="dispatched", dispatched_at=datetime.now(UTC) - timedelta(hours=1)
    )
    workers = InProcessBackend(1)
    await workers.start()
    try:
        assert await Dispatcher(workers).run_once() == 1
        await workers.join()
    finally:
        await workers.stop()
    return (await OutboxMessage.get(id=message_id)).status


async def test_message_committed_before_a_crash_is_delivered_exactly_once(
    database: str, spawn: Spawn, wait_until: WaitUntil
) -> None:
    alpha = await _alpha()
    writer = spawn("commit-and-hang", "alpha", "Quyết định 5", database_url=database)
    _, message_id, note_id = (await writer.read_line()).split()
    writer.kill()  # after the commit, before any dispatcher saw the row

    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.tenant_id, row.payload) == (
        "pending",
        alpha.id,
        {"note_id": int(note_id)},
    )
    with tenant_context(alpha):
        assert await Note.filter(id=int(note_id)).exists()

    worker = spawn("worker", database_url=database)  # a fresh process delivers it
    await wait_until(
        lambda: OutboxMessage.filter(id=message_id, status="done").exists(),
        within=30,
        what=lambda: f"the fresh worker:\n{worker.output()}",
    )
    assert worker.terminate() == 0, worker.output()
    assert await _stats(alpha) == [message_id]

    # Duplicate deliveries: straight to the executor, and through a dispatcher that believes
    # the broker lost the message. The effect stays single.
    assert await execute_message(message_id) == "skipped"
    assert await _deliver_again(message_id) == "done"
    await OutboxMessage.filter(id=message_id).update(status="pending")  # even a lost "done"
    assert await execute_message(message_id) == "done"
    assert await _stats(alpha) == [message_id]


async def test_worker_killed_inside_a_handler_rolls_back_and_the_message_runs_again(
    database: str, probe: ModuleType, spawn: Spawn, wait_until: WaitUntil, tmp_path: Path
) -> None:
    alpha = await _alpha()
    marker = tmp_path / "inside-handler"
    with tenant_context(alpha):
        message_id = await enqueue("probe.slow_note", {"marker": str(marker)})

    worker = spawn("worker", database_url=database)
    await wait_until(
        lambda: _exists(marker), within=30, what=lambda: f"the handler:\n{worker.output()}"
    )
    worker.kill()  # the handler wrote its effect and had not committed

    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.attempts) == ("dispatched", 0)
    assert await _stats(alpha) == []  # the uncommitted effect died with the process

    # A fresh dispatcher finds the row once its visibility timeout has passed.
    workers = InProcessBackend(1)
    await workers.start()
    try:
        dispatcher = Dispatcher(workers, visibility_timeout=60)
        assert await dispatcher.run_once() == 0
        assert await dispatcher.run_once(now=datetime.now(UTC) + timedelta(seconds=61)) == 1
        await workers.join()
    finally:
        await workers.stop()
    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.attempts) == ("done", 0)
    assert await _stats(alpha) == [message_id]
    assert await _deliver_again(message_id) == "done"
    assert await _stats(alpha) == [message_id]


async def _exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)


async def test_concurrent_duplicate_deliveries_run_the_handler_once(
    database: str, probe: ModuleType
) -> None:
    """Three deliveries at once: the first locks the row, the others wait, see done, skip."""
    alpha = await _alpha()
    with tenant_context(alpha):
        message_id = await enqueue("probe.sleepy", {"seconds": 0.3, "count": True})
    outcomes = await asyncio.gather(*(execute_message(message_id) for _ in range(3)))
    assert sorted(outcomes) == ["done", "skipped", "skipped"]
    assert [message_id] == probe.CALLS
    assert await _stats(alpha) == [message_id]
