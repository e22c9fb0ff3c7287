"""Pure ASGI middleware: Host header → tenant context variable, failing closed."""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from core.context import no_tenant, platform_scope, tenant_context
from core.errors import CongvanError, TenantSuspended, UnknownTenant
from core.tenancy.registry import TenantRegistry, host_of

# The web app answers refusals with its themed error page (``core.web.problems.send_error``).
Refuser = Callable[[Scope, Receive, Send, CongvanError], Awaitable[None]]


class TenantMiddleware:
    """Sets the tenant for the request; unknown host → 404, suspended tenant → 403.

    The bare base domain serves the platform side: ``scope["congvan.platform"]`` is true and no
    tenant is set. Lifespan and other non-HTTP scopes pass through untouched.
    """

    def __init__(
        self, app: ASGIApp, registry: TenantRegistry, refuse: Refuser | None = None
    ) -> None:
        self.app = app
        self.registry = registry
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = host_of(_header(scope, b"host"))
        if self.registry.is_platform_host(host):
            scope["congvan.platform"] = True
            with no_tenant():
                await self.app(scope, receive, send)
            return
        tenant = self.registry.resolve(host)
        if tenant is None and await self.registry.reload_if_stale():
            tenant = self.registry.resolve(host)
        if tenant is None:
            error: CongvanError = UnknownTenant(f"No tenant is served at host {host!r}.")
            await self._refuse(scope, receive, send, error)
            return
        if not tenant.is_active:
            error = TenantSuspended(f"Tenant {tenant.slug!r} is suspended.")
            await self._refuse(scope, receive, send, error)
            return
        scope["congvan.platform"] = False
        scope["congvan.tenant"] = tenant
        with tenant_context(tenant):
            await self.app(scope, receive, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, error: CongvanError
    ) -> None:
        if self.refuse is not None and scope["type"] == "http":
            await self.refuse(scope, receive, send, error)
        else:
            await _refuse(scope, send, error)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def _refuse(scope: Scope, send: Send, error: CongvanError) -> None:
    if scope["type"] != "http":
        await send({"type": "websocket.close", "code": 4000 + error.status})
        return
    wants_html = "text/html" in _header(scope, b"accept") and not scope["path"].startswith("/api/")
    if wants_html:
        body = (
            f"<!doctype html><meta charset=utf-8><title>{error.status}</title>"
            f"<h1>{error.status} — {html.escape(error.title)}</h1>"
            f"<p>{html.escape(error.detail)}</p>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    else:
        body = json.dumps(error.to_problem()).encode()
        content_type = b"application/problem+json"
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["TenantMiddleware", "platform_scope"]
