"""Unit resolvers for ``requires(action, unit=…)``: where in the tree a request acts.

Each resolver looks the object up first (through tenant-scoped services), so another tenant's
id answers 404 before any permission is checked, never 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request

from core.units.services import get_unit
from core.web.api.ids import MAX_ID
from core.web.api.operations import read_json

UnitResolver = Callable[[Request], Awaitable[int | None]]


async def path_unit(request: Request) -> int:
    """The unit named by ``{unit_id}`` in the path."""
    unit = await get_unit(int(request.path_params["unit_id"]))
    return int(unit.id)


async def existing_unit(value: Any) -> int | None:
    """``value`` as the id of a unit of this tenant (404 otherwise); non-ids give ``None``.

    A value of the wrong type is left to the body model, which answers 422 for it.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    unit = await get_unit(value)
    return int(unit.id)


def body_unit(field: str) -> UnitResolver:
    """The unit whose id the JSON body holds in ``field`` (``None``: tenant-wide)."""

    async def resolve(request: Request) -> int | None:
        data = await read_json(request)
        return await existing_unit(data.get(field) if isinstance(data, dict) else None)

    return resolve


def body_or_query_unit(field: str) -> UnitResolver:
    """Like :func:`body_unit`, falling back to the query string (DELETE with parameters)."""

    async def resolve(request: Request) -> int | None:
        data = await read_json(request)
        value: Any = data.get(field) if isinstance(data, dict) else None
        if value is None and field in request.query_params:
            raw = request.query_params[field]
            value = int(raw) if raw.isascii() and raw.isdigit() else None
        return await existing_unit(value)

    return resolve
