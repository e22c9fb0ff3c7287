"""Tree order of units: each unit after its parent, siblings by sort order, name and id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.units.models import Unit

TreeKey = tuple[tuple[int, str, int], ...]
UNIT_FIELDS = (
    "id", "code", "name", "short_name", "kind", "parent_id", "path", "level",
    "organ_id", "organ_id_v2", "is_active", "sort_order",
)  # fmt: skip


def tree_keys(units: Sequence[Any]) -> dict[int, TreeKey]:
    """Sort keys of tree order (each unit after its parent, siblings by sort order, name, id)
    for units given as models or as rows (dicts); keys stay valid between API pages."""

    def get(unit: Any, name: str) -> Any:
        return unit[name] if isinstance(unit, dict) else getattr(unit, name)

    by_id = {get(unit, "id"): unit for unit in units}
    keys: dict[int, TreeKey] = {}
    for unit in units:
        ids = [int(part) for part in get(unit, "path").strip("/").split("/") if part]
        nodes = [by_id.get(i, unit) for i in ids] or [unit]
        keys[get(unit, "id")] = tuple(
            (get(n, "sort_order"), get(n, "name").casefold(), get(n, "id")) for n in nodes
        )
    return keys


async def list_units(*, include_inactive: bool = True) -> list[Unit]:
    """Every unit in tree order: each unit before its children, siblings by sort order and name."""
    units = await Unit.all()
    keys = tree_keys(units)
    ordered = sorted(units, key=lambda unit: keys[unit.id])
    return ordered if include_inactive else [u for u in ordered if u.is_active]


async def unit_rows(*, include_inactive: bool = True) -> list[dict[str, Any]]:
    """:func:`list_units` as plain rows of :data:`UNIT_FIELDS`: for read-only listings, which
    need no model objects (building them dominates the cost of a large list)."""
    query = Unit.all() if include_inactive else Unit.filter(is_active=True)
    rows = [dict(row) for row in await query.values(*UNIT_FIELDS)]
    keys = tree_keys(rows)
    return sorted(rows, key=lambda row: keys[row["id"]])
