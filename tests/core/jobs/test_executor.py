"""execute_message(): tenant context, one transaction with the effect, retries, failures."""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType

import pytest

from core.audit.models import AuditEvent
from core.context import TenantInfo, platform_scope, tenant_context
from core.jobs.admin import failed_messages, retry_message
from core.jobs.executor import backoff_seconds, execute_message
from core.jobs.models import OutboxMessage
from core.jobs.outbox import enqueue
from core.tenancy.models import Tenant
from plugins.example.models import NoteStat


async def _enqueue(tenant: TenantInfo | None, handler: str, payload: dict[str, object]) -> str:
    if tenant is None:
        with platform_scope():
            return await enqueue(handler, payload)
    with tenant_context(tenant):
        return await enqueue(handler, payload)


async def _stats(tenant: TenantInfo) -> list[str]:
    with tenant_context(tenant):
        return [s.message_id for s in await NoteStat.all()]


async def test_runs_in_the_message_tenant_and_marks_done(
    tenant: TenantInfo, other_tenant: TenantInfo, probe: ModuleType
) -> None:
    message_id = await _enqueue(other_tenant, "probe.check_tenant", {"slug": "beta"})
    assert await execute_message(message_id) == "done"
    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.attempts, row.last_error) == ("done", 0, "")
    assert row.done_at is not None
    assert await _stats(other_tenant) == [message_id]
    assert await _stats(tenant) == []


async def test_duplicate_delivery_has_one_effect(tenant: TenantInfo) -> None:
    message_id = await _enqueue(tenant, "example.count_note", {"note_id": 7})
    assert await execute_message(message_id) == "done"
    assert await execute_message(message_id) == "skipped"
    # Even if the row were delivered again as if never finished, the handler is idempotent.
    await OutboxMessage.filter(id=message_id).update(status="dispatched")
    assert await execute_message(message_id) == "done"
    assert await _stats(tenant) == [message_id]


async def test_failures_back_off_then_fail_and_roll_back_the_effect(
    tenant: TenantInfo, probe: ModuleType
) -> None:
    probe.STATE["healthy"] = False
    message_id = await _enqueue(tenant, "probe.flaky", {})  # max_attempts=3
    delays = []
    for expected in ("retry", "retry"):
        started = datetime.now(UTC)
        assert await execute_message(message_id) == expected
        row = await OutboxMessage.get(id=message_id)
        assert row.status == "pending"
        assert row.dispatched_at is None
        assert row.last_error.startswith("RuntimeError: the remote system is down")
        assert "Traceback" in row.last_error
        delays.append((row.next_attempt_at - started).total_seconds())
    assert 2 * 0.9 - 0.1 <= delays[0] <= 2 * 1.1 + 0.1
    assert 4 * 0.9 - 0.1 <= delays[1] <= 4 * 1.1 + 0.1
    assert await execute_message(message_id) == "failed"
    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert len(probe.CALLS) == 3
    assert await _stats(tenant) == []  # each attempt's effect rolled back with it
    assert await execute_message(message_id) == "skipped"  # failed is final until retried


async def test_failed_message_is_listed_and_retry_runs_it_again(
    tenant: TenantInfo, probe: ModuleType
) -> None:
    probe.STATE["healthy"] = False
    message_id = await _enqueue(tenant, "probe.flaky", {})
    for _ in range(3):
        await execute_message(message_id)
    [failed] = await failed_messages()
    assert failed.id == message_id
    assert "the remote system is down" in failed.last_error

    probe.STATE["healthy"] = True
    row = await retry_message(message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert await failed_messages() == []
    assert await execute_message(message_id) == "done"
    assert await _stats(tenant) == [message_id]
    with tenant_context(tenant):
        [event] = await AuditEvent.filter(action="jobs.retry")
    assert event.object_id == message_id
    assert event.before is not None
    assert event.before["status"] == "failed"
    assert event.before["last_error"] == "RuntimeError: the remote system is down"


async def test_unknown_handler_fails_with_a_clear_reason(tenant: TenantInfo) -> None:
    row = await OutboxMessage.create(
        id="00000000-0000-0000-0000-00000000beef",
        tenant_id=tenant.id,
        handler="gone.plugin_job",
        next_attempt_at=datetime.now(UTC),
    )
    assert await execute_message(row.id) == "failed"
    await row.refresh_from_db()
    assert row.status == "failed"
    assert row.last_error == (
        "no job handler named 'gone.plugin_job' is registered "
        "(is its plugin installed on this worker?)"
    )


async def test_missing_message_does_nothing(db: str) -> None:
    assert await execute_message("no-such-id") == "missing"


async def test_platform_message_runs_without_a_tenant(db: str, probe: ModuleType) -> None:
    message_id = await _enqueue(None, "probe.no_tenant", {})
    assert await execute_message(message_id) == "done"
    assert [message_id] == probe.CALLS


async def test_refuses_to_run_in_platform_scope(tenant: TenantInfo) -> None:
    message_id = await _enqueue(tenant, "example.count_note", {"note_id": 1})
    with platform_scope(), pytest.raises(RuntimeError, match="bypass tenant isolation"):
        await execute_message(message_id)
    assert (await OutboxMessage.get(id=message_id)).status == "pending"


async def test_suspended_tenant_postpones_without_spending_an_attempt(
    tenant: TenantInfo,
) -> None:
    message_id = await _enqueue(tenant, "example.count_note", {"note_id": 1})
    with platform_scope():
        await Tenant.filter(id=tenant.id).update(status="suspended")
    assert await execute_message(message_id) == "postponed"
    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert "tenant 'alpha' is suspended" in row.last_error
    assert (row.next_attempt_at - datetime.now(UTC)).total_seconds() > 200
    assert await _stats(tenant) == []


async def test_a_disabled_plugins_job_waits_until_the_plugin_is_enabled(
    tenant: TenantInfo,
) -> None:
    from core.tenancy.models import TenantPlugin

    message_id = await _enqueue(tenant, "example.count_note", {"note_id": 1})
    with platform_scope():
        await TenantPlugin.filter(tenant_id=tenant.id, plugin="example").update(enabled=False)
    assert await execute_message(message_id) == "postponed"
    row = await OutboxMessage.get(id=message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert "plugin 'example' is disabled for tenant 'alpha'" in row.last_error
    assert await _stats(tenant) == []
    with platform_scope():
        await TenantPlugin.filter(tenant_id=tenant.id, plugin="example").update(enabled=True)
    assert await execute_message(message_id) == "done"
    assert len(await _stats(tenant)) == 1


async def test_deleted_tenant_fails_the_message(tenant: TenantInfo) -> None:
    message_id = await _enqueue(tenant, "example.count_note", {"note_id": 1})
    with platform_scope():
        await Tenant.filter(id=tenant.id).delete()
    assert await execute_message(message_id) == "failed"
    row = await OutboxMessage.get(id=message_id)
    assert row.last_error == f"tenant {tenant.id} no longer exists"


async def test_a_handler_over_its_time_limit_is_retried(
    tenant: TenantInfo, probe: ModuleType
) -> None:
    message_id = await _enqueue(tenant, "probe.sleepy", {"seconds": 5})
    assert await execute_message(message_id, time_limit=0.1) == "retry"
    row = await OutboxMessage.get(id=message_id)
    assert row.last_error == "timed out after 0.1 s"


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    for attempts, base in ((1, 2), (3, 8), (10, 1024), (12, 3600), (40, 3600)):
        samples = [backoff_seconds(attempts) for _ in range(200)]
        assert all(base * 0.9 <= s <= base * 1.1 for s in samples)
        assert len(set(samples)) > 1
