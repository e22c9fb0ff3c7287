"""Dispatch: due rows go out once, lost ones go again, nothing is lost while the broker is down."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import redis

from core.context import TenantInfo, platform_scope, tenant_context
from core.jobs.backends import BrokerUnavailable
from core.jobs.dispatcher import Dispatcher
from core.jobs.dramatiq_backend import NAMESPACE, QUEUE, DramatiqBackend
from core.jobs.models import OutboxMessage
from core.jobs.outbox import enqueue
from core.testing import free_port, make_tenant


class Recorder:
    """A backend that records what it is handed (and can refuse like a broker that is down)."""

    name = "recorder"

    def __init__(self, capacity: int | None = None, *, down: bool = False) -> None:
        self.sent: list[tuple[str, int | None]] = []
        self.room = capacity
        self.down = down

    def capacity(self) -> int | None:
        return None if self.room is None else self.room - len(self.sent)

    async def send(self, message_id: str, tenant_id: int | None) -> None:
        if self.down:
            raise BrokerUnavailable("recorder is down")
        await asyncio.sleep(0)
        self.sent.append((message_id, tenant_id))

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


async def _enqueue_many(tenant: TenantInfo, count: int, **kwargs: float) -> list[str]:
    with tenant_context(tenant):
        return [await enqueue("example.count_note", {"note_id": i}, **kwargs) for i in range(count)]


async def test_claims_due_rows_once_and_marks_them_dispatched(tenant: TenantInfo) -> None:
    due = await _enqueue_many(tenant, 3)
    later = await _enqueue_many(tenant, 1, delay_seconds=3600)
    backend = Recorder()
    dispatcher = Dispatcher(backend)
    assert await dispatcher.run_once() == 3
    assert sorted(backend.sent) == sorted((m, tenant.id) for m in due)
    rows = {r.id: r for r in await OutboxMessage.all()}
    assert {rows[m].status for m in due} == {"dispatched"}
    assert rows[later[0]].status == "pending"
    assert await dispatcher.run_once() == 0  # nothing is handed out twice
    assert len(backend.sent) == 3


async def test_respects_capacity_and_batch_size(tenant: TenantInfo) -> None:
    await _enqueue_many(tenant, 5)
    small = Recorder(capacity=2)
    assert await Dispatcher(small).run_once() == 2
    batch = Recorder()
    assert await Dispatcher(batch, batch_size=2).run_once() == 2
    assert await OutboxMessage.filter(status="pending").count() == 1


async def test_reclaims_rows_the_broker_lost_after_the_visibility_timeout(
    tenant: TenantInfo,
) -> None:
    [message_id] = await _enqueue_many(tenant, 1)
    backend = Recorder()
    dispatcher = Dispatcher(backend, visibility_timeout=60)
    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once(now=datetime.now(UTC) + timedelta(seconds=30)) == 0
    assert await dispatcher.run_once(now=datetime.now(UTC) + timedelta(seconds=61)) == 1
    assert [m for m, _ in backend.sent] == [message_id, message_id]


async def test_finished_rows_are_never_claimed(tenant: TenantInfo) -> None:
    ids = await _enqueue_many(tenant, 2)
    await OutboxMessage.filter(id=ids[0]).update(status="done")
    await OutboxMessage.filter(id=ids[1]).update(status="failed")
    assert await Dispatcher(Recorder()).run_once(now=datetime.now(UTC) + timedelta(days=1)) == 0


async def test_a_refusing_backend_puts_rows_back_to_pending(tenant: TenantInfo) -> None:
    ids = await _enqueue_many(tenant, 3)
    before = datetime.now(UTC)
    assert await Dispatcher(Recorder(down=True)).run_once() == 0
    for row in await OutboxMessage.filter(id__in=ids):
        assert (row.status, row.attempts, row.dispatched_at) == ("pending", 0, None)
        assert row.last_error == "broker unavailable: recorder is down"
        assert 4 <= (row.next_attempt_at - before).total_seconds() <= 7


@pytest.mark.redis
async def test_broker_down_then_up(tenant: TenantInfo, redis_url: str) -> None:
    """Enqueue succeeds while Redis is unreachable; the row waits; once Redis is back it goes."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    [message_id] = await _enqueue_many(tenant, 1)

    down = DramatiqBackend(closed)
    assert await Dispatcher(down).run_once() == 0
    await down.stop()
    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.last_error.startswith(f"broker unavailable: cannot send to {closed} (")
    assert "Connection refused" in row.last_error or "connecting" in row.last_error

    client = redis.Redis.from_url(redis_url)
    queue_key = f"{NAMESPACE}:{QUEUE}"
    client.delete(queue_key, f"{queue_key}.msgs")
    up = DramatiqBackend(redis_url)
    later = datetime.now(UTC) + timedelta(seconds=10)
    assert await Dispatcher(up).run_once(now=later) == 1
    await up.stop()
    assert (await OutboxMessage.get(id=message_id)).status == "dispatched"
    [raw] = client.hvals(f"{queue_key}.msgs")
    sent = json.loads(raw)
    assert sent["actor_name"] == "congvan_run_message"
    assert sent["args"] == [message_id]
    assert sent["options"]["tenant_id"] == tenant.id
    client.delete(queue_key, f"{queue_key}.msgs")


@pytest.mark.postgres
async def test_concurrent_dispatchers_never_claim_a_row_twice(pg: str) -> None:
    with platform_scope():
        alpha = await make_tenant("alpha", "Alpha", plugins=("example", "probe"))
    ids = await _enqueue_many(alpha, 40)
    backends = [Recorder() for _ in range(4)]
    dispatchers = [Dispatcher(b, batch_size=7) for b in backends]
    for _ in range(4):
        await asyncio.gather(*(d.run_once() for d in dispatchers))
    sent = [m for b in backends for m, _ in b.sent]
    assert sorted(sent) == sorted(ids)  # each exactly once
    assert sum(1 for b in backends if b.sent) > 1  # and they shared the work


def test_a_running_job_is_never_presumed_lost_by_default():
    from core.jobs.dispatcher import DEFAULT_VISIBILITY_TIMEOUT
    from core.jobs.executor import DEFAULT_TIMEOUT

    assert DEFAULT_VISIBILITY_TIMEOUT > DEFAULT_TIMEOUT
