"""The in-memory registry of tenants that the host middleware resolves against.

Loaded at start-up in platform scope, reloaded for one tenant when a change notification says
so (another process suspended it, enabled a plugin, …).
"""

from __future__ import annotations

import asyncio
import time

from core.context import TenantInfo, TenantStatus, platform_scope
from core.tenancy.models import Tenant


async def load_tenant_info(tenant: Tenant) -> TenantInfo:
    await tenant.fetch_related("domains", "plugins")
    return tenant_info(tenant)


def tenant_info(tenant: Tenant) -> TenantInfo:
    """The snapshot of a tenant whose domains and plugins are already fetched."""
    status: TenantStatus = "suspended" if tenant.status == "suspended" else "active"
    return TenantInfo(
        id=tenant.id,
        slug=tenant.slug,
        name=tenant.name,
        status=status,
        theme=tenant.theme,
        domains=tuple(sorted(d.domain for d in tenant.domains)),
        enabled_plugins=frozenset(p.plugin for p in tenant.plugins if p.enabled),
        plugin_settings={p.plugin: dict(p.settings or {}) for p in tenant.plugins},
    )


class TenantRegistry:
    """Host name → tenant, by slug subdomain or custom domain."""

    def __init__(self, base_domain: str) -> None:
        self.base_domain = base_domain.lower()
        self._by_id: dict[int, TenantInfo] = {}
        self._by_slug: dict[str, TenantInfo] = {}
        self._by_domain: dict[str, TenantInfo] = {}
        self._lock = asyncio.Lock()
        self._last_full_reload = 0.0

    async def reload(self) -> None:
        with platform_scope():
            tenants = await Tenant.all().prefetch_related("domains", "plugins")
            infos = [tenant_info(t) for t in tenants]
        self._replace(infos)
        self._last_full_reload = time.monotonic()

    async def reload_tenant(self, tenant_id: int) -> TenantInfo | None:
        with platform_scope():
            tenant = await Tenant.get_or_none(id=tenant_id)
            info = await load_tenant_info(tenant) if tenant else None
        infos = [t for t in self._by_id.values() if t.id != tenant_id]
        if info is not None:
            infos.append(info)
        self._replace(infos)
        return info

    async def reload_if_stale(self, min_interval: float = 2.0) -> bool:
        """Reload everything when asked about an unknown host, at most every ``min_interval``."""
        if time.monotonic() - self._last_full_reload < min_interval:
            return False
        async with self._lock:
            if time.monotonic() - self._last_full_reload < min_interval:
                return False
            await self.reload()
            return True

    def _replace(self, infos: list[TenantInfo]) -> None:
        self._by_id = {t.id: t for t in infos}
        self._by_slug = {t.slug: t for t in infos}
        self._by_domain = {d: t for t in infos for d in t.domains}

    def put(self, info: TenantInfo) -> None:
        self._replace([t for t in self._by_id.values() if t.id != info.id] + [info])

    # ------------------------------------------------------------ lookups

    def is_platform_host(self, host: str) -> bool:
        return host == self.base_domain

    def resolve(self, host: str) -> TenantInfo | None:
        host = host.lower().rstrip(".")
        suffix = "." + self.base_domain
        if host.endswith(suffix):
            slug = host[: -len(suffix)]
            if "." not in slug:
                return self._by_slug.get(slug)
        return self._by_domain.get(host)

    def by_slug(self, slug: str) -> TenantInfo | None:
        return self._by_slug.get(slug)

    def by_id(self, tenant_id: int) -> TenantInfo | None:
        return self._by_id.get(tenant_id)

    def all(self) -> list[TenantInfo]:
        return sorted(self._by_id.values(), key=lambda t: t.slug)


def host_of(raw: str) -> str:
    """The host part of a Host header (no port, lower case); IPv6 literals kept whole."""
    raw = raw.strip().lower()
    if raw.startswith("["):
        return raw.split("]", 1)[0] + "]"
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


_registry: TenantRegistry | None = None


def set_registry(registry: TenantRegistry) -> TenantRegistry:
    global _registry
    _registry = registry
    return registry


def get_registry() -> TenantRegistry:
    """The process's tenant registry (set by ``core.runtime.start_runtime``)."""
    if _registry is None:
        raise RuntimeError("the tenant registry is not loaded; call core.runtime.start_runtime()")
    return _registry
