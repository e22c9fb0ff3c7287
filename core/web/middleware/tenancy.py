"""Host → tenant resolution wired to the runtime's registry; probes answer on IP addresses.

The registry is created in the lifespan, after the middleware stack is built, so it is looked
up per request. ``/healthz``, ``/readyz`` and ``/metrics`` skip host resolution when the Host
is an IP address: orchestrators probe pods by IP, and no public (wildcard) ingress rule matches
an IP. Any other unknown host gets the usual 404, so the instance-wide probes never answer to a
made-up tenant subdomain. On a tenant's host they go through the tenant like any request, and
the base domain through the platform side; there ``/readyz`` and ``/metrics`` answer 404, since
they describe the whole instance, every tenant included.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from core.errors import CongvanError
from core.tenancy.middleware import TenantMiddleware
from core.tenancy.registry import TenantRegistry, host_of
from core.web.problems import header, send_error


async def _send_error(scope: Scope, receive: Receive, send: Send, error: CongvanError) -> None:
    await send_error(scope, receive, send, error)


PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


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
            if _is_ip_literal(host):
                await self.app(scope, receive, send)
                return
        if self._resolver is None or self._resolver.registry is not registry:
            self._resolver = TenantMiddleware(self.app, registry, refuse=_send_error)
        await self._resolver(scope, receive, send)
