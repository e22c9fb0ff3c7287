"""The tenant's theme (``/admin/theme``, ``core.settings.manage``).

Lists the installed themes (``core.web.themes.list_themes``) with the current one marked and
lets the tenant admin pick one. Saving goes through ``core.tenancy.services.update_tenant``,
which audits the change and reloads the tenant registry after the commit, so the very next
page renders with the new theme's templates and stylesheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.context import current_tenant
from core.errors import InvalidInput
from core.i18n import N_, split_bilingual
from core.i18n import gettext as _
from core.tenancy.services import update_tenant
from core.web import themes
from core.web.flash import redirect
from core.web.forms import Form, read_form, submit_once
from core.web.permissions import requires, tenant_page
from core.web.shell import render

MANAGE = "core.settings.manage"
URL = "/admin/theme"
NOT_INSTALLED = N_(
    "Giao diện «%(name)s» chưa được cài đặt; vui lòng chọn một giao diện trong danh sách."
)


@dataclass(frozen=True)
class ThemeRow:
    name: str
    title: str
    description: str
    current: bool
    stylesheet: str | None
    logo: str | None


def theme_rows(current: str) -> list[ThemeRow]:
    rows: list[ThemeRow] = []
    for info in themes.list_themes():
        assets = themes.assets_of(info.name)
        rows.append(
            ThemeRow(
                name=info.name,
                title=split_bilingual(info.title),
                description=split_bilingual(info.description) if info.description else "",
                current=info.name == current,
                stylesheet=assets.stylesheet,
                logo=assets.logo,
            )
        )
    return rows


@tenant_page
@requires(MANAGE)
async def theme_page(request: Request) -> Response:
    return await render_page(request, form=None)


async def render_page(request: Request, *, form: Form | None) -> Response:
    tenant = current_tenant()
    rows = theme_rows(tenant.theme)
    context: dict[str, Any] = {
        "themes": rows,
        "current": tenant.theme,
        "missing": not any(row.current for row in rows),
        "chosen": form.get("theme") if form is not None else tenant.theme,
        "form": form,
    }
    status = form.status if form is not None else 200
    return await render(request, "core/admin/theme/page.html", context, status=status)


@tenant_page
@requires(MANAGE)
async def save_theme(request: Request) -> Response:
    form = await read_form(request)
    name = form.get("theme").strip()
    tenant = current_tenant()
    if not name:
        form.error("theme", _("Vui lòng chọn một giao diện."))
    elif name not in themes.theme_names():
        form.error("theme", _(NOT_INSTALLED) % {"name": name[:63]})
    if not form.ok:
        return await render_page(request, form=form)
    if name == tenant.theme:
        return redirect(request, URL, _("Giao diện không thay đổi."), "info")
    title = split_bilingual(themes.assets_of(name).title)
    done = await submit_once(
        request,
        form,
        lambda: update_tenant(tenant.slug, theme=name),
        url=URL,
        message=_("Đã đổi giao diện thành %(title)s.") % {"title": title},
        # InvalidInput: removed from the disk since the check above
        on_error=lambda form, exc: form.error("theme", _(NOT_INSTALLED) % {"name": name[:63]}),
        errors=(InvalidInput,),
    )
    if done is not None:
        return done
    return await render_page(request, form=form)


def routes() -> list[BaseRoute]:
    return [
        Route(URL, theme_page, methods=["GET"]),
        Route(URL, save_theme, methods=["POST"]),
    ]
