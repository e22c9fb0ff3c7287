"""The unit tree: list, create, read and change units (move, rename, deactivate)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from core.authz.api import check_permission
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput
from core.units import services
from core.web.api.ids import Id
from core.web.api.operations import ApiRouter
from core.web.api.pagination import Page, PageQuery, paginate
from core.web.api.resolvers import body_unit, path_unit
from core.web.permissions import requires

api = ApiRouter("units")
VIEW = "core.units.view"
MANAGE = "core.units.manage"
REQUIRED_FIELDS = ("code", "name", "short_name", "kind", "sort_order", "is_active")


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: Id | None
    path: str
    level: int
    organ_id: str | None
    organ_id_v2: str | None
    is_active: bool
    sort_order: int


class UnitQuery(PageQuery):
    include_inactive: bool = Field(True, description="Include deactivated units.")


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=300)
    parent_id: Id | None = None
    short_name: str = Field("", max_length=30)
    kind: str = "agency"
    organ_id: str | None = Field(None, max_length=13)
    organ_id_v2: str | None = Field(None, max_length=35)
    sort_order: int = 0


class UnitPatch(BaseModel):
    """Only the fields sent change; ``parent_id`` moves the unit (null: to the root)."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=300)
    short_name: str | None = Field(None, max_length=30)
    kind: str | None = None
    organ_id: str | None = Field(None, max_length=13)
    organ_id_v2: str | None = Field(None, max_length=35)
    sort_order: int | None = None
    parent_id: Id | None = None
    is_active: bool | None = None


@api.get(
    "/units",
    summary="List units in tree order",
    permission=requires(VIEW, anywhere=True),
    query=UnitQuery,
    response=Page[UnitOut],
)
async def list_units(request: Request, query: UnitQuery) -> Page[UnitOut]:
    rows = await services.unit_rows(include_inactive=query.include_inactive)
    keys = services.tree_keys(rows)
    page, cursor = paginate(rows, query, key=lambda row: keys[row["id"]])
    return Page[UnitOut](items=[UnitOut.model_validate(row) for row in page], next_cursor=cursor)


@api.post(
    "/units",
    summary="Create a unit",
    permission=requires(MANAGE, unit=body_unit("parent_id")),
    body=UnitCreate,
    response=UnitOut,
    status=201,
)
async def create_unit(request: Request, body: UnitCreate) -> UnitOut:
    """Needs core.units.manage in the parent unit (tenant-wide for a root unit)."""
    unit = await services.create_unit(**body.model_dump())
    return UnitOut.model_validate(unit)


@api.get(
    "/units/{unit_id:int}",
    summary="One unit",
    permission=requires(VIEW, unit=path_unit, anywhere=True),
    response=UnitOut,
)
async def get_unit(request: Request, unit_id: int) -> UnitOut:
    return UnitOut.model_validate(await services.get_unit(unit_id))


@api.patch(
    "/units/{unit_id:int}",
    summary="Change, move, deactivate or reactivate a unit",
    permission=requires(MANAGE, unit=path_unit),
    body=UnitPatch,
    response=UnitOut,
)
async def patch_unit(request: Request, unit_id: int, body: UnitPatch) -> UnitOut:
    """Needs core.units.manage in the unit; a move needs it in the new parent too.

    Every value is checked before anything changes; then the fields change, the unit moves
    and its active flag flips, in that order, in one transaction (each step is audited).
    """
    sent = body.model_dump(exclude_unset=True)
    nulls = {name: "must not be null" for name in REQUIRED_FIELDS if sent.get(name, 0) is None}
    if nulls:
        raise InvalidInput(f"Invalid body: {', '.join(nulls)} must not be null.", nulls)
    unit: Any = await services.get_unit(unit_id)
    moving = "parent_id" in sent and sent["parent_id"] != unit.parent_id
    new_parent = sent.pop("parent_id", None)
    active = sent.pop("is_active", None)
    await _precheck(unit, sent, new_parent if moving else None)
    if moving and new_parent is not None:
        await check_permission(MANAGE, unit_id=new_parent)
    async with atomic():
        if sent:
            unit = await services.update_unit(unit_id, **sent)
        if moving:
            unit = await services.move_unit(unit_id, new_parent)
        if active is False and unit.is_active:
            await services.deactivate_unit(unit_id)
        elif active is True and not unit.is_active:
            await services.activate_unit(unit_id)
    return UnitOut.model_validate(await services.get_unit(unit_id))


async def _precheck(unit: Any, fields: dict[str, Any], new_parent: int | None) -> None:
    """The unit service's own checks, run before the first change is made."""
    cleaners: dict[str, Any] = {
        "code": services.clean_code,
        "name": services.clean_name,
        "short_name": services.clean_short_name,
        "kind": services.clean_kind,
    }
    for name, clean in cleaners.items():
        if name in fields:
            clean(fields[name])
    if "code" in fields:
        other = await services.get_unit_by_code(fields["code"])
        if other is not None and other.id != unit.id:
            raise Conflict(f"Another unit already has the code {fields['code']!r}.")
    if new_parent is not None:
        parent = await services.get_unit(new_parent)
        if parent.path.startswith(unit.path):
            raise InvalidInput(
                f"Unit {unit.id} cannot move under unit {new_parent}, which is inside it.",
                {"parent_id": "inside the unit being moved"},
            )
