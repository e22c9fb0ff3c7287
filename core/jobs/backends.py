"""What the dispatcher hands claimed outbox rows to.

Two backends implement :class:`Backend`: :class:`core.jobs.inprocess.InProcessBackend` (embedded
mode: an asyncio queue consumed by worker tasks in the same event loop) and
:class:`core.jobs.dramatiq_backend.DramatiqBackend` (production: one dramatiq actor on a Redis
broker, consumed by ``congvan worker``). Both run :func:`core.jobs.executor.execute_message`, so
retries, backoff and failure handling are the same whichever carries the message.
"""

from __future__ import annotations

from typing import Protocol

from core.errors import ServiceUnavailable


class BrokerUnavailable(ServiceUnavailable):
    """The backend could not take a message (broker down, queue closed); nothing is lost."""

    code = "broker-unavailable"
    title = "Job broker unavailable"


class Backend(Protocol):
    """Carries message ids from the dispatcher to whatever executes them."""

    name: str

    def capacity(self) -> int | None:
        """How many more messages it takes now (``None``: no limit; the broker queues them)."""
        ...

    async def send(self, message_id: str, tenant_id: int | None) -> None:
        """Hand one message over; raise :class:`BrokerUnavailable` when that is impossible."""
        ...

    async def start(self) -> None:
        """Start consuming, if this backend consumes in this process."""
        ...

    async def stop(self) -> None:
        """Stop consuming; messages taken but not run go back to the outbox."""
        ...
