"""``GET /api/v1/openapi.json``: the document for the side of the host that asks.

A tenant host documents the tenant API and the routes of the plugins that tenant has enabled;
the platform host documents the platform API. Documents are cached per enabled-plugin set.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from core.web.api.openapi import openapi_document
from core.web.api.operations import ApiRouter
from core.web.permissions import public
from core.web.state import is_platform

api = ApiRouter("meta", side="any")
TITLE = "Congvan API"
VERSION = "1"


@api.get(
    "/openapi.json", summary="This OpenAPI document", permission=public, response=dict[str, Any]
)
async def openapi(request: Request) -> Response:
    from core.web.api.routers import operations

    platform = is_platform(request)
    tenant = request.scope.get("congvan.tenant")
    enabled = frozenset(tenant.enabled_plugins) if tenant is not None else frozenset()
    cache: dict[Any, dict[str, Any]] = request.app.state.openapi_cache
    key = ("platform",) if platform else ("tenant", enabled)
    document = cache.get(key)
    if document is None:
        sides = ("platform", "any") if platform else ("tenant", "any")
        plugin_routes: list[tuple[str, BaseRoute]] = [
            (name, route)
            for name, route in request.app.state.plugin_routes
            if not platform and (name in enabled or name in request.app.state.host.essential)
        ]
        document = openapi_document(
            [op for op in operations() if op.side in sides],
            title=TITLE + (" — platform" if platform else ""),
            version=VERSION,
            plugin_routes=plugin_routes,
        )
        cache[key] = document
    return JSONResponse(document)
