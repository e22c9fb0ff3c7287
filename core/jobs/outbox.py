"""Write messages to the transactional outbox.

``enqueue`` inserts a row on the connection of the surrounding transaction (tortoise routes
queries inside ``atomic()`` to it), so the message commits or rolls back with the state change
that implies it. The dispatcher hands committed rows to the broker later.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from core.context import current_tenant_or_none
from core.jobs.models import OutboxMessage

DEFAULT_MAX_ATTEMPTS = 8


async def enqueue(
    handler: str,
    payload: dict[str, Any] | None = None,
    *,
    max_attempts: int | None = None,
    delay_seconds: float = 0.0,
) -> str:
    """Queue ``handler(payload)`` for the current tenant; returns the message id.

    Call inside the transaction of the change. The handler runs at least once, later, in the
    same tenant context; it must be idempotent by message id.
    """
    from datetime import timedelta

    tenant = current_tenant_or_none()
    message = await OutboxMessage.create(
        id=str(uuid.uuid4()),
        tenant_id=tenant.id if tenant else None,
        handler=handler,
        payload=payload or {},
        max_attempts=max_attempts or DEFAULT_MAX_ATTEMPTS,
        next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay_seconds),
    )
    return str(message.id)
