"""What plugins call on the kernel: publish events, call hooks, read their tenant settings."""

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


async def call_hook(name: str, **kwargs: Any) -> list[Any]:
    """Call hook ``name`` — a core hook or one a plugin published with ``register_hookspecs``
    — on the current tenant's enabled plugins; awaits async results. Returns the results that
    are not ``None`` (pluggy order: the last registered plugin first). An unknown hook name
    raises ``AttributeError``.
    """
    relay = get_host().relay()
    caller = getattr(relay, name)
    return [r for r in await call_async(caller(**kwargs)) if r is not None]
