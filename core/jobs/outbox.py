"""Write messages to the transactional outbox.

``enqueue`` inserts a row on the connection of the surrounding transaction (tortoise routes
queries inside ``atomic()`` to it), so the message commits or rolls back with the state change
that implies it. The dispatcher hands committed rows to the broker later.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from core.context import current_tenant_or_none
from core.errors import InvalidInput
from core.jobs.models import OutboxMessage

DEFAULT_MAX_ATTEMPTS = 8
MAX_ATTEMPTS_LIMIT = 100


async def enqueue(
    handler: str,
    payload: dict[str, Any] | None = None,
    *,
    max_attempts: int | None = None,
    delay_seconds: float = 0.0,
) -> str:
    """Queue ``handler(payload, message_id)`` for the current tenant; returns the message id.

    Call inside the transaction of the change: the message commits or rolls back with it. The
    handler runs at least once, later, in the same tenant context (no tenant: a platform
    message); it must be idempotent by message id. ``max_attempts`` defaults to the handler's
    own; ``delay_seconds`` postpones the first attempt. Raises :class:`InvalidInput` for an
    unknown handler, a payload that is not JSON, or an out-of-range number, writing nothing.
    """
    from core.jobs.handlers import get_handler

    registered = get_handler(handler)
    if registered is None:
        raise InvalidInput(
            f"No job handler named {handler!r} is registered (is its plugin installed?).",
            {"handler": "unknown"},
        )
    attempts = registered.max_attempts if max_attempts is None else max_attempts
    if not 1 <= attempts <= MAX_ATTEMPTS_LIMIT:
        raise InvalidInput(
            f"max_attempts must be between 1 and {MAX_ATTEMPTS_LIMIT}, not {attempts}.",
            {"max_attempts": "out of range"},
        )
    if not math.isfinite(delay_seconds) or delay_seconds < 0:
        raise InvalidInput(
            f"delay_seconds must be zero or more, not {delay_seconds}.",
            {"delay_seconds": "out of range"},
        )
    body = _json_payload(handler, payload)
    tenant = current_tenant_or_none()
    message = await OutboxMessage.create(
        id=str(uuid.uuid4()),
        tenant_id=tenant.id if tenant else None,
        handler=handler,
        payload=body,
        max_attempts=attempts,
        next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay_seconds),
    )
    return str(message.id)


def _json_payload(handler: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload as it will come back from the JSON column, or a clear error now."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidInput(
            f"The payload of job {handler!r} must be a dict, not {type(payload).__name__}.",
            {"payload": "not a dict"},
        )
    try:
        result: dict[str, Any] = json.loads(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"The payload of job {handler!r} is not JSON-serialisable: {exc}.",
            {"payload": "not JSON"},
        ) from None
    return result
