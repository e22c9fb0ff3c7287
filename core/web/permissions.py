"""Every route declares who may call it: ``@requires(action)``, ``@authenticated``, ``@public``
or (platform console) ``@platform_admin``.

A test walks the route table with :func:`undeclared_routes` and fails on an endpoint with no
declaration. ``requires`` checks the action for the request's actor in the unit that ``unit``
returns (``None`` = tenant-wide).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Host, Mount, Route, WebSocketRoute

from core.context import current_actor
from core.errors import NotFound, PermissionDenied, Unauthenticated

Endpoint = Callable[[Request], Awaitable[Response]]
E = TypeVar("E", bound=Callable[..., Any])
UnitResolver = Callable[[Request], Awaitable[int | None]]

PERMISSION_ATTR = "__congvan_permission__"
PUBLIC = "public"
AUTHENTICATED = "authenticated"
PLATFORM = "platform"


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


def requires(
    action: str, *, unit: UnitResolver | None = None, anywhere: bool = False
) -> Callable[[E], E]:
    """Allow the call only when the actor holds ``action`` (in ``await unit(request)``).

    Object lookups inside ``unit`` run before the check, so another tenant's id gives 404,
    never 403. ``anywhere=True`` is for directory-like reads (the org tree, the user list):
    holding ``action`` in any unit is enough; ``unit`` still runs first for its 404s.
    """

    def decorate(endpoint: E) -> E:
        @functools.wraps(endpoint)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
            from core.authz.api import check_permission

            actor = current_actor()
            if actor.kind not in ("user", "platform"):
                raise Unauthenticated("Sign in, or send a valid bearer token.")
            unit_id = await unit(request) if unit is not None else None
            if anywhere:
                await check_anywhere(action)
            else:
                await check_permission(action, unit_id=unit_id)
            return await endpoint(request, *args, **kwargs)

        setattr(wrapper, PERMISSION_ATTR, action)
        return wrapper  # type: ignore[return-value]

    return decorate


async def check_anywhere(action: str) -> None:
    """Raise unless the current actor holds ``action`` in at least one unit of the tenant."""
    from core.authz.api import user_permissions

    actor = current_actor()
    if actor.kind == "system":
        return
    if actor.kind == "user" and actor.id is not None and action in await user_permissions(actor.id):
        return
    raise PermissionDenied(action, f"Missing permission: {action} (in any unit)")


def platform_admin(endpoint: E) -> E:
    """Only a signed-in platform administrator (vendor operator) may call it."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
        if current_actor().kind != "platform":
            raise Unauthenticated("Sign in as a platform administrator, or send a platform token.")
        return await endpoint(request, *args, **kwargs)

    setattr(wrapper, PERMISSION_ATTR, PLATFORM)
    return wrapper  # type: ignore[return-value]


def tenant_page(endpoint: E) -> E:
    """A page of tenant hosts only: 404 on the platform host, before any permission check (so
    the console never tells which tenant pages exist). Put it above ``@requires``; it keeps the
    declared permission (``functools.wraps`` copies it)."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.scope.get("congvan.platform"):
            raise NotFound(f"No page at {request.method} {request.url.path}.")
        return await endpoint(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def undeclared_routes(routes: Iterable[BaseRoute], prefix: str = "") -> list[str]:
    """``METHODS /path`` of every endpoint that declares no permission, recursing into mounts.

    A mount without sub-routes (static files) counts when its app itself is declared.
    """
    missing: list[str] = []
    for route in routes:
        if isinstance(route, Route):
            if permission_of(route.endpoint) is None:
                methods = ",".join(sorted(route.methods or ())) or "ANY"
                missing.append(f"{methods} {prefix}{route.path}")
        elif isinstance(route, WebSocketRoute):
            if permission_of(route.endpoint) is None:
                missing.append(f"WEBSOCKET {prefix}{route.path}")
        elif isinstance(route, Mount):
            if route.routes:
                missing.extend(undeclared_routes(route.routes, prefix + route.path))
            elif permission_of(route.app) is None:
                missing.append(f"MOUNT {prefix}{route.path}")
        elif isinstance(route, Host):
            missing.extend(undeclared_routes(route.routes, prefix))
        else:
            missing.append(f"{type(route).__name__} {prefix}{getattr(route, 'path', '?')}")
    return missing
