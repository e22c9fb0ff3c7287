"""The one plugin manager of a process, and the per-tenant relay over it.

Built-in plugins register from :data:`BUILTIN_PLUGINS`; third-party ones from the
``congvan.plugins`` entry-point group. Hooks for a tenant go through :class:`TenantRelay`, which
caches ``subset_hook_caller`` per (tenant, hook) so a disabled plugin's hooks never run for
that tenant and no plugin asks whether it is enabled.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from typing import Any

import pluggy

from core import hookspecs
from core.context import TenantInfo, current_tenant
from core.errors import InvalidInput, NotFound
from core.plugins.types import PluginInfo

PROJECT = "congvan"
ENTRY_POINT_GROUP = "congvan.plugins"

# Essential plugins are part of the kernel and cannot be disabled.
ESSENTIAL_PLUGINS: tuple[tuple[str, str], ...] = (("core", "core.actions"),)
# Built-in feature plugins, registered in this order.
BUILTIN_PLUGINS: tuple[str, ...] = ("plugins.example.plugin", "plugins.registry.plugin")


class PluginError(RuntimeError):
    """A plugin that cannot be loaded: bad metadata, a typo in a hook name, a failed import."""


class TenantRelay:
    """Hook callers for one tenant's set of enabled plugins."""

    def __init__(self, host: PluginHost, disabled: frozenset[str]) -> None:
        self._host = host
        self._disabled = disabled
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        caller = self._callers.get(name)
        if caller is None:
            plugins = [self._host.pm.get_plugin(n) for n in self._disabled]
            caller = self._host.pm.subset_hook_caller(
                name, remove_plugins=[p for p in plugins if p is not None]
            )
            self._callers[name] = caller
        return caller


class PluginHost:
    """Loads plugins once per process and hands out per-tenant relays."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs.CoreHookSpecs)
        self.essential: set[str] = set()
        self._info: dict[str, PluginInfo] = {}
        self._relays: dict[int, tuple[frozenset[str], TenantRelay]] = {}
        self._published: set[type] = set()

    # ------------------------------------------------------------ loading

    def register(self, plugin: object, *, essential: bool = False) -> str:
        info_fn = getattr(plugin, "plugin_info", None)
        if info_fn is None:
            raise PluginError(f"plugin {plugin!r} has no plugin_info hook")
        info = info_fn()
        if not isinstance(info, PluginInfo):
            raise PluginError(f"plugin_info of {plugin!r} must return a PluginInfo")
        if self.pm.has_plugin(info.name):
            raise PluginError(f"a plugin named {info.name!r} is already registered")
        try:
            self.pm.register(plugin, name=info.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {info.name!r} is invalid: {exc}") from exc
        self._info[info.name] = info
        if essential:
            self.essential.add(info.name)
        self._relays.clear()
        return info.name

    def register_module(self, dotted: str, *, essential: bool = False) -> str:
        try:
            module = importlib.import_module(dotted)
        except Exception as exc:
            raise PluginError(f"cannot import plugin module {dotted}: {exc}") from exc
        return self.register(module, essential=essential)

    def load_entry_points(self) -> list[str]:
        names = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(f"cannot load plugin entry point {ep.name}: {exc}") from exc
            names.append(self.register(plugin))
        return names

    def check(self) -> None:
        """Add the hook specifications plugins publish, then check every implementation."""
        try:
            for spec in self.collect("register_hookspecs"):
                if spec not in self._published:  # check() may run again after a late register
                    self.pm.add_hookspecs(spec)
                    self._published.add(spec)
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc)) from exc

    # ------------------------------------------------------------ queries

    def names(self) -> list[str]:
        """Installed plugins a tenant can enable (the essential ones are always on)."""
        return [name for name in self._info if name not in self.essential]

    def info(self, name: str) -> PluginInfo:
        try:
            return self._info[name]
        except KeyError:
            raise NotFound(f"No plugin named {name!r} is installed.") from None

    def all_info(self) -> list[PluginInfo]:
        return list(self._info.values())

    def call_each(self, hook: str, **kwargs: Any) -> dict[str, Any]:
        """Call one platform-wide hook per plugin, keyed by plugin name (synchronous hooks)."""
        results: dict[str, Any] = {}
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            argnames = impl.argnames
            results[impl.plugin_name] = impl.function(**{k: kwargs[k] for k in argnames})
        return results

    def collect(self, hook: str, **kwargs: Any) -> list[Any]:
        """Flatten the lists a platform-wide ``register_*`` hook returns."""
        return [item for items in getattr(self.pm.hook, hook)(**kwargs) for item in items or ()]

    # ------------------------------------------------------------ per tenant

    def relay(self, tenant: TenantInfo | None = None) -> TenantRelay:
        tenant = tenant or current_tenant()
        disabled = frozenset(name for name in self.names() if name not in tenant.enabled_plugins)
        cached = self._relays.get(tenant.id)
        if cached is not None and cached[0] == disabled:
            return cached[1]
        relay = TenantRelay(self, disabled)
        self._relays[tenant.id] = (disabled, relay)
        return relay

    def is_enabled(self, name: str, tenant: TenantInfo | None = None) -> bool:
        """For the kernel's gates only (route 404s); plugins never need to ask."""
        if name in self.essential:
            return True
        tenant = tenant or current_tenant()
        return name in tenant.enabled_plugins

    # ------------------------------------------------------------ settings

    def validate_settings(self, name: str, values: dict[str, Any]) -> dict[str, Any]:
        """Validate a plugin's settings against its typed model; returns the clean dict."""
        from pydantic import ValidationError

        model = self.info(name).settings_model
        if model is None:
            if values:
                raise InvalidInput(f"Plugin {name!r} has no settings.")
            return {}
        try:
            return model.model_validate(values).model_dump(mode="json")
        except ValidationError as exc:
            errors = {".".join(str(p) for p in e["loc"]) or "?": e["msg"] for e in exc.errors()}
            summary = "; ".join(f"{k}: {v}" for k, v in errors.items())
            raise InvalidInput(f"Invalid settings for plugin {name!r}: {summary}", errors) from None

    def settings_for(self, name: str, tenant: TenantInfo | None = None) -> Any:
        """The tenant's settings of ``name`` as an instance of its typed model."""
        tenant = tenant or current_tenant()
        model = self.info(name).settings_model
        if model is None:
            return None
        return model.model_validate(dict(tenant.plugin_settings.get(name, {})))


async def call_async(results: Iterable[Any]) -> list[Any]:
    """Await the awaitable results of a hook call (hooks may be sync or async)."""
    out = []
    for result in results:
        out.append(await result if inspect.isawaitable(result) else result)
    return out


def build_host(
    builtins: Sequence[str] = BUILTIN_PLUGINS, *, entry_points_too: bool = True
) -> PluginHost:
    host = PluginHost()
    for name, dotted in ESSENTIAL_PLUGINS:
        host.register_module(dotted, essential=True)
        assert name in host.essential
    for dotted in builtins:
        host.register_module(dotted)
    if entry_points_too:
        host.load_entry_points()
    host.check()
    return host


_host: PluginHost | None = None


def set_host(host: PluginHost) -> PluginHost:
    global _host
    _host = host
    return host


def get_host() -> PluginHost:
    """The process's plugin host (built on first use)."""
    global _host
    if _host is None:
        _host = build_host()
    return _host
