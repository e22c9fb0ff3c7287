"""Operators' view of the outbox: failed messages, retrying them, counts, purging.

Called from the platform (the ``congvan jobs`` commands, no tenant in context) these see every
tenant's messages and accept a ``tenant_id`` filter. Called inside a tenant's context (a tenant
admin's page) they see that tenant's messages only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.queryset import QuerySet

from core.context import current_tenant_or_none, platform_scope, tenant_context
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput, NotFound
from core.jobs.models import OutboxMessage

MAX_LIMIT = 1000


def _scoped(tenant_id: int | None) -> QuerySet[OutboxMessage]:
    """Outbox rows the caller may see, filtered by ``tenant_id`` if given."""
    query = OutboxMessage.all()
    current = current_tenant_or_none()
    if current is not None:
        if tenant_id is not None and tenant_id != current.id:
            raise InvalidInput(
                f"tenant_id={tenant_id} is not the current tenant ({current.slug!r}, "
                f"id {current.id}); a tenant sees only its own messages.",
                {"tenant_id": "other tenant"},
            )
        return query.filter(tenant_id=current.id)
    if tenant_id is not None:
        query = query.filter(tenant_id=tenant_id)
    return query


async def failed_messages(*, tenant_id: int | None = None, limit: int = 100) -> list[OutboxMessage]:
    """Messages that exhausted their attempts (or cannot run), newest first, with ``last_error``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_LIMIT}, not {limit}.", {"limit": "out of range"}
        )
    rows = await _scoped(tenant_id).filter(status="failed").order_by("-created_at").limit(limit)
    return list(rows)


async def pending_count(*, tenant_id: int | None = None) -> int:
    """Messages not yet run: ``pending`` (waiting or backing off) plus ``dispatched``."""
    return await _scoped(tenant_id).filter(status__in=("pending", "dispatched")).count()


async def status_counts(*, tenant_id: int | None = None) -> dict[str, int]:
    """Number of messages per status (every status present, zeros included)."""
    counts = dict.fromkeys(("pending", "dispatched", "done", "failed"), 0)
    for status in counts:
        counts[status] = await _scoped(tenant_id).filter(status=status).count()
    return counts


async def retry_message(message_id: str) -> OutboxMessage:
    """Give a failed message a fresh set of attempts, due now; audited in its tenant's trail.

    Raises :class:`NotFound` for an unknown id (or another tenant's message) and
    :class:`Conflict` when the message is not ``failed``. ``last_error`` is kept until the
    next failure, for the record.
    """
    row = await _scoped(None).get_or_none(id=message_id)
    if row is None:
        raise NotFound(f"No outbox message with id {message_id!r}.")
    tenant = current_tenant_or_none()
    if tenant is None and row.tenant_id is not None:
        from core.tenancy.models import Tenant
        from core.tenancy.registry import load_tenant_info

        with platform_scope():
            found = await Tenant.get_or_none(id=row.tenant_id)
            tenant = await load_tenant_info(found) if found is not None else None
    if tenant is None:
        # A platform message (or its tenant is gone): no tenant trail to write to.
        async with atomic():
            row, _ = await _reset(message_id)
        return row
    with tenant_context(tenant):
        from core.audit.services import record_audit

        async with atomic():
            row, before = await _reset(message_id)
            await record_audit(
                "jobs.retry",
                object_type="outbox_message",
                object_id=message_id,
                before=before,
                after={"status": row.status, "attempts": row.attempts},
            )
    return row


async def _reset(message_id: str) -> tuple[OutboxMessage, dict[str, object]]:
    row = await OutboxMessage.select_for_update().get(id=message_id)
    if row.status != "failed":
        raise Conflict(
            f"Outbox message {message_id} is {row.status!r}, not 'failed'; only failed "
            "messages can be retried."
        )
    before: dict[str, object] = {
        "status": row.status,
        "attempts": row.attempts,
        "handler": row.handler,
        "last_error": _first_line(row),
    }
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = datetime.now(UTC)
    row.dispatched_at = None
    await row.save(update_fields=["status", "attempts", "next_attempt_at", "dispatched_at"])
    return row, before


def _first_line(row: OutboxMessage) -> str:
    return row.last_error.splitlines()[0] if row.last_error else ""


async def purge_done(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete ``done`` messages finished more than ``older_than`` ago; returns how many.

    Safe for idempotency: a late duplicate of a purged message finds no row and does nothing.
    """
    cutoff = datetime.now(UTC) - older_than
    return await _scoped(None).filter(status="done", done_at__lt=cutoff).delete()
