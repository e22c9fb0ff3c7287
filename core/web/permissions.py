"""Every route declares who may call it: ``@requires(action)``, ``@authenticated`` or ``@public``.

A test walks the route table and fails on an endpoint with no declaration. ``requires`` checks
the action for the request's actor in the unit that ``unit`` returns (``None`` = tenant-wide).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from core.context import current_actor
from core.errors import Unauthenticated

Endpoint = Callable[[Request], Awaitable[Response]]
E = TypeVar("E", bound=Callable[..., Any])
UnitResolver = Callable[[Request], Awaitable[int | None]]

PERMISSION_ATTR = "__congvan_permission__"
PUBLIC = "public"
AUTHENTICATED = "authenticated"


def permission_of(endpoint: Any) -> str | None:
    """The declared permission of an endpoint (``public``, ``authenticated`` or an action)."""
    return getattr(endpoint, PERMISSION_ATTR, None)


def public(endpoint: E) -> E:
    """Anyone may call it (login, health checks)."""
    setattr(endpoint, PERMISSION_ATTR, PUBLIC)
    return endpoint


def authenticated(endpoint: E) -> E:
    """Any signed-in actor may call it; the endpoint acts only on the actor's own data."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
        if current_actor().kind not in ("user", "platform"):
            raise Unauthenticated("Sign in, or send a valid bearer token.")
        return await endpoint(request, *args, **kwargs)

    setattr(wrapper, PERMISSION_ATTR, AUTHENTICATED)
    return wrapper  # type: ignore[return-value]


def requires(action: str, *, unit: UnitResolver | None = None) -> Callable[[E], E]:
    """Allow the call only when the actor holds ``action`` (in ``await unit(request)``).

    Object lookups inside ``unit`` run before the check, so another tenant's id gives 404,
    never 403.
    """

    def decorate(endpoint: E) -> E:
        @functools.wraps(endpoint)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
            from core.authz.api import check_permission

            actor = current_actor()
            if actor.kind not in ("user", "platform"):
                raise Unauthenticated("Sign in, or send a valid bearer token.")
            unit_id = await unit(request) if unit is not None else None
            await check_permission(action, unit_id=unit_id)
            return await endpoint(request, *args, **kwargs)

        setattr(wrapper, PERMISSION_ATTR, action)
        return wrapper  # type: ignore[return-value]

    return decorate
