"""Operators' functions: failed messages, retry, counts, purge — and what a tenant may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.audit.models import AuditEvent
from core.context import TenantInfo, platform_scope, tenant_context
from core.errors import Conflict, InvalidInput, NotFound
from core.jobs.admin import (
    failed_messages,
    pending_count,
    purge_done,
    retry_message,
    status_counts,
)
from core.jobs.models import OutboxMessage
from core.jobs.outbox import enqueue


async def _message(tenant: TenantInfo | None, status: str = "pending") -> str:
    if tenant is None:
        with platform_scope():
            message_id = await enqueue("core.ping")
    else:
        with tenant_context(tenant):
            message_id = await enqueue("example.count_note", {"note_id": 1})
    if status != "pending":
        await OutboxMessage.filter(id=message_id).update(
            status=status, attempts=3, last_error="ValueError: bad\n\nTraceback …"
        )
    return message_id


async def test_platform_sees_every_tenant_and_can_filter(
    tenant: TenantInfo, other_tenant: TenantInfo
) -> None:
    a = await _message(tenant, "failed")
    b = await _message(other_tenant, "failed")
    await _message(tenant, "done")
    assert {m.id for m in await failed_messages()} == {a, b}
    assert [m.id for m in await failed_messages(tenant_id=other_tenant.id)] == [b]
    assert len(await failed_messages(limit=1)) == 1


async def test_a_tenant_sees_only_its_own_messages(
    tenant: TenantInfo, other_tenant: TenantInfo
) -> None:
    mine = await _message(tenant, "failed")
    theirs = await _message(other_tenant, "failed")
    await _message(other_tenant)
    with tenant_context(tenant):
        assert [m.id for m in await failed_messages()] == [mine]
        assert await pending_count() == 0
        with pytest.raises(NotFound, match=theirs):
            await retry_message(theirs)
        with pytest.raises(InvalidInput, match="is not the current tenant"):
            await failed_messages(tenant_id=other_tenant.id)
    row = await OutboxMessage.get(id=theirs)
    assert (row.status, row.attempts) == ("failed", 3)  # untouched


async def test_retry_resets_a_failed_message_and_audits_it(tenant: TenantInfo) -> None:
    message_id = await _message(tenant, "failed")
    before = datetime.now(UTC)
    row = await retry_message(message_id)
    assert (row.status, row.attempts, row.dispatched_at) == ("pending", 0, None)
    assert row.next_attempt_at >= before - timedelta(seconds=1)
    assert row.last_error.startswith("ValueError: bad")  # kept for the record
    with tenant_context(tenant):
        [event] = await AuditEvent.all()
    assert (event.action, event.object_type, event.object_id) == (
        "jobs.retry",
        "outbox_message",
        message_id,
    )
    assert event.before == {
        "status": "failed",
        "attempts": 3,
        "handler": "example.count_note",
        "last_error": "ValueError: bad",
    }
    assert event.after == {"status": "pending", "attempts": 0}


async def test_retry_of_a_platform_message_needs_no_tenant_trail(db: str) -> None:
    message_id = await _message(None, "failed")
    assert (await retry_message(message_id)).status == "pending"


@pytest.mark.parametrize("status", ["pending", "dispatched", "done"])
async def test_only_failed_messages_can_be_retried(tenant: TenantInfo, status: str) -> None:
    message_id = await _message(tenant, status)
    with pytest.raises(Conflict, match=f"is '{status}', not 'failed'"):
        await retry_message(message_id)
    assert (await OutboxMessage.get(id=message_id)).status == status
    with tenant_context(tenant):
        assert await AuditEvent.all().count() == 0


async def test_unknown_message_is_not_found(db: str) -> None:
    with pytest.raises(NotFound, match="No outbox message with id 'nope'"):
        await retry_message("nope")


@pytest.mark.parametrize("limit", [0, 1001])
async def test_limit_out_of_range_is_refused(db: str, limit: int) -> None:
    with pytest.raises(InvalidInput, match=f"not {limit}"):
        await failed_messages(limit=limit)


async def test_counts(tenant: TenantInfo, other_tenant: TenantInfo) -> None:
    await _message(tenant)
    await _message(tenant, "dispatched")
    await _message(tenant, "failed")
    await _message(other_tenant)
    assert await pending_count() == 3
    assert await pending_count(tenant_id=tenant.id) == 2
    assert await status_counts() == {"pending": 2, "dispatched": 1, "done": 0, "failed": 1}


async def test_purge_removes_only_old_done_messages(tenant: TenantInfo) -> None:
    old = await _message(tenant, "done")
    recent = await _message(tenant, "done")
    failed = await _message(tenant, "failed")
    now = datetime.now(UTC)
    await OutboxMessage.filter(id=old).update(done_at=now - timedelta(days=8))
    await OutboxMessage.filter(id=recent).update(done_at=now - timedelta(days=1))
    assert await purge_done(older_than=timedelta(days=7)) == 1
    assert {m.id for m in await OutboxMessage.all()} == {recent, failed}
