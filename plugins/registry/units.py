"""Read the core's unit tree through the public raw-SQL helper (tenant-filtered, RLS-guarded).

The plugin keeps plain unit ids (no foreign key into the core's tables) and reads what it
needs — names, short names, the materialised path — with ``core.fetch_tenant_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import NotFound, fetch_tenant_rows


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    short_name: str
    path: str
    is_active: bool

    @property
    def abbreviation(self) -> str:
        """What stands for the unit in a notation: its short name, else its code."""
        return (self.short_name or self.code).strip()

    def contains(self, other: UnitRef) -> bool:
        """Whether ``other`` is this unit or lies below it in the tree."""
        return other.path.startswith(self.path)


async def find_unit(unit_id: int) -> UnitRef | None:
    rows = await fetch_tenant_rows(
        "SELECT id, code, name, short_name, path, is_active FROM core_unit "
        "WHERE {tenant} AND id = $2",
        [unit_id],
    )
    if not rows:
        return None
    row = rows[0]
    return UnitRef(
        id=int(row["id"]),
        code=str(row["code"]),
        name=str(row["name"]),
        short_name=str(row["short_name"] or ""),
        path=str(row["path"]),
        is_active=bool(row["is_active"]),
    )


async def get_unit(unit_id: int) -> UnitRef:
    """The unit ``unit_id`` of the current tenant; NotFound when there is none."""
    unit = await find_unit(unit_id)
    if unit is None:
        raise NotFound(f"No unit with id {unit_id} in this tenant.")
    return unit


async def position_units(user_id: int) -> list[int]:
    """The units where ``user_id`` holds a position (``core_position``)."""
    rows = await fetch_tenant_rows(
        "SELECT unit_id FROM core_position WHERE {tenant} AND user_id = $2", [user_id]
    )
    return [int(r["unit_id"]) for r in rows]
