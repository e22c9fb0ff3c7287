"""One user (``/admin/users/{id}``): profile, status, password reset and positions in units.

Viewing needs ``core.users.view`` in some unit. Changing the profile, the status or the
password needs ``core.users.manage`` in the user's primary unit (tenant-wide for a user
without a position), like the API. Adding or removing a position needs it in that position's
unit. The user's role grants are on ``/admin/grants?user_id=…``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.authz.api import check_permission
from core.context import current_actor
from core.errors import InvalidInput, NotFound
from core.i18n import N_
from core.i18n import gettext as _
from core.units import services as unit_services
from core.units.models import Unit
from core.users import services
from core.users.models import User
from core.users.passwords import MIN_LENGTH
from core.web.admin.access import may_in, units_where
from core.web.admin.units_common import unit_label, unit_options
from core.web.admin.units_forms import NO_SUCH_UNIT
from core.web.admin.users_forms import (
    check_password_pair,
    check_profile,
    check_title,
    user_errors,
    user_values,
)
from core.web.flash import redirect
from core.web.forms import (
    FORM_ERROR,
    AlreadySubmitted,
    Form,
    already_submitted,
    parse_id,
    read_form,
    required,
    submit_once,
)
from core.web.permissions import requires, tenant_page
from core.web.shell import render

VIEW = "core.users.view"
MANAGE = "core.users.manage"
DETAIL_PATH = "/admin/users/{user_id:int}"
NOT_YOURSELF = N_("Bạn không thể tự ngừng hoạt động tài khoản của chính mình.")


def detail_url(user_id: int) -> str:
    return f"/admin/users/{user_id}"


@dataclass(frozen=True)
class PositionRow:
    unit_id: int
    unit: str
    unit_active: bool
    title: str
    is_primary: bool
    removable: bool


async def path_user(request: Request) -> None:
    """Only that the user of the path exists here (404 otherwise)."""
    await services.get_user(int(request.path_params["user_id"]))


async def user_unit(request: Request) -> int | None:
    """The primary unit of the user of the path (404 for another tenant's user)."""
    units = await services.user_units(int(request.path_params["user_id"]))
    return int(units[0].id) if units else None


async def position_unit(request: Request) -> int:
    """The unit of the position in the path; the user must exist here too."""
    await services.get_user(int(request.path_params["user_id"]))
    unit = await unit_services.get_unit(int(request.path_params["unit_id"]))
    return int(unit.id)


async def position_rows(user: User) -> list[PositionRow]:
    positions = await services.user_positions(user.id)
    ids = [p.unit_id for p in positions]  # type: ignore[attr-defined]
    units = {u.id: u for u in await Unit.filter(id__in=ids)} if ids else {}
    rows: list[PositionRow] = []
    for position in positions:
        unit = units[position.unit_id]  # type: ignore[attr-defined]
        rows.append(
            PositionRow(
                unit.id,
                unit_label(
                    {"name": unit.name, "code": unit.code, "is_active": True, "level": 0},
                    indent=False,
                ),
                unit.is_active,
                position.title,
                position.is_primary,
                await may_in(MANAGE, unit.path),
            )
        )
    return rows


async def render_detail(
    request: Request,
    user: User,
    *,
    edit: Form | None = None,
    state: Form | None = None,
    password: Form | None = None,
    position: Form | None = None,
    status: int = 200,
) -> Response:
    units = await services.user_units(user.id)
    can_manage = await may_in(MANAGE, units[0].path if units else None)
    unit_rows = await unit_services.unit_rows(include_inactive=False)
    position_units = unit_options(unit_rows, await units_where(MANAGE, unit_rows))
    actor = current_actor()
    context: dict[str, Any] = {
        "person": user,
        "positions": await position_rows(user),
        "can_manage": can_manage,
        "is_self": actor.kind == "user" and actor.id == user.id,
        "edit_form": edit or Form(values=user_values(user)),
        "state_form": state,
        "password_form": password,
        "position_form": position,
        "position_units": position_units,
        "min_length": MIN_LENGTH,
    }
    return await render(request, "core/admin/users/detail.html", context, status=status)


@tenant_page
@requires(VIEW, unit=path_user, anywhere=True)
async def user_detail(request: Request) -> Response:
    user = await services.get_user(int(request.path_params["user_id"]))
    return await render_detail(request, user)


# ---------------------------------------------------------------------------- profile


@tenant_page
@requires(MANAGE, unit=user_unit)
async def update_user(request: Request) -> Response:
    form = await read_form(request)
    user = await services.get_user(int(request.path_params["user_id"]))
    cleaned = check_profile(form)
    done = await submit_once(
        request,
        form,
        lambda: services.update_user(user.id, **cleaned),
        url=detail_url(user.id),
        message=lambda saved: _("Đã lưu thông tin của %(name)s.") % {"name": saved.username},
        on_error=user_errors,
    )
    if done is not None:
        return done
    return await render_detail(request, user, edit=form, status=form.status)


# ---------------------------------------------------------------------------- status


@tenant_page
@requires(MANAGE, unit=user_unit)
async def deactivate_user(request: Request) -> Response:
    form = await read_form(request)
    user = await services.get_user(int(request.path_params["user_id"]))
    actor = current_actor()
    if actor.kind == "user" and actor.id == user.id:
        form.error(FORM_ERROR, _(NOT_YOURSELF))
    done = await submit_once(
        request,
        form,
        lambda: services.deactivate_user(user.id),
        url=detail_url(user.id),
        message=_("Đã ngừng hoạt động tài khoản %(name)s.") % {"name": user.username},
        errors=(),  # a refusal is the error page
    )
    if done is not None:
        return done
    return await render_detail(request, user, state=form, status=form.status)


@tenant_page
@requires(MANAGE, unit=user_unit)
async def activate_user(request: Request) -> Response:
    form = await read_form(request)
    user = await services.get_user(int(request.path_params["user_id"]))
    done = await submit_once(
        request,
        form,
        lambda: services.activate_user(user.id),
        url=detail_url(user.id),
        message=_("Đã kích hoạt lại tài khoản %(name)s.") % {"name": user.username},
        errors=(),  # a refusal is the error page
    )
    if done is not None:
        return done
    return await render_detail(request, user, state=form, status=form.status)


# ---------------------------------------------------------------------------- password


@tenant_page
@requires(MANAGE, unit=user_unit)
async def reset_password(request: Request) -> Response:
    form = await read_form(request)
    user = await services.get_user(int(request.path_params["user_id"]))
    check_password_pair(form, user.username)
    done = await submit_once(
        request,
        form,
        lambda: services.set_password(user.id, form.get("password")),
        url=detail_url(user.id),
        message=_("Đã đặt mật khẩu mới cho %(name)s.") % {"name": user.username},
        on_error=user_errors,
        errors=(InvalidInput,),
    )
    if done is not None:
        return done
    return await render_detail(request, user, password=form, status=form.status)


# ---------------------------------------------------------------------------- positions


@tenant_page
@requires(MANAGE, unit=path_user, anywhere=True)
async def add_position(request: Request) -> Response:
    """Needs core.users.manage in the unit of the new position."""
    form = await read_form(request)
    user = await services.get_user(int(request.path_params["user_id"]))
    required(form, "unit_id")
    raw_unit = form.get("unit_id").strip()
    unit_id = parse_id(raw_unit) if raw_unit else None
    if raw_unit and (unit_id is None or not await Unit.filter(id=unit_id).exists()):
        form.error("unit_id", _(NO_SUCH_UNIT))
    elif unit_id is not None and not form.stale:
        await check_permission(MANAGE, unit_id=unit_id)
    title = check_title(form, "title")
    if unit_id is not None:  # always so for a valid form ("unit_id" is required)
        done = await submit_once(
            request,
            form,
            lambda: services.add_position(
                user.id, unit_id, title=title, is_primary=form.checked("is_primary")
            ),
            url=detail_url(user.id),
            message=_("Đã lưu chức vụ."),
            on_error=user_errors,
        )
        if done is not None:
            return done
    return await render_detail(request, user, position=form, status=form.status)


@tenant_page
@requires(MANAGE, unit=position_unit)
async def remove_position(request: Request) -> Response:
    """Needs core.users.manage in the unit of the position."""
    form = await read_form(request)
    user = await services.get_user(int(request.path_params["user_id"]))
    unit_id = int(request.path_params["unit_id"])
    url = detail_url(user.id)
    if form.ok:
        try:
            async with form.once():
                await services.remove_position(user.id, unit_id)
        except AlreadySubmitted:
            return already_submitted(request, url)
        except NotFound:
            return redirect(request, url, _("Người dùng không giữ chức vụ ở đơn vị này."), "info")
        return redirect(request, url, _("Đã bỏ chức vụ."))
    return await render_detail(request, user, position=form, status=form.status)


def routes() -> list[BaseRoute]:
    positions = DETAIL_PATH + "/positions"
    return [
        Route(DETAIL_PATH, user_detail, methods=["GET"], name="admin_user"),
        Route(DETAIL_PATH, update_user, methods=["POST"], name="admin_user_update"),
        Route(DETAIL_PATH + "/deactivate", deactivate_user, methods=["POST"]),
        Route(DETAIL_PATH + "/activate", activate_user, methods=["POST"]),
        Route(DETAIL_PATH + "/password", reset_password, methods=["POST"]),
        Route(positions, add_position, methods=["POST"], name="admin_user_position_add"),
        Route(positions + "/{unit_id:int}/remove", remove_position, methods=["POST"]),
    ]
