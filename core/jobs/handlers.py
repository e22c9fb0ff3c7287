"""The registry of outbox handlers: the kernel's own plus every plugin's ``register_job_handlers``.

Handler names are global (the outbox is a platform table) and must start with the name of the
plugin that registers them (``example.count_note``), so two plugins cannot collide silently.
The registry is rebuilt when the set of registered plugins changes.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from core.plugins.manager import PluginError, PluginHost, get_host
from core.plugins.types import JobHandler


async def _ping(payload: dict[str, Any], message_id: str) -> None:
    """Does nothing: proves that the pipeline (outbox → dispatcher → worker) delivers."""


#: Handlers of the kernel itself (names prefixed ``core.``).
CORE_HANDLERS: tuple[JobHandler, ...] = (JobHandler("core.ping", _ping, max_attempts=1),)

_cache: WeakKeyDictionary[PluginHost, tuple[tuple[str, ...], dict[str, JobHandler]]] = (
    WeakKeyDictionary()
)


def build_registry(host: PluginHost) -> dict[str, JobHandler]:
    """Collect every handler; a duplicate or unprefixed name raises :class:`PluginError`."""
    registry: dict[str, JobHandler] = {}
    owners: dict[str, str] = {}
    sources: list[tuple[str, Any]] = [("core", list(CORE_HANDLERS))]
    sources += list(host.call_each("register_job_handlers").items())
    for plugin, handlers in sources:
        for handler in handlers or ():
            if not isinstance(handler, JobHandler):
                raise PluginError(
                    f"plugin {plugin!r} returned {handler!r} from register_job_handlers; "
                    "expected core.JobHandler items"
                )
            if not handler.name.startswith(f"{plugin}."):
                raise PluginError(
                    f"plugin {plugin!r} registers job handler {handler.name!r}; "
                    f"its handler names must start with '{plugin}.'"
                )
            if handler.name in registry:
                raise PluginError(
                    f"job handler {handler.name!r} is registered twice "
                    f"(by {owners[handler.name]!r} and {plugin!r})"
                )
            if handler.max_attempts < 1:
                raise PluginError(
                    f"job handler {handler.name!r} has max_attempts={handler.max_attempts}; "
                    "it must be at least 1"
                )
            registry[handler.name] = handler
            owners[handler.name] = plugin
    return registry


def handler_registry(host: PluginHost | None = None) -> dict[str, JobHandler]:
    """Name → handler for ``host`` (default: the process's plugin host), cached."""
    host = host or get_host()
    key = tuple(name for name, _ in host.pm.list_name_plugin())
    cached = _cache.get(host)
    if cached is not None and cached[0] == key:
        return cached[1]
    registry = build_registry(host)
    _cache[host] = (key, registry)
    return registry


def get_handler(name: str, host: PluginHost | None = None) -> JobHandler | None:
    return handler_registry(host).get(name)
