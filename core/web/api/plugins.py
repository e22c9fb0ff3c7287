"""The tenant's plugins: which are installed, enabled, and their settings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request

from core.errors import NotFound
from core.tenancy import plugins as tenant_plugins
from core.web.api.operations import ApiRouter
from core.web.permissions import requires

api = ApiRouter("plugins")
MANAGE = "core.plugins.manage"


class PluginOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    title: str
    version: str
    description: str
    enabled: bool
    essential: bool
    settings: dict[str, Any]
    settings_schema: dict[str, Any] | None


class PluginList(BaseModel):
    items: list[PluginOut]


class PluginPatch(BaseModel):
    """``settings`` are validated by the plugin's settings model (422 names the field)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    settings: dict[str, Any] | None = None


@api.get(
    "/plugins",
    summary="Installed plugins and their state for this tenant",
    permission=requires(MANAGE),
    response=PluginList,
)
async def list_plugins(request: Request) -> PluginList:
    views = await tenant_plugins.list_tenant_plugins()
    return PluginList(items=[PluginOut.model_validate(v) for v in views])


@api.patch(
    "/plugins/{name}",
    summary="Enable, disable or configure a plugin",
    permission=requires(MANAGE),
    body=PluginPatch,
    response=PluginOut,
)
async def patch_plugin(request: Request, name: str, body: PluginPatch) -> PluginOut:
    """Settings are saved first, so a plugin can be configured and enabled in one call; an
    invalid setting changes nothing."""
    views = {v.name: v for v in await tenant_plugins.list_tenant_plugins()}
    view = views.get(name)
    if view is None:
        raise NotFound(f"No plugin named {name!r} is installed.")
    if body.settings is not None:
        view = await tenant_plugins.configure_plugin(name, body.settings)
    if body.enabled is True and not view.enabled:
        view = await tenant_plugins.enable_plugin(name)
    elif body.enabled is False and view.enabled:
        view = await tenant_plugins.disable_plugin(name)
    return PluginOut.model_validate(view)
