"""What every console page shares: the base-domain-only guard and tenant host names."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request

from core.errors import NotFound
from core.web.permissions import platform_admin
from core.web.state import is_platform, settings_of

E = TypeVar("E", bound=Callable[..., Any])


def console_page(endpoint: E) -> E:
    """A platform console endpoint: 404 on a tenant host (before anything else), then only a
    signed-in platform admin (an anonymous browser is sent to the login page)."""
    guarded = platform_admin(endpoint)

    @functools.wraps(guarded)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
        if not is_platform(request):
            raise NotFound(f"No page at {request.method} {request.url.path}.")
        return await guarded(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def tenant_host(request: Request, slug: str) -> str:
    """``<slug>.<base domain>`` with the port the console is reached on (if any)."""
    host = f"{slug}.{settings_of(request).base_domain}"
    port = request.url.port
    return f"{host}:{port}" if port else host


def tenant_login_url(request: Request, slug: str) -> str:
    """Where the tenant's users sign in: its default host's login page."""
    return f"{request.url.scheme}://{tenant_host(request, slug)}/login"
