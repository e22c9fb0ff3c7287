"""The tenant's plugins (``/admin/plugins``, ``core.plugins.manage``).

The list shows every installed plugin with its title, description, version and whether it is
enabled for the tenant, with buttons to enable or disable it (essential plugins are always on).
``/admin/plugins/{name}`` is the plugin's settings form, generated from its typed settings
model (:mod:`core.web.admin.settings_form`) and saved through ``configure_plugin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.errors import Conflict, InvalidInput
from core.i18n import gettext as _
from core.i18n import split_bilingual
from core.plugins.manager import get_host
from core.tenancy import plugins as tenant_plugins
from core.tenancy.plugins import TenantPluginView
from core.web.admin.settings_form import (
    initial_values,
    parse_values,
    setting_fields,
    validation_errors,
)
from core.web.flash import redirect
from core.web.forms import (
    FORM_ERROR,
    AlreadySubmitted,
    Form,
    already_submitted,
    read_form,
    submit_once,
)
from core.web.permissions import requires, tenant_page
from core.web.shell import render

MANAGE = "core.plugins.manage"
LIST_URL = "/admin/plugins"


@dataclass(frozen=True)
class PluginRow:
    name: str
    title: str
    description: str
    version: str
    enabled: bool
    essential: bool
    has_settings: bool


def plugin_row(view: TenantPluginView) -> PluginRow:
    return PluginRow(
        name=view.name,
        title=split_bilingual(view.title),
        description=split_bilingual(view.description) if view.description else "",
        version=view.version,
        enabled=view.enabled,
        essential=view.essential,
        has_settings=view.settings_schema is not None,
    )


def settings_model(name: str) -> type[BaseModel] | None:
    return get_host().info(name).settings_model


# ---------------------------------------------------------------------------- list


@tenant_page
@requires(MANAGE)
async def plugin_list(request: Request) -> Response:
    return await render_list(request)


async def render_list(request: Request, *, form: Form | None = None, status: int = 200) -> Response:
    rows = [plugin_row(view) for view in await tenant_plugins.list_tenant_plugins()]
    context: dict[str, Any] = {"plugins": rows, "form": form}
    return await render(request, "core/admin/plugins/list.html", context, status=status)


async def switch(request: Request, enable: bool) -> Response:
    """Enable or disable the plugin of the URL; refusals are shown on the list."""
    view = await tenant_plugins.get_tenant_plugin(request.path_params["name"])
    title = split_bilingual(view.title)
    form = await read_form(request)
    if not form.ok:
        return await render_list(request, form=form, status=form.status)
    if view.essential:
        message = _("Phân hệ %(title)s là phân hệ thiết yếu nên luôn được bật.")
        form.error(FORM_ERROR, message % {"title": title})
        return await render_list(request, form=form, status=409)
    try:
        async with form.once():
            if enable:
                await tenant_plugins.enable_plugin(view.name)
            else:
                await tenant_plugins.disable_plugin(view.name)
    except AlreadySubmitted:
        return already_submitted(request, LIST_URL)
    except Conflict:  # already in that state (another admin, another tab)
        if enable:
            message = _("Phân hệ %(title)s đã được bật từ trước.")
        else:
            message = _("Phân hệ %(title)s đã được tắt từ trước.")
        return redirect(request, LIST_URL, message % {"title": title}, "info")
    if enable:
        message = _("Đã bật phân hệ %(title)s.")
    else:
        message = _("Đã tắt phân hệ %(title)s; dữ liệu và thiết lập của phân hệ vẫn được giữ.")
    return redirect(request, LIST_URL, message % {"title": title})


@tenant_page
@requires(MANAGE)
async def enable(request: Request) -> Response:
    return await switch(request, True)


@tenant_page
@requires(MANAGE)
async def disable(request: Request) -> Response:
    return await switch(request, False)


# ---------------------------------------------------------------------------- settings


@tenant_page
@requires(MANAGE)
async def settings_page(request: Request) -> Response:
    view = await tenant_plugins.get_tenant_plugin(request.path_params["name"])
    return await render_settings(request, view, form=None)


async def render_settings(
    request: Request, view: TenantPluginView, *, form: Form | None, status: int | None = None
) -> Response:
    model = settings_model(view.name)
    fields = setting_fields(model) if model is not None else []
    if form is None:
        form = Form(values=initial_values(fields, view.settings))
    context: dict[str, Any] = {"plugin": plugin_row(view), "fields": fields, "form": form}
    status = status if status is not None else form.status
    return await render(request, "core/admin/plugins/settings.html", context, status=status)


@tenant_page
@requires(MANAGE)
async def save_settings(request: Request) -> Response:
    view = await tenant_plugins.get_tenant_plugin(request.path_params["name"])
    url = f"{LIST_URL}/{view.name}"
    title = split_bilingual(view.title)
    form = await read_form(request)
    model = settings_model(view.name)
    if model is None:
        form.error(FORM_ERROR, _("Phân hệ này không có thiết lập nào."))
        return await render_settings(request, view, form=form)
    typed = parse_values(setting_fields(model), form)
    clean: dict[str, Any] = {}
    if form.ok:
        try:
            clean = model.model_validate({**view.settings, **typed}).model_dump(mode="json")
        except ValidationError as exc:
            for name, message in validation_errors(exc).items():
                form.error(name, message)
    if not form.ok:
        return await render_settings(request, view, form=form)
    # Only what changed is stored, so untouched settings keep following the defaults.
    changed = {key: clean[key] for key in typed if clean.get(key) != view.settings.get(key)}
    if not changed:
        return redirect(request, url, _("Không có thay đổi nào."), "info")
    done = await submit_once(
        request,
        form,
        lambda: tenant_plugins.configure_plugin(view.name, changed),
        url=url,
        message=_("Đã lưu thiết lập của phân hệ %(title)s.") % {"title": title},
        errors=(InvalidInput,),
    )
    if done is not None:
        return done
    return await render_settings(request, view, form=form)


def routes() -> list[BaseRoute]:
    return [
        Route(LIST_URL, plugin_list, methods=["GET"]),
        Route(LIST_URL + "/{name}", settings_page, methods=["GET"]),
        Route(LIST_URL + "/{name}", save_settings, methods=["POST"]),
        Route(LIST_URL + "/{name}/enable", enable, methods=["POST"]),
        Route(LIST_URL + "/{name}/disable", disable, methods=["POST"]),
    ]
