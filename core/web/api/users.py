"""Users of the tenant: list, create, read, change (incl. password reset), positions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from core.db.connection import atomic
from core.errors import InvalidInput
from core.users import services
from core.users.passwords import check_password_policy
from core.web.api.auth import PositionOut, positions_of
from core.web.api.ids import Id
from core.web.api.operations import ApiRouter
from core.web.api.pagination import Page, PageQuery, after_id, keyset_page
from core.web.api.resolvers import body_unit, existing_unit
from core.web.permissions import requires

api = ApiRouter("users")
VIEW = "core.users.view"
MANAGE = "core.users.manage"


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    email: str
    phone: str
    is_active: bool
    last_login_at: datetime | None


class UserDetail(UserOut):
    positions: list[PositionOut]


class UserQuery(PageQuery):
    unit_id: Id | None = Field(None, description="Only users holding a position in this unit.")
    q: str | None = Field(None, max_length=100, description="Part of the username or name.")
    include_inactive: bool = True


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    full_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(None, min_length=1, max_length=1024)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    unit_id: Id | None = None
    position_title: str = Field("", max_length=200)


class UserPatch(BaseModel):
    """Only the fields sent change; ``password`` resets the password (admin reset)."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    is_active: bool | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: Id
    title: str = Field("", max_length=200)
    is_primary: bool = False


async def user_unit(request: Request) -> int | None:
    """The primary unit of the user in the path (404 for another tenant's user)."""
    units = await services.user_units(int(request.path_params["user_id"]))
    return int(units[0].id) if units else None


async def path_user(request: Request) -> None:
    """Only that the user in the path exists here (404 otherwise)."""
    await services.get_user(int(request.path_params["user_id"]))


async def position_unit(request: Request) -> int | None:
    """For position changes: the target unit (the user must exist here too)."""
    await services.get_user(int(request.path_params["user_id"]))
    if "unit_id" in request.path_params:
        return await existing_unit(int(request.path_params["unit_id"]))
    return await body_unit("unit_id")(request)


async def _detail(user: Any) -> UserDetail:
    return UserDetail(
        **UserOut.model_validate(user).model_dump(), positions=await positions_of(user.id)
    )


@api.get(
    "/users",
    summary="List users",
    permission=requires(VIEW, anywhere=True),
    query=UserQuery,
    response=Page[UserOut],
)
async def list_users(request: Request, query: UserQuery) -> Page[UserOut]:
    if query.unit_id is not None:
        await existing_unit(query.unit_id)
    # Paged in the database: a province holds thousands of users.
    users = await services.list_users(
        unit_id=query.unit_id,
        q=query.q or None,
        include_inactive=query.include_inactive,
        after_id=after_id(query),
        limit=query.limit + 1,
    )
    page, cursor = keyset_page(users, query, key=lambda u: u.id)
    return Page[UserOut](items=[UserOut.model_validate(u) for u in page], next_cursor=cursor)


@api.post(
    "/users",
    summary="Create a user",
    permission=requires(MANAGE, unit=body_unit("unit_id")),
    body=UserCreate,
    response=UserDetail,
    status=201,
)
async def create_user(request: Request, body: UserCreate) -> UserDetail:
    """Needs core.users.manage in ``unit_id`` (tenant-wide without one)."""
    data = body.model_dump()
    user = await services.create_user(data.pop("username"), data.pop("full_name"), **data)
    return await _detail(user)


@api.get(
    "/users/{user_id:int}",
    summary="One user with positions",
    permission=requires(VIEW, unit=path_user, anywhere=True),
    response=UserDetail,
)
async def get_user(request: Request, user_id: int) -> UserDetail:
    return await _detail(await services.get_user(user_id))


@api.patch(
    "/users/{user_id:int}",
    summary="Change a user or reset the password",
    permission=requires(MANAGE, unit=user_unit),
    body=UserPatch,
    response=UserDetail,
)
async def patch_user(request: Request, user_id: int, body: UserPatch) -> UserDetail:
    sent = body.model_dump(exclude_unset=True)
    nulls = {name: "must not be null" for name, value in sent.items() if value is None}
    if nulls:
        raise InvalidInput(f"Invalid body: {', '.join(nulls)} must not be null.", nulls)
    password = sent.pop("password", None)
    if password is not None:
        user = await services.get_user(user_id)
        check_password_policy(password, username=user.username)
    async with atomic():  # the fields and the password change together or not at all
        if sent:
            await services.update_user(user_id, **sent)
        if password is not None:
            await services.set_password(user_id, password)
    return await _detail(await services.get_user(user_id))


@api.post(
    "/users/{user_id:int}/positions",
    summary="Give a user a position in a unit",
    permission=requires(MANAGE, unit=position_unit),
    body=PositionIn,
    response=UserDetail,
    status=201,
)
async def add_position(request: Request, user_id: int, body: PositionIn) -> UserDetail:
    await services.add_position(user_id, body.unit_id, title=body.title, is_primary=body.is_primary)
    return await _detail(await services.get_user(user_id))


@api.delete(
    "/users/{user_id:int}/positions/{unit_id:int}",
    summary="Remove a user's position",
    permission=requires(MANAGE, unit=position_unit),
    status=204,
)
async def remove_position(request: Request, user_id: int, unit_id: int) -> None:
    await services.remove_position(user_id, unit_id)
