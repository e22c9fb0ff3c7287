"""What plugins call on the kernel: publish events, read their tenant settings."""

from __future__ import annotations

from typing import Any

from core.plugins.manager import call_async, get_host
from core.plugins.types import Event


async def publish(event: Event) -> None:
    """Deliver ``event`` to the ``on_event`` listeners of the current tenant's enabled plugins.

    Call it inside the transaction of the change, so listeners' outbox messages commit with it.
    """
    await call_async(get_host().relay().on_event(event=event))


def plugin_settings(name: str) -> Any:
    """The current tenant's validated settings of plugin ``name`` (its typed model)."""
    return get_host().settings_for(name)
