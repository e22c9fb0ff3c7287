"""The platform API (base domain only): tenants for the vendor operator."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from core.context import TenantInfo
from core.tenancy import services
from core.web.api.operations import ApiRouter
from core.web.api.pagination import Page, PageQuery, paginate
from core.web.permissions import platform_admin

api = ApiRouter("platform", side="platform")


class TenantSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    status: str
    domains: list[str]
    users: int
    units: int
    plugins: list[str]


class TenantOut(BaseModel):
    id: int
    slug: str
    name: str
    status: str
    theme: str
    domains: list[str]
    plugins: list[str]


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=1, max_length=63)
    name: str = Field(min_length=1, max_length=200)
    domains: list[str] = Field(default_factory=list)
    theme: str = "default"
    plugins: list[str] | None = Field(None, description="Plugins to enable (default: all).")
    admin_username: str | None = Field(None, max_length=150)
    admin_password: str | None = Field(None, max_length=1024)
    admin_full_name: str = Field("", max_length=200)


def tenant_out(info: TenantInfo) -> TenantOut:
    return TenantOut(
        id=info.id,
        slug=info.slug,
        name=info.name,
        status=info.status,
        theme=info.theme,
        domains=list(info.domains),
        plugins=sorted(info.enabled_plugins),
    )


@api.get(
    "/platform/tenants",
    summary="List tenants",
    permission=platform_admin,
    query=PageQuery,
    response=Page[TenantSummaryOut],
)
async def list_tenants(request: Request, query: PageQuery) -> Page[TenantSummaryOut]:
    page, cursor = paginate(await services.list_tenants(), query, key=lambda t: (t.slug,))
    return Page[TenantSummaryOut](
        items=[TenantSummaryOut.model_validate(t) for t in page], next_cursor=cursor
    )


@api.post(
    "/platform/tenants",
    summary="Create a tenant",
    permission=platform_admin,
    body=TenantCreate,
    response=TenantOut,
    status=201,
)
async def create_tenant(request: Request, body: TenantCreate) -> TenantOut:
    data = body.model_dump()
    info = await services.create_tenant(data.pop("slug"), data.pop("name"), **data)
    return tenant_out(info)


@api.get(
    "/platform/tenants/{slug}", summary="One tenant", permission=platform_admin, response=TenantOut
)
async def get_tenant(request: Request, slug: str) -> TenantOut:
    return tenant_out(await services.get_tenant(slug))


@api.post(
    "/platform/tenants/{slug}/suspend",
    summary="Suspend a tenant (its hosts answer 403)",
    permission=platform_admin,
    response=TenantOut,
)
async def suspend(request: Request, slug: str) -> TenantOut:
    return tenant_out(await services.suspend_tenant(slug))


@api.post(
    "/platform/tenants/{slug}/resume",
    summary="Resume a suspended tenant",
    permission=platform_admin,
    response=TenantOut,
)
async def resume(request: Request, slug: str) -> TenantOut:
    return tenant_out(await services.resume_tenant(slug))
