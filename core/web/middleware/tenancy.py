"""Host → tenant resolution wired to the runtime's registry; probes answer on any host.

The registry is created in the lifespan, after the middleware stack is built, so it is looked
up per request. ``/healthz``, ``/readyz`` and ``/metrics`` skip host resolution on hosts that
no tenant owns: orchestrators probe pods by IP address. On a tenant's host they go through the
tenant like any request, and the base domain through the platform side; there ``/readyz`` and
``/metrics`` answer 404, since they describe the whole instance, every tenant included.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from core.tenancy.middleware import TenantMiddleware
from core.tenancy.registry import TenantRegistry, host_of
from core.web.problems import header

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class TenancyMiddleware:
    def __init__(self, app: ASGIApp, registry: Callable[[], TenantRegistry]) -> None:
        self.app = app
        self.registry = registry
        self._resolver: TenantMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        registry = self.registry()
        if scope["type"] == "http" and scope["path"] in PROBE_PATHS:
            host = host_of(header(scope, b"host"))
            if registry.resolve(host) is None and not registry.is_platform_host(host):
                await self.app(scope, receive, send)
                return
        if self._resolver is None or self._resolver.registry is not registry:
            self._resolver = TenantMiddleware(self.app, registry)
        await self._resolver(scope, receive, send)
