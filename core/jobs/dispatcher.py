"""Hand committed outbox rows to a backend.

Each round claims due rows — ``pending`` with ``next_attempt_at <= now``, and ``dispatched``
rows older than the visibility timeout (the broker or a crashed process may have lost them) —
marks them ``dispatched`` and sends them. On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP
LOCKED`` in a transaction, so several dispatchers share the work and a row a worker is running
(the executor holds its lock) is never handed out twice. SQLite serialises writers, so a claim
that lost a race fails and is retried next round. A send that fails puts the row back to
``pending`` with ``last_error = "broker unavailable: …"`` and a short delay: nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from core.context import platform_scope
from core.db.connection import atomic, is_postgres
from core.jobs.backends import Backend, BrokerUnavailable
from core.jobs.executor import DEFAULT_TIMEOUT, backoff_seconds
from core.jobs.models import OutboxMessage

log = logging.getLogger("congvan.jobs")

# A dispatched row is presumed lost only once a handler could no longer be running it: a
# shorter timeout would hand a slow job to a second worker while the first still runs it.
DEFAULT_VISIBILITY_TIMEOUT = DEFAULT_TIMEOUT + 300.0
BROKER_RETRY_DELAY = 5.0
PURGE_EVERY = 3600.0


class Dispatcher:
    """Moves due outbox rows to ``backend``; one per process is enough, several are safe."""

    def __init__(
        self,
        backend: Backend,
        *,
        batch_size: int = 100,
        interval: float = 0.5,
        visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
        broker_retry_delay: float = BROKER_RETRY_DELAY,
        keep_done_days: float | None = 7.0,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.backend = backend
        self.batch_size = batch_size
        self.interval = interval
        self.visibility_timeout = visibility_timeout
        self.broker_retry_delay = broker_retry_delay
        self.keep_done_days = keep_done_days
        self._next_purge = 0.0

    async def run_once(self, *, now: datetime | None = None) -> int:
        """Claim and send one batch; returns how many rows were handed to the backend."""
        now = now or datetime.now(UTC)
        limit = self.batch_size
        capacity = self.backend.capacity()
        if capacity is not None:
            limit = min(limit, capacity)
        if limit <= 0:
            return 0
        with platform_scope():
            claimed = await self._claim(now, limit)
            return await self._send(claimed, now)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Dispatch until ``stop`` is set; a failing round is logged and retried, never fatal."""
        failures = 0
        while not stop.is_set():
            delay = self.interval
            try:
                capacity = self.backend.capacity()
                sent = await self.run_once()
                failures = 0
                if sent >= self.batch_size:
                    delay = 0.0  # more may be waiting
                elif capacity is not None and sent >= capacity:
                    delay = min(self.interval, 0.05)  # the workers' queue was the limit
                await self._purge_if_due()
            except Exception:
                failures += 1
                delay = min(self.interval * 2**failures, 30.0)
                log.exception("outbox dispatch failed; retrying in %.1f s", delay)
            if delay:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
            else:
                await asyncio.sleep(0)

    # ------------------------------------------------------------ internals

    def _due(self, now: datetime) -> Q:
        lost_before = now - timedelta(seconds=self.visibility_timeout)
        return Q(status="pending", next_attempt_at__lte=now) | Q(
            status="dispatched", dispatched_at__lte=lost_before
        )

    async def _claim(self, now: datetime, limit: int) -> list[tuple[str, int | None]]:
        due = self._due(now)
        async with atomic():
            query = OutboxMessage.filter(due).order_by("next_attempt_at").limit(limit)
            if is_postgres():
                query = query.select_for_update(skip_locked=True)
            # ``only`` rather than ``values_list``: tortoise drops FOR UPDATE from the latter.
            rows = await query.only("id", "tenant_id")
            ids = [row.id for row in rows]
            if not ids:
                return []
            # The due condition again: on SQLite it is the guard against a second dispatcher.
            updated = await OutboxMessage.filter(due, id__in=ids).update(
                status="dispatched", dispatched_at=now
            )
            if updated != len(ids):
                raise RuntimeError("another dispatcher claimed the same rows; retrying")
        return [(str(row.id), row.tenant_id) for row in rows]

    async def _send(self, claimed: list[tuple[str, int | None]], now: datetime) -> int:
        for index, (message_id, tenant_id) in enumerate(claimed):
            try:
                await self.backend.send(message_id, tenant_id)
            except BrokerUnavailable as exc:
                # Stop at the first failure: the rest would fail the same way, slowly.
                await self._give_back([m for m, _ in claimed[index:]], exc.detail)
                return index
        return len(claimed)

    async def _give_back(self, message_ids: list[str], reason: str) -> None:
        retry_at = datetime.now(UTC) + timedelta(
            seconds=self.broker_retry_delay * backoff_seconds(0)
        )
        log.error(
            "broker unavailable, %d outbox messages stay pending: %s", len(message_ids), reason
        )
        await OutboxMessage.filter(id__in=message_ids, status="dispatched").update(
            status="pending",
            dispatched_at=None,
            next_attempt_at=retry_at,
            last_error=f"broker unavailable: {reason}",
        )

    async def _purge_if_due(self) -> None:
        if self.keep_done_days is None or time.monotonic() < self._next_purge:
            return
        from core.jobs.admin import purge_done

        self._next_purge = time.monotonic() + PURGE_EVERY
        removed = await purge_done(older_than=timedelta(days=self.keep_done_days))
        if removed:
            log.info("purged %d done outbox messages", removed)
