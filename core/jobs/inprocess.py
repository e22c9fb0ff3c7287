"""Embedded mode: an asyncio queue consumed by worker tasks in the process's event loop.

Durability comes from the outbox, not from this queue: a message id sits here only after the
dispatcher marked its row ``dispatched``. If the process dies, those rows are delivered again
once the dispatcher's visibility timeout has passed; on a clean stop they go straight back to
``pending``. The queue is bounded and the dispatcher claims no more than :meth:`capacity`, so
rows never wait here long enough to look lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tortoise.backends.base.client import TransactionalDBClient

from core.context import in_platform_scope
from core.db.connection import db
from core.jobs.backends import BrokerUnavailable
from core.jobs.executor import DEFAULT_TIMEOUT, execute_message
from core.jobs.models import OutboxMessage

log = logging.getLogger("congvan.jobs")


class InProcessBackend:
    """``workers`` tasks run messages concurrently (on SQLite their transactions serialise)."""

    name = "inprocess"

    def __init__(
        self,
        workers: int = 4,
        *,
        queue_size: int | None = None,
        time_limit: float = DEFAULT_TIMEOUT,
        grace: float = 10.0,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self.queue_size = queue_size or max(4 * workers, 8)
        self.time_limit = time_limit
        self.grace = grace
        self._queue: asyncio.Queue[str] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._running: set[str] = set()
        self._idle = asyncio.Event()
        self._accepting = False

    @property
    def started(self) -> bool:
        return self._accepting

    def capacity(self) -> int | None:
        if not self._accepting or self._queue is None:
            return 0
        return self._queue.maxsize - self._queue.qsize()

    async def send(self, message_id: str, tenant_id: int | None) -> None:
        if not self._accepting or self._queue is None:
            raise BrokerUnavailable("the in-process job workers are not running")
        try:
            self._queue.put_nowait(message_id)
        except asyncio.QueueFull:
            raise BrokerUnavailable(
                f"the in-process job queue is full ({self.queue_size} messages)"
            ) from None

    async def start(self) -> None:
        """Start the worker tasks (they inherit this context: call it outside any scope)."""
        if self._accepting:
            return
        if in_platform_scope():
            raise RuntimeError("start the job workers outside platform_scope()")
        if isinstance(db(), TransactionalDBClient):
            raise RuntimeError("start the job workers outside a transaction")
        self._queue = asyncio.Queue(self.queue_size)
        self._tasks = [
            asyncio.create_task(self._work(), name=f"congvan-job-worker-{index}")
            for index in range(self.workers)
        ]
        self._accepting = True

    async def join(self) -> None:
        """Wait until every message handed over so far has run (tests, graceful drains)."""
        if self._queue is not None:
            await self._queue.join()

    async def stop(self) -> None:
        """Let running handlers finish (up to ``grace`` seconds), return the rest to pending."""
        if self._queue is None:
            return
        self._accepting = False
        queue, self._queue = self._queue, None
        unstarted: list[str] = []
        while not queue.empty():
            unstarted.append(queue.get_nowait())
            queue.task_done()
        if self._running:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.grace)
        interrupted = list(self._running)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self._release(unstarted + interrupted)

    async def _work(self) -> None:
        queue = self._queue
        assert queue is not None
        while True:
            message_id = await queue.get()
            self._running.add(message_id)
            self._idle.clear()
            try:
                await execute_message(message_id, time_limit=self.time_limit)
            except Exception:
                log.exception(
                    "outbox message %s could not be run; it will be delivered again", message_id
                )
            finally:
                self._running.discard(message_id)
                if not self._running:
                    self._idle.set()
                queue.task_done()

    @staticmethod
    async def _release(message_ids: list[str]) -> None:
        if not message_ids:
            return
        try:
            await OutboxMessage.filter(id__in=message_ids, status="dispatched").update(
                status="pending", dispatched_at=None
            )
        except Exception:
            log.exception(
                "could not return %d outbox messages to pending; the dispatcher will "
                "deliver them again after its visibility timeout",
                len(message_ids),
            )
