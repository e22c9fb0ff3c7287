"""Every API area's router, collected: the operations and routes of `/api/v1`."""

from __future__ import annotations

from starlette.routing import Route

from core.web.api import audit, auth, docs, platform, plugins, roles, units, users
from core.web.api.operations import ApiRouter, Operation

ROUTERS: tuple[ApiRouter, ...] = (
    auth.api,
    units.api,
    users.api,
    roles.api,
    plugins.api,
    audit.api,
    platform.api,
    docs.api,
)


def operations() -> list[Operation]:
    return [op for router in ROUTERS for op in router.operations]


def api_routes() -> list[Route]:
    return [route for router in ROUTERS for route in router.routes()]
