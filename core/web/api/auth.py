"""Sign-in for API clients and the signed-in user's own data: token, me, my tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from core.authz.api import user_permissions
from core.platform.services import authenticate_platform, create_platform_token
from core.users import services as users
from core.users.auth import authenticate
from core.users.tokens import create_token, list_tokens, revoke_token
from core.web.api.ids import Id
from core.web.api.operations import ApiRouter
from core.web.api.pagination import Page, PageQuery, paginate
from core.web.permissions import authenticated, public
from core.web.state import client_address, current_user_id, is_platform, settings_of

api = ApiRouter("auth")
TOKEN_NAME = "api-login"


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown once.")
    expires_at: datetime | None


class PositionOut(BaseModel):
    unit_id: Id
    unit_code: str
    unit_name: str
    title: str
    is_primary: bool


class MeOut(BaseModel):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    positions: list[PositionOut]
    permissions: dict[str, list[str]] = Field(
        description="Action → the unit scopes where the user holds it."
    )


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class NewTokenOut(ApiTokenOut):
    token: str = Field(description="The token itself; shown only in this response.")


@api.post(
    "/auth/token",
    summary="Exchange a username and password for a bearer token",
    permission=public,
    body=TokenRequest,
    response=TokenOut,
    side="any",
)
async def issue_token(request: Request, body: TokenRequest) -> TokenOut:
    """On a tenant host for the tenant's users; on the platform host for platform admins.

    Failed attempts are rate-limited per account and per address (429 with Retry-After).
    """
    settings = settings_of(request)
    days = settings.api_token_days
    address = client_address(request)
    if is_platform(request):
        admin = await authenticate_platform(
            body.username, body.password, address=address, settings=settings
        )
        ptoken, plaintext = await create_platform_token(admin.id, TOKEN_NAME, expires_in_days=days)
        return TokenOut(token=plaintext, expires_at=ptoken.expires_at)
    user = await authenticate(body.username, body.password, address=address, settings=settings)
    token, plaintext = await create_token(user.id, TOKEN_NAME, expires_in_days=days)
    return TokenOut(token=plaintext, expires_at=token.expires_at)


@api.get(
    "/me",
    summary="The signed-in user, positions and permissions",
    permission=authenticated,
    response=MeOut,
)
async def me(request: Request) -> MeOut:
    user = await users.get_user(current_user_id())
    return MeOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        phone=user.phone,
        positions=await positions_of(user.id),
        permissions=await user_permissions(user.id),
    )


async def positions_of(user_id: int) -> list[PositionOut]:
    """The user's positions with their units, the primary one first."""
    positions = await users.user_positions(user_id)
    units = {unit.id: unit for unit in await users.user_units(user_id)}
    out = []
    for position in positions:
        unit: Any = units.get(position.unit_id)  # type: ignore[attr-defined]
        if unit is not None:
            out.append(
                PositionOut(
                    unit_id=unit.id,
                    unit_code=unit.code,
                    unit_name=unit.name,
                    title=position.title,
                    is_primary=position.is_primary,
                )
            )
    return out


@api.get(
    "/me/tokens",
    summary="My API tokens",
    permission=authenticated,
    query=PageQuery,
    response=Page[ApiTokenOut],
)
async def my_tokens(request: Request, query: PageQuery) -> Page[ApiTokenOut]:
    tokens = await list_tokens(current_user_id())
    page, cursor = paginate(tokens, query, key=lambda t: (t.id,))
    return Page[ApiTokenOut](
        items=[ApiTokenOut.model_validate(t) for t in page], next_cursor=cursor
    )


@api.post(
    "/me/tokens",
    summary="Create an API token",
    permission=authenticated,
    body=NewToken,
    response=NewTokenOut,
    status=201,
)
async def create_my_token(request: Request, body: NewToken) -> NewTokenOut:
    token, plaintext = await create_token(
        current_user_id(), body.name, expires_in_days=body.expires_in_days
    )
    return NewTokenOut(**ApiTokenOut.model_validate(token).model_dump(), token=plaintext)


@api.delete(
    "/me/tokens/{token_id:int}",
    summary="Revoke one of my API tokens",
    permission=authenticated,
    status=204,
)
async def revoke_my_token(request: Request, token_id: int) -> None:
    await revoke_token(token_id, user_id=current_user_id())
