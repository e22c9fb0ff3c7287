"""Console pages of tenants (base domain, platform admins only).

- ``GET /platform/tenants``: every tenant (status, host names, users, units, plugins) and the
  form that creates one with its first tenant admin; ``POST`` creates it (422 with the typed
  values and the errors next to their fields; success → the tenant's page, with a flash naming
  the host where its admin signs in).
- ``GET /platform/tenants/{slug}``: one tenant, its failed jobs (a link to the jobs page
  filtered by it), suspend / resume buttons (``POST …/suspend``, ``POST …/resume``).
- The manifest page (``/platform/manifest``) lives in :mod:`core.web.console.manifest`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.context import TenantInfo, tenant_context
from core.errors import Conflict, CongvanError
from core.i18n import gettext as _
from core.jobs.admin import status_counts
from core.tenancy import services
from core.web.console import manifest
from core.web.console.guard import console_page, tenant_host, tenant_login_url
from core.web.console.tenant_form import (
    add_service_error,
    check_new_tenant,
    plugin_options,
    theme_options,
)
from core.web.flash import redirect
from core.web.forms import AlreadySubmitted, Form, already_submitted, nonce_used, read_form
from core.web.shell import render
from core.web.state import settings_of

LIST_URL = "/platform/tenants"


def detail_url(slug: str) -> str:
    return f"{LIST_URL}/{slug}"


# ---------------------------------------------------------------------------- list and create


async def _list_page(request: Request, form: Form | None = None, status: int = 200) -> Response:
    plugins = plugin_options()
    chosen = set(form.getlist("plugins")) if form is not None else {key for key, _t in plugins}
    context: dict[str, Any] = {
        "tenants": await services.list_tenants(),
        "form": form,
        "theme_options": theme_options(),
        "plugin_options": plugins,
        "chosen_plugins": chosen,
        "base_domain": settings_of(request).base_domain,
    }
    return await render(request, "core/console/tenants.html", context, status=status)


@console_page
async def tenant_list(request: Request) -> Response:
    return await _list_page(request)


@console_page
async def tenant_create(request: Request) -> Response:
    form = await read_form(request)
    if await nonce_used(form):
        return already_submitted(request, LIST_URL)
    new = None if form.stale else await check_new_tenant(form)
    if new is not None:
        try:
            async with form.once():
                info = await services.create_tenant(
                    new.slug,
                    new.name,
                    domains=new.domains,
                    theme=new.theme,
                    plugins=list(new.plugins),
                    admin_username=new.admin_username,
                    admin_password=new.admin_password,
                    admin_full_name=new.admin_full_name,
                )
        except AlreadySubmitted:
            return already_submitted(request, LIST_URL)
        except CongvanError as exc:
            add_service_error(form, exc, new.slug)
        else:
            message = _(
                "Đã tạo đơn vị sử dụng %(name)s. Quản trị viên %(username)s đăng nhập tại %(url)s"
            ) % {
                "name": info.name,
                "username": new.admin_username,
                "url": tenant_login_url(request, info.slug),
            }
            return redirect(request, detail_url(info.slug), message)
    return await _list_page(request, form, status=form.status)


# ---------------------------------------------------------------------------- one tenant


async def _counts(info: TenantInfo) -> dict[str, int]:
    from core.units.models import Unit
    from core.users.models import User

    with tenant_context(info):
        users = await User.all().count()
        units = await Unit.all().count()
    jobs = await status_counts(tenant_id=info.id)
    return {"users": users, "units": units, "failed": jobs["failed"], "pending": jobs["pending"]}


async def _detail_page(
    request: Request, slug: str, form: Form | None = None, status: int = 200
) -> Response:
    info = await services.get_tenant(slug)  # NotFound → 404
    context: dict[str, Any] = {
        "info": info,
        "counts": await _counts(info),
        "host": tenant_host(request, info.slug),
        "login_url": tenant_login_url(request, info.slug),
        "plugins": sorted(info.enabled_plugins),
        "form": form,
    }
    return await render(request, "core/console/tenant.html", context, status=status)


@console_page
async def tenant_detail(request: Request) -> Response:
    return await _detail_page(request, request.path_params["slug"])


async def _change_status(
    request: Request,
    change: Callable[[str], Awaitable[TenantInfo]],
    done: str,
    unchanged: str,
) -> Response:
    slug: str = request.path_params["slug"]
    await services.get_tenant(slug)  # an unknown slug → 404 before anything else
    form = await read_form(request)
    if form.stale:
        return await _detail_page(request, slug, form, status=form.status)
    try:
        async with form.once():
            await change(slug)
    except AlreadySubmitted:
        return already_submitted(request, detail_url(slug))
    except Conflict:
        return redirect(request, detail_url(slug), unchanged, "info")
    return redirect(request, detail_url(slug), done)


@console_page
async def tenant_suspend(request: Request) -> Response:
    return await _change_status(
        request,
        services.suspend_tenant,
        _("Đã tạm ngừng đơn vị sử dụng; các địa chỉ của đơn vị không còn truy cập được."),
        _("Đơn vị sử dụng này đã tạm ngừng từ trước."),
    )


@console_page
async def tenant_resume(request: Request) -> Response:
    return await _change_status(
        request,
        services.resume_tenant,
        _("Đã cho đơn vị sử dụng hoạt động trở lại."),
        _("Đơn vị sử dụng này đang hoạt động."),
    )


def routes() -> list[BaseRoute]:
    return [
        Route(LIST_URL, tenant_list, methods=["GET"], name="console_tenants"),
        Route(LIST_URL, tenant_create, methods=["POST"], name="console_tenant_create"),
        *manifest.routes(),
        Route(LIST_URL + "/{slug}", tenant_detail, methods=["GET"], name="console_tenant"),
        Route(
            LIST_URL + "/{slug}/suspend",
            tenant_suspend,
            methods=["POST"],
            name="console_tenant_suspend",
        ),
        Route(
            LIST_URL + "/{slug}/resume",
            tenant_resume,
            methods=["POST"],
            name="console_tenant_resume",
        ),
    ]
