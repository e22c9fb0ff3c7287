"""The tenant rides in the message options through real Redis and is restored in a real worker."""

from __future__ import annotations

import time
import uuid

import pytest
from dramatiq import Worker
from dramatiq.actor import Actor

from core.context import TenantInfo, current_actor, current_tenant_or_none, tenant_context
from core.jobs.dramatiq_backend import build_broker
from core.tenancy.registry import TenantRegistry

ALPHA = TenantInfo(id=101, slug="alpha", name="Alpha")
BETA = TenantInfo(id=202, slug="beta", name="Beta")

pytestmark = pytest.mark.redis


def test_tenant_is_stamped_on_send_and_restored_around_each_message(redis_url: str) -> None:
    registry = TenantRegistry("localhost")
    registry.put(ALPHA)
    registry.put(BETA)
    broker = build_broker(redis_url, resolve=registry.by_id)
    queue = f"probe-{uuid.uuid4().hex}"
    seen: list[tuple[str, str | None, str]] = []

    async def record(label: str) -> None:
        tenant = current_tenant_or_none()
        seen.append((label, tenant.slug if tenant else None, current_actor().kind))

    actor = Actor(
        record,
        broker=broker,
        actor_name="probe_record",
        queue_name=queue,
        priority=0,
        options={"max_retries": 0},
    )
    # One thread: the messages run in order on it, so a message without a tenant that follows
    # one with a tenant proves the after-hook left the context.
    worker = Worker(broker, queues={queue}, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        with tenant_context(ALPHA):
            actor.send("sent as alpha")
            actor.send_with_options(args=("explicitly none",), tenant_id=None)
        actor.send("sent without tenant")
        with tenant_context(BETA):
            actor.send("sent as beta")
        actor.send_with_options(args=("explicit beta",), tenant_id=BETA.id)
        actor.send_with_options(args=("unknown tenant",), tenant_id=999)
        deadline = time.monotonic() + 20
        while len(seen) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
        broker.close()
    assert seen == [
        ("sent as alpha", "alpha", "system"),
        ("explicitly none", None, "system"),
        ("sent without tenant", None, "system"),
        ("sent as beta", "beta", "system"),
        ("explicit beta", "beta", "system"),
        ("unknown tenant", None, "system"),
    ]
