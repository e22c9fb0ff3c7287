"""Actions, roles composed of them, and grants of roles to users in units."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request

from core.authz import grants, roles
from core.authz.api import user_permissions
from core.context import current_actor
from core.users.services import get_user
from core.web.api.ids import Id
from core.web.api.operations import ApiRouter, invalid, read_json
from core.web.api.pagination import Page, PageQuery, paginate
from core.web.api.resolvers import body_or_query_unit, body_unit
from core.web.permissions import requires
from core.web.state import current_user_id

api = ApiRouter("roles")
ROLES_VIEW = "core.roles.view"
ROLES_MANAGE = "core.roles.manage"
GRANTS_MANAGE = "core.grants.manage"


class ActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    title: str
    description: str


class ActionList(BaseModel):
    items: list[ActionOut]


class RoleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    description: str
    is_system: bool
    actions: list[str]


class RoleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=63)
    name: str = Field(min_length=1, max_length=200)
    actions: list[str]
    description: str = ""


class RolePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    actions: list[str] | None = None


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: Id
    role_key: str
    unit_id: Id | None = Field(description="null: tenant-wide.")
    descendants: bool
    domain: str = Field(description="The scope pattern: *, /3/7/ or /3/7/*.")


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: Id
    role_key: str = Field(min_length=1, max_length=63)
    unit_id: Id | None = Field(None, description="The unit the grant is scoped to.")
    descendants: bool = Field(False, description="Also in every unit below it.")


class GrantQuery(PageQuery):
    user_id: Id | None = None


@api.get(
    "/actions",
    summary="Actions of the enabled plugins",
    permission=requires(ROLES_VIEW, anywhere=True),
    response=ActionList,
)
async def list_actions(request: Request) -> ActionList:
    actions = roles.list_actions(enabled_only=True)
    return ActionList(items=[ActionOut.model_validate(a) for a in actions])


@api.get(
    "/roles",
    summary="List roles",
    permission=requires(ROLES_VIEW, anywhere=True),
    query=PageQuery,
    response=Page[RoleOut],
)
async def list_roles(request: Request, query: PageQuery) -> Page[RoleOut]:
    page, cursor = paginate(await roles.list_roles(), query, key=lambda r: (r.key,))
    return Page[RoleOut](items=[RoleOut.model_validate(r) for r in page], next_cursor=cursor)


@api.post(
    "/roles",
    summary="Create a role from actions",
    permission=requires(ROLES_MANAGE),
    body=RoleCreate,
    response=RoleOut,
    status=201,
)
async def create_role(request: Request, body: RoleCreate) -> RoleOut:
    await roles.create_role(body.key, body.name, body.actions, description=body.description)
    role = await roles.get_role(body.key)
    return RoleOut.model_validate(role)


@api.patch(
    "/roles/{key}",
    summary="Rename a role or change its actions",
    permission=requires(ROLES_MANAGE),
    body=RolePatch,
    response=RoleOut,
)
async def patch_role(request: Request, key: str, body: RolePatch) -> RoleOut:
    role = await roles.update_role(key, **body.model_dump(exclude_unset=True))
    return RoleOut.model_validate(role)


@api.delete("/roles/{key}", summary="Delete a role", permission=requires(ROLES_MANAGE), status=204)
async def delete_role(request: Request, key: str) -> None:
    await roles.delete_role(key)


@api.get(
    "/grants",
    summary="List role grants",
    permission=requires(GRANTS_MANAGE, anywhere=True),
    query=GrantQuery,
    response=Page[GrantOut],
)
async def list_grants(request: Request, query: GrantQuery) -> Page[GrantOut]:
    if query.user_id is not None:
        await get_user(query.user_id)
    items = await visible_grants(await grants.list_grants(user_id=query.user_id))
    page, cursor = paginate(
        items, query, key=lambda g: (g.user_id, g.role_key, g.unit_id or 0, g.descendants)
    )
    return Page[GrantOut](items=[GrantOut.model_validate(g) for g in page], next_cursor=cursor)


async def visible_grants(items: list[Any]) -> list[Any]:
    """The grants inside the scopes where the actor itself may manage grants."""
    actor = current_actor()
    if actor.kind == "system":
        return items
    held = (await user_permissions(current_user_id())).get(GRANTS_MANAGE, [])
    return [g for g in items if any(grants.covers(h, g.domain) for h in held)]


@api.post(
    "/grants",
    summary="Grant a role to a user in a unit",
    permission=requires(GRANTS_MANAGE, unit=body_unit("unit_id")),
    body=GrantIn,
    response=GrantOut,
    status=201,
)
async def grant(request: Request, body: GrantIn) -> GrantOut:
    """Needs core.grants.manage in the unit of the grant."""
    await get_user(body.user_id)
    view = await grants.grant_role(
        body.user_id, body.role_key, unit_id=body.unit_id, descendants=body.descendants
    )
    return GrantOut.model_validate(view)


@api.delete(
    "/grants",
    summary="Revoke a role grant",
    permission=requires(GRANTS_MANAGE, unit=body_or_query_unit("unit_id")),
    status=204,
)
async def revoke(request: Request) -> None:
    """Name the grant in a JSON body (as for POST) or in query parameters
    (``?user_id=…&role_key=…&unit_id=…&descendants=…``)."""
    data = await read_json(request)
    where = "body"
    if data == {}:
        data, where = dict(request.query_params), "query parameters"
    try:
        body = GrantIn.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc, where) from None
    await get_user(body.user_id)
    await grants.revoke_role(
        body.user_id, body.role_key, unit_id=body.unit_id, descendants=body.descendants
    )
