"""Grants of roles to users (``/admin/grants``): a user picker, then one user's grants.

``/admin/grants?user_id=7`` lists the user's grants (role, unit or the whole tenant, whether
the sub-units are included) that the signed-in manager may manage, with a form to grant a role
on a unit (with its sub-units) or tenant-wide, and a button to revoke each grant. The grant
services check that the manager's own ``core.grants.manage`` covers the scope; a refusal is
shown on the form (403). Another tenant's user or unit id answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.authz import grants as grant_service
from core.authz.api import TENANT_WIDE, unit_path, user_permissions
from core.authz.roles import list_roles
from core.context import current_actor
from core.errors import NotFound, PermissionDenied
from core.i18n import N_, split_bilingual
from core.i18n import gettext as _
from core.units.models import Unit
from core.units.tree import unit_rows
from core.users.models import User
from core.users.services import get_user, list_users
from core.web.admin import units_common
from core.web.admin.access import holds_anywhere
from core.web.flash import redirect
from core.web.forms import (
    FORM_ERROR,
    AlreadySubmitted,
    Form,
    already_submitted,
    parse_id,
    read_form,
)
from core.web.permissions import requires, tenant_page
from core.web.shell import render

GRANTS_MANAGE = "core.grants.manage"
URL = "/admin/grants"
PICKER_LIMIT = 50

UNKNOWN_ROLE = N_("Vai trò này không tồn tại.")
BAD_UNIT = N_("Đơn vị không hợp lệ.")
OUT_OF_SCOPE = N_(
    "Bạn không có quyền %(permission)s trong phạm vi này nên không thể cấp hoặc thu hồi "
    "quyền ở đây."
)


@dataclass(frozen=True)
class GrantRow:
    role_key: str
    role_name: str
    unit_id: int | None
    unit_name: str
    descendants: bool


async def may_manage_grants() -> bool:
    return await holds_anywhere(GRANTS_MANAGE)


async def managed_scopes() -> list[str]:
    """The domain patterns where the signed-in user holds ``core.grants.manage``."""
    actor = current_actor()
    if actor.kind == "system":
        return [TENANT_WIDE]
    if actor.kind != "user" or actor.id is None:
        return []
    return (await user_permissions(actor.id)).get(GRANTS_MANAGE, [])


def user_url(user_id: int) -> str:
    return f"{URL}?{urlencode({'user_id': user_id})}"


async def unit_options(scopes: list[str]) -> list[tuple[int, str]]:
    """The active units the manager may grant in, in tree order, indented by depth."""
    rows = await unit_rows(include_inactive=False)
    allowed = {
        int(row["id"])
        for row in rows
        if any(grant_service.covers(scope, str(row["path"])) for scope in scopes)
    }
    return units_common.unit_options(rows, allowed)


async def role_names() -> dict[str, str]:
    return {
        role.key: split_bilingual(role.name) if role.is_system else role.name
        for role in await list_roles()
    }


async def grant_rows(user_id: int, scopes: list[str], names: dict[str, str]) -> list[GrantRow]:
    """The user's grants inside the manager's scopes, with role and unit names."""
    items = [
        g
        for g in await grant_service.list_grants(user_id=user_id)
        if any(grant_service.covers(scope, g.domain) for scope in scopes)
    ]
    ids = {g.unit_id for g in items if g.unit_id is not None}
    units = {u.id: u for u in await Unit.filter(id__in=ids)} if ids else {}
    rows: list[GrantRow] = []
    for g in items:
        unit = units.get(g.unit_id) if g.unit_id is not None else None
        unit_name = unit.name if unit is not None else (f"#{g.unit_id}" if g.unit_id else "")
        rows.append(
            GrantRow(
                g.role_key, names.get(g.role_key, g.role_key), g.unit_id, unit_name, g.descendants
            )
        )
    return rows


# ---------------------------------------------------------------------------- pages


@tenant_page
@requires(GRANTS_MANAGE, anywhere=True)
async def grants_page(request: Request) -> Response:
    raw = request.query_params.get("user_id")
    if raw is None or not raw.strip():
        return await render_picker(request)
    user_id = parse_id(raw)
    if user_id is None:
        raise NotFound(f"No user with id {raw!r}.")
    return await render_user(request, await get_user(user_id), form=None)


async def render_picker(request: Request) -> Response:
    q = request.query_params.get("q", "").strip()[:100]
    users = await list_users(q=q or None, limit=PICKER_LIMIT + 1)
    context: dict[str, Any] = {
        "q": q,
        "users": users[:PICKER_LIMIT],
        "more": len(users) > PICKER_LIMIT,
    }
    return await render(request, "core/admin/roles/grants_picker.html", context)


async def render_user(
    request: Request, user: User, *, form: Form | None, status: int | None = None
) -> Response:
    scopes = await managed_scopes()
    names = await role_names()
    context: dict[str, Any] = {
        "person": user,
        "grants": await grant_rows(user.id, scopes, names),
        "role_options": sorted(names.items(), key=lambda item: item[1].lower()),
        "unit_options": await unit_options(scopes),
        "tenant_wide_ok": TENANT_WIDE in scopes,
        "form": form,
    }
    status = status if status is not None else (form.status if form is not None else 200)
    return await render(request, "core/admin/roles/grants_user.html", context, status=status)


async def posted_user(form: Form) -> User:
    user_id = parse_id(form.get("user_id"))
    if user_id is None:
        raise NotFound("No such user.")
    return await get_user(user_id)


async def posted_unit(form: Form) -> int | None:
    """The form's unit (``None``: tenant-wide); another tenant's unit raises NotFound (404)."""
    raw = form.get("unit_id").strip()
    if not raw:
        return None
    unit_id = parse_id(raw)
    if unit_id is None:
        form.error("unit_id", _(BAD_UNIT))
        return None
    await unit_path(unit_id)
    return unit_id


@tenant_page
@requires(GRANTS_MANAGE, anywhere=True)
async def grant(request: Request) -> Response:
    form = await read_form(request)
    user = await posted_user(form)
    unit_id = await posted_unit(form)
    role_key = form.get("role_key").strip()
    names = await role_names()
    if not role_key:
        form.error("role_key", _("Vui lòng nhập trường này."))
    elif role_key not in names:
        form.error("role_key", _(UNKNOWN_ROLE))
    descendants = unit_id is not None and form.checked("descendants")
    if not form.ok:
        return await render_user(request, user, form=form)
    existing = await grant_service.list_grants(user_id=user.id)
    try:
        async with form.once():
            view = await grant_service.grant_role(
                user.id, role_key, unit_id=unit_id, descendants=descendants
            )
    except AlreadySubmitted:
        return already_submitted(request, user_url(user.id))
    except PermissionDenied as exc:
        form.error(FORM_ERROR, _(OUT_OF_SCOPE) % {"permission": exc.permission})
        return await render_user(request, user, form=form, status=403)
    if any(g.domain == view.domain and g.role_key == view.role_key for g in existing):
        message = _("Người dùng đã có vai trò %(role)s trong phạm vi này.")
        return redirect(request, user_url(user.id), message % {"role": names[role_key]}, "info")
    message = _("Đã cấp vai trò %(role)s cho %(user)s.")
    return redirect(
        request, user_url(user.id), message % {"role": names[role_key], "user": user.username}
    )


@tenant_page
@requires(GRANTS_MANAGE, anywhere=True)
async def revoke(request: Request) -> Response:
    form = await read_form(request)
    user = await posted_user(form)
    unit_id = await posted_unit(form)
    role_key = form.get("role_key").strip()
    descendants = unit_id is not None and form.get("descendants") in ("1", "on", "true")
    if not form.ok:
        return await render_user(request, user, form=form)
    names = await role_names()
    try:
        async with form.once():
            await grant_service.revoke_role(
                user.id, role_key, unit_id=unit_id, descendants=descendants
            )
    except AlreadySubmitted:
        return already_submitted(request, user_url(user.id))
    except PermissionDenied as exc:
        form.error(FORM_ERROR, _(OUT_OF_SCOPE) % {"permission": exc.permission})
        return await render_user(request, user, form=form, status=403)
    except NotFound:
        message = _("Người dùng không còn quyền này (có thể đã được thu hồi).")
        return redirect(request, user_url(user.id), message, "info")
    role = names.get(role_key, role_key)
    message = _("Đã thu hồi vai trò %(role)s của %(user)s.")
    return redirect(request, user_url(user.id), message % {"role": role, "user": user.username})


def routes() -> list[BaseRoute]:
    return [
        Route(URL, grants_page, methods=["GET"]),
        Route(URL, grant, methods=["POST"]),
        Route(f"{URL}/revoke", revoke, methods=["POST"]),
    ]
