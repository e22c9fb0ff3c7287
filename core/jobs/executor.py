"""Run one outbox message: the same code behind the in-process workers and the dramatiq actor.

The handler's database effects and the row's ``status = done`` commit in one transaction, so a
crash can never record "done" without the effect or the effect without "done"; together with
handlers that are idempotent by message id this makes delivery exactly once in effect. The row
is locked for the duration (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers),
so a duplicate delivery waits, then sees ``done`` and skips. The outbox owns retries: a failure
rolls the handler back, counts the attempt and schedules the next one with exponential backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Literal

from core.context import (
    SYSTEM,
    TenantInfo,
    acting_as,
    current_tenant_or_none,
    in_platform_scope,
    no_tenant,
    platform_scope,
    tenant_context,
)
from core.db.connection import atomic
from core.jobs.handlers import get_handler
from core.jobs.models import OutboxMessage
from core.plugins.manager import PluginHost, get_host

Outcome = Literal["done", "retry", "failed", "skipped", "missing", "postponed"]

TERMINAL = ("done", "failed")
DEFAULT_TIMEOUT = 600.0
MAX_BACKOFF = 3600.0
SUSPENDED_DELAY = 300.0
ERROR_LIMIT = 4000

log = logging.getLogger("congvan.jobs")


class _AlreadyFinished(Exception):
    """Another delivery finished the message first: roll this one back."""


def backoff_seconds(attempts: int, *, cap: float = MAX_BACKOFF, jitter: float = 0.1) -> float:
    """Seconds before the next attempt after ``attempts`` failures: ``min(2**attempts, cap)`` ±10%.

    Jitter spreads the retries of many messages that failed together (a remote system down).
    """
    base = min(2.0 ** max(attempts, 0), cap)
    return base * random.uniform(1.0 - jitter, 1.0 + jitter)


async def execute_message(
    message_id: str, *, time_limit: float = DEFAULT_TIMEOUT, host: PluginHost | None = None
) -> Outcome:
    """Run the handler of ``message_id`` in its tenant's context as the system actor.

    Returns what happened: ``done``; ``retry`` (failed, scheduled again); ``failed`` (attempts
    exhausted, unknown handler or tenant gone: kept with ``last_error``); ``skipped`` (already
    done or failed: a duplicate delivery); ``missing`` (no such row, e.g. purged);
    ``postponed`` (the tenant is suspended). Errors of the handler (and of its queries) are
    recorded on the row, never raised; if the database cannot even record them, the error
    propagates, the row stays ``dispatched`` and the dispatcher delivers it again later.
    """
    if in_platform_scope():
        raise RuntimeError(
            "execute_message() must not run inside platform_scope(): "
            "handlers would bypass tenant isolation"
        )
    row = await OutboxMessage.get_or_none(id=message_id)
    if row is None:
        log.info("outbox message %s does not exist (purged?); nothing to do", message_id)
        return "missing"
    if row.status in TERMINAL:
        return "skipped"
    handler = get_handler(row.handler, host)
    if handler is None:
        return await _fail_now(
            row.id,
            f"no job handler named {row.handler!r} is registered "
            "(is its plugin installed on this worker?)",
        )
    tenant: TenantInfo | None = None
    if row.tenant_id is not None:
        tenant = await _tenant_for(row.tenant_id)
        if tenant is None:
            return await _fail_now(row.id, f"tenant {row.tenant_id} no longer exists")
        if not tenant.is_active:
            return await _postpone(
                row.id, f"tenant {tenant.slug!r} is suspended; the message waits until it is active"
            )
        plugin = row.handler.split(".", 1)[0]
        plugins = host or get_host()
        if plugin in plugins.names() and not plugins.is_enabled(plugin, tenant):
            # A disabled plugin touches none of the tenant's data; enabling it again resumes.
            return await _postpone(
                row.id,
                f"plugin {plugin!r} is disabled for tenant {tenant.slug!r}; "
                "the message waits until it is enabled",
            )

    timer = asyncio.timeout(time_limit)
    try:
        with _scope(tenant), acting_as(SYSTEM):
            async with atomic():
                locked = await OutboxMessage.select_for_update().get_or_none(id=row.id)
                if locked is None or locked.status in TERMINAL:
                    raise _AlreadyFinished
                async with timer:
                    await handler.fn(dict(locked.payload), locked.id)
                locked.status = "done"
                locked.done_at = datetime.now(UTC)
                await locked.save(update_fields=["status", "done_at"])
    except _AlreadyFinished:
        return "skipped"
    except Exception as exc:  # a handler's failure is data: it is recorded on the row
        reason = f"timed out after {time_limit:g} s" if timer.expired() else _describe(exc)
        return await _record_failure(row.id, reason)
    log.debug("outbox message %s (%s) done", row.id, row.handler)
    return "done"


@contextlib.contextmanager
def _scope(tenant: TenantInfo | None) -> Iterator[None]:
    if tenant is None:
        with no_tenant():
            yield
    else:
        with tenant_context(tenant):
            yield


async def _tenant_for(tenant_id: int) -> TenantInfo | None:
    """The tenant snapshot: the one the job middleware set for this message, or a fresh one."""
    from core.tenancy.models import Tenant
    from core.tenancy.registry import load_tenant_info

    current = current_tenant_or_none()
    if current is not None and current.id == tenant_id:
        return current
    if current is not None:
        log.warning(
            "message options named tenant %s but the outbox row belongs to tenant %s; "
            "running as the row's tenant",
            current.id,
            tenant_id,
        )
    with platform_scope():
        tenant = await Tenant.get_or_none(id=tenant_id)
        return await load_tenant_info(tenant) if tenant is not None else None


def _describe(exc: BaseException) -> str:
    summary = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    trace = "".join(traceback.format_exception(exc))
    text = f"{summary}\n\n{trace}"
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


async def _record_failure(message_id: str, reason: str) -> Outcome:
    now = datetime.now(UTC)
    async with atomic():
        row = await OutboxMessage.select_for_update().get_or_none(id=message_id)
        if row is None or row.status in TERMINAL:
            return "skipped"
        row.attempts += 1
        row.last_error = reason
        row.dispatched_at = None
        outcome: Outcome
        if row.attempts >= row.max_attempts:
            row.status = "failed"
            outcome = "failed"
        else:
            row.status = "pending"
            row.next_attempt_at = now + timedelta(seconds=backoff_seconds(row.attempts))
            outcome = "retry"
        await row.save(
            update_fields=["attempts", "last_error", "dispatched_at", "status", "next_attempt_at"]
        )
    first_line = reason.splitlines()[0] if reason else ""
    if outcome == "failed":
        log.error(
            "outbox message %s (%s) failed after %d attempts: %s",
            message_id,
            row.handler,
            row.attempts,
            first_line,
        )
    else:
        log.warning(
            "outbox message %s (%s) attempt %d/%d failed, retrying at %s: %s",
            message_id,
            row.handler,
            row.attempts,
            row.max_attempts,
            row.next_attempt_at.isoformat(),
            first_line,
        )
    return outcome


async def _fail_now(message_id: str, reason: str) -> Outcome:
    async with atomic():
        row = await OutboxMessage.select_for_update().get_or_none(id=message_id)
        if row is None or row.status in TERMINAL:
            return "skipped"
        row.attempts += 1
        row.status = "failed"
        row.last_error = reason
        row.dispatched_at = None
        await row.save(update_fields=["attempts", "status", "last_error", "dispatched_at"])
    log.error("outbox message %s (%s) failed: %s", message_id, row.handler, reason)
    return "failed"


async def _postpone(message_id: str, reason: str) -> Outcome:
    """Not the handler's fault: wait without spending an attempt."""
    async with atomic():
        row = await OutboxMessage.select_for_update().get_or_none(id=message_id)
        if row is None or row.status in TERMINAL:
            return "skipped"
        row.status = "pending"
        row.last_error = reason
        row.dispatched_at = None
        row.next_attempt_at = datetime.now(UTC) + timedelta(seconds=SUSPENDED_DELAY)
        await row.save(update_fields=["status", "last_error", "dispatched_at", "next_attempt_at"])
    log.info("outbox message %s postponed: %s", message_id, reason)
    return "postponed"
