"""``/api/v1/registry/registries``: registries of the units the caller may see or manage.

Permissions are checked in the registry's unit. The registry (or the unit named in the
body) is looked up first, so another tenant's id answers 404, never 403.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import NotFound, api_doc, has_permission, read_json, requires
from plugins.registry.actions import REGISTRIES_MANAGE, REGISTRIES_VIEW
from plugins.registry.api import (
    MAX_ID,
    decode_cursor,
    encode_cursor,
    parse_body,
    parse_query,
    path_id,
    respond,
)
from plugins.registry.schemas import RegistryCreate, RegistryPatch, RegistryQuery
from plugins.registry.schemas_responses import RegistryOut, RegistryPageOut
from plugins.registry.services import registries
from plugins.registry.units import get_unit


async def registry_unit(request: Request) -> int:
    """The unit of the registry ``{registry_id}`` (404 for an unknown one)."""
    registry = await registries.get_registry(path_id(request, "registry_id"))
    return registry.unit_id


async def body_unit(request: Request) -> int | None:
    """The unit named by ``unit_id`` in the JSON body (404 for an unknown one); a missing or
    malformed value checks tenant-wide and is left to the body model's 422."""
    data = await read_json(request)
    value: Any = data.get("unit_id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    return (await get_unit(value)).id


def _sort_key(item: dict[str, Any]) -> list[Any]:
    return [item["unit_id"], item["direction"], item["name"], item["id"]]


@api_doc("List registries", query=RegistryQuery, response=RegistryPageOut)
@requires(REGISTRIES_VIEW, anywhere=True)
async def list_registries(request: Request) -> Response:
    """List the registries of the units where the caller holds registry.registries.view."""
    query = parse_query(request, RegistryQuery)
    views = await registries.list_registries(
        unit_id=query.unit_id, direction=query.direction, include_inactive=query.include_inactive
    )
    allowed: dict[int, bool] = {}
    items = []
    for view in views:
        unit_id = view.registry.unit_id
        if unit_id not in allowed:
            try:
                allowed[unit_id] = await has_permission(REGISTRIES_VIEW, unit_id=unit_id)
            except NotFound:  # the unit is gone from the tree
                allowed[unit_id] = False
        if allowed[unit_id]:
            items.append(view.as_dict())
    if query.cursor is not None:
        position = decode_cursor(query.cursor, (int, str, str, int))
        items = [item for item in items if _sort_key(item) > position]
    page = items[: query.limit]
    more = len(items) > query.limit
    cursor = encode_cursor(_sort_key(page[-1])) if more and page else None
    return respond({"items": page, "next_cursor": cursor})


@api_doc("Create a registry", body=RegistryCreate, response=RegistryOut, status=201, errors=[409])
@requires(REGISTRIES_MANAGE, unit=body_unit)
async def create_registry(request: Request) -> Response:
    """Create a registry of a unit (needs registry.registries.manage in that unit)."""
    body = await parse_body(request, RegistryCreate)
    values = body.model_dump()
    view = await registries.create_registry(
        values.pop("unit_id"), values.pop("direction"), values.pop("name"), **values
    )
    return respond(view.as_dict(), status=201)


@api_doc("Get a registry", response=RegistryOut)
@requires(REGISTRIES_VIEW, unit=registry_unit)
async def get_registry(request: Request) -> Response:
    """One registry."""
    view = await registries.get_registry_view(path_id(request, "registry_id"))
    return respond(view.as_dict())


@api_doc("Change a registry", body=RegistryPatch, response=RegistryOut, errors=[409])
@requires(REGISTRIES_MANAGE, unit=registry_unit)
async def update_registry(request: Request) -> Response:
    """Change a registry: name, document types, numbering scope, notation, active flag."""
    body = await parse_body(request, RegistryPatch)
    view = await registries.update_registry(
        path_id(request, "registry_id"), **body.model_dump(exclude_unset=True)
    )
    return respond(view.as_dict())


@api_doc("Delete an unused registry", status=204, errors=[409])
@requires(REGISTRIES_MANAGE, unit=registry_unit)
async def delete_registry(request: Request) -> Response:
    """Delete a registry that has never given a number (409 otherwise: deactivate it)."""
    await registries.delete_registry(path_id(request, "registry_id"))
    return Response(status_code=204)
