"""Plugins' routes and static folders, mounted once per process.

Every route a plugin returns from ``register_routes`` is wrapped in a :class:`PluginGate`: for a
tenant that has not enabled the plugin (and on the platform host) it answers 404, and enabling
the plugin at run time brings the routes back without a restart, because the gate reads the
tenant snapshot of each request. Static folders are public and served under
``/static/<plugin>/``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from core.errors import NotFound
from core.plugins.manager import PluginHost
from core.web.permissions import PERMISSION_ATTR, permission_of, public

CORE_STATIC = Path(__file__).parent / "static" / "core"
# Third-party assets vendored without a build step (htmx, see docs/security.md).
VENDOR_STATIC = Path(__file__).parent / "static" / "vendor"


class PluginGate:
    """Lets a request through only when its tenant has ``plugin`` enabled."""

    def __init__(self, app: ASGIApp, plugin: str, host: PluginHost) -> None:
        self.app = app
        self.plugin = plugin
        self.host = host
        declared = permission_of(app)
        if declared is not None:
            setattr(self, PERMISSION_ATTR, declared)

    @property
    def routes(self) -> list[BaseRoute]:
        return list(getattr(self.app, "routes", []))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tenant = scope.get("congvan.tenant")
        closed = tenant is None or not self.host.is_enabled(self.plugin, tenant)
        if closed and scope["type"] == "websocket":
            # No error page for a websocket: close it the way a missing route would be closed.
            await send({"type": "websocket.close", "code": 4404})
            return
        if tenant is None:
            raise NotFound(f"The {self.plugin!r} plugin has no endpoints on the platform host.")
        if not self.host.is_enabled(self.plugin, tenant):
            raise NotFound(f"The {self.plugin!r} plugin is not enabled for this tenant.")
        await self.app(scope, receive, send)


def gated(route: BaseRoute, plugin: str, host: PluginHost) -> BaseRoute:
    """A copy of ``route`` whose app is gated (the plugin's own route object stays untouched)."""
    app = getattr(route, "app", None)
    if app is None:
        raise TypeError(f"plugin {plugin!r} returned a route without an app: {route!r}")
    clone = copy.copy(route)
    clone.app = PluginGate(app, plugin, host)  # type: ignore[attr-defined]
    return clone


def plugin_routes(host: PluginHost) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for plugin, items in host.call_each("register_routes").items():
        routes.extend(gated(route, plugin, host) for route in items or ())
    return routes


def static_mounts(host: PluginHost) -> list[BaseRoute]:
    """``/static/core/``, ``/static/vendor/`` and a ``/static/<plugin>/`` mount per plugin
    with static folders.

    A plugin returns folders laid out as ``<folder>/<plugin>/…`` (the shape every plugin
    shares); a folder without that sub-folder is served as it is.
    """
    mounts: list[BaseRoute] = [_static("core", [CORE_STATIC]), _static("vendor", [VENDOR_STATIC])]
    for plugin, folders in host.call_each("register_static_dirs").items():
        paths = [
            Path(f) / plugin if (Path(f) / plugin).is_dir() else Path(f) for f in folders or ()
        ]
        existing = [p for p in paths if p.is_dir()]
        if existing:
            mounts.append(_static(plugin, existing))
    return mounts


def _static(name: str, folders: list[Path]) -> Mount:
    files: Any = StaticFiles(directory=folders[0])
    # Later folders of the same plugin are looked up after the first.
    files.all_directories = [*files.all_directories, *folders[1:]]
    return Mount(f"/static/{name}", app=public(files), name=f"static-{name}")
