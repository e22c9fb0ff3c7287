"""The records list (danh mục hồ sơ): the records the current actor may see, filtered.

Visible records are those of :func:`services.records.can_view`: the actor's own, and every
record of the agency units where they hold ``registry.registries.view``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from core import current_actor
from plugins.registry.actions import REGISTRIES_VIEW
from plugins.registry.models_records import Record
from plugins.registry.services.records import NOTHING, allowed


async def record_visibility() -> Q:
    """The filter of the records the current actor may see."""
    actor = current_actor()
    if actor.kind == "system":
        return Q()
    if actor.kind != "user" or actor.id is None:
        return NOTHING
    units: list[Any] = list(await Record.all().distinct().values_list("unit_id", flat=True))
    granted = [int(u) for u in units if await allowed(REGISTRIES_VIEW, int(u))]
    visible = Q(creator_id=actor.id)
    if granted:
        visible |= Q(unit_id__in=granted)
    return visible


@dataclass(frozen=True)
class RecordFilters:
    unit_id: int | None = None
    year: int | None = None
    status: str | None = None
    retention: str | None = None
    handler_unit_id: int | None = None
    q: str | None = None


async def list_records(
    filters: RecordFilters, *, after: tuple[int, int, int] | None = None, limit: int | None = None
) -> list[Record]:
    """The visible records, by agency unit, year and number (a records list of a year when
    ``year`` is given); ``after`` is the ``(unit_id, year, number)`` keyset position."""
    query = Record.filter(await record_visibility())
    if filters.unit_id is not None:
        query = query.filter(unit_id=filters.unit_id)
    if filters.year is not None:
        query = query.filter(year=filters.year)
    if filters.status is not None:
        query = query.filter(status=filters.status)
    if filters.retention is not None:
        query = query.filter(retention__code=filters.retention)
    if filters.handler_unit_id is not None:
        query = query.filter(handler_unit_id=filters.handler_unit_id)
    if filters.q:
        query = query.filter(title__icontains=filters.q.strip())
    if after is not None:
        unit, year, number = after
        query = query.filter(
            Q(unit_id__gt=unit)
            | Q(unit_id=unit, year__gt=year)
            | Q(unit_id=unit, year=year, number__gt=number)
        )
    query = query.order_by("unit_id", "year", "number")  # unique per tenant
    if limit is not None:
        query = query.limit(limit)
    return list(await query)
