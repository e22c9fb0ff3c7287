"""Users of the tenant (``/admin/users``): the list with search and unit filter, creating users.

Anyone holding ``core.users.view`` in some unit sees the list. Creating a user needs
``core.users.manage`` in the unit of their first position (tenant-wide for a user without
one); the form offers only the units the admin may use and the handler checks again. The
detail page (edit, deactivate, password reset, positions) lives in
:mod:`core.web.admin.users_detail`.

The list is paged in the database in id order (``after`` = the last id shown), like the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.authz.api import check_permission
from core.errors import Conflict, InvalidInput
from core.i18n import gettext as _
from core.units import services as unit_services
from core.units.models import Unit
from core.users import services
from core.users.models import Position, User
from core.users.passwords import MIN_LENGTH
from core.web.admin import users_detail
from core.web.admin.access import holds, units_where
from core.web.admin.units_common import unit_label, unit_options
from core.web.admin.units_forms import NO_SUCH_UNIT
from core.web.admin.users_forms import check_new_user, user_errors
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

VIEW = "core.users.view"
MANAGE = "core.users.manage"
LIST_URL = "/admin/users"
NEW_URL = "/admin/users/new"
PAGE_SIZE = 50
MAX_QUERY = 100


@dataclass
class UserFilters:
    form: Form
    q: str = ""
    unit_id: int | None = None
    subtree: bool = False
    after: int | None = None
    kept: dict[str, str] = field(default_factory=dict)

    def query_string(self, **extra: str | int) -> str:
        params: dict[str, str | int] = {k: v for k, v in self.kept.items() if v}
        params.update(extra)
        return urlencode(params)


@dataclass(frozen=True)
class UserRow:
    user: User
    unit: str
    title: str


async def parse_filters(request: Request) -> UserFilters:
    params = request.query_params
    values = {name: params.get(name, "").strip() for name in ("q", "unit_id", "subtree")}
    form = Form(values=dict(values))
    filters = UserFilters(form=form)
    if len(values["q"]) > MAX_QUERY:
        form.error("q", _("Tối đa %(count)s ký tự.") % {"count": MAX_QUERY})
    if values["unit_id"]:
        unit_id = parse_id(values["unit_id"])
        if unit_id is None or not await Unit.filter(id=unit_id).exists():
            form.error("unit_id", _(NO_SUCH_UNIT))
        filters.unit_id = unit_id
    after = params.get("after", "").strip()
    if after:
        filters.after = parse_id(after)
        if filters.after is None:
            form.error(FORM_ERROR, _("Vị trí trang không hợp lệ."))
    filters.q = values["q"]
    filters.subtree = form.checked("subtree")
    filters.kept = values
    return filters


async def user_rows(users: list[User]) -> list[UserRow]:
    """Each user with the unit and title of their primary position (one query each, not N)."""
    positions = await Position.filter(user_id__in=[u.id for u in users]).order_by(
        "-is_primary", "id"
    )
    first: dict[int, Position] = {}
    for position in positions:
        first.setdefault(position.user_id, position)  # type: ignore[attr-defined]
    unit_ids = {p.unit_id for p in first.values()}  # type: ignore[attr-defined]
    names = {u.id: u.name for u in await Unit.filter(id__in=unit_ids)} if unit_ids else {}
    rows: list[UserRow] = []
    for user in users:
        held = first.get(user.id)
        unit = names.get(held.unit_id, "") if held else ""  # type: ignore[attr-defined]
        rows.append(UserRow(user, unit, held.title if held else ""))
    return rows


@tenant_page
@requires(VIEW, anywhere=True)
async def user_list(request: Request) -> Response:
    filters = await parse_filters(request)
    rows: list[UserRow] = []
    next_url = ""
    if filters.form.ok:
        users = await services.list_users(
            unit_id=filters.unit_id,
            q=filters.q or None,
            subtree=filters.subtree,
            after_id=filters.after,
            limit=PAGE_SIZE + 1,
        )
        page = users[:PAGE_SIZE]
        rows = await user_rows(page)
        if len(users) > PAGE_SIZE:
            next_url = f"{LIST_URL}?" + filters.query_string(after=page[-1].id)
    unit_rows = await unit_services.unit_rows()
    context: dict[str, Any] = {
        "form": filters.form,
        "rows": rows,
        "units": [(row["id"], unit_label(row)) for row in unit_rows],
        "next_url": next_url,
        "first_url": f"{LIST_URL}?" + filters.query_string() if filters.after else "",
        "can_create": await holds(MANAGE) or bool(await units_where(MANAGE, unit_rows)),
    }
    return await render(request, "core/admin/users/list.html", context, status=filters.form.status)


# ---------------------------------------------------------------------------- create


async def render_new(request: Request, form: Form, *, status: int = 200) -> Response:
    rows = await unit_services.unit_rows(include_inactive=False)
    context: dict[str, Any] = {
        "form": form,
        "units": unit_options(rows, await units_where(MANAGE, rows)),
        "no_unit_allowed": await holds(MANAGE),
        "min_length": MIN_LENGTH,
    }
    return await render(request, "core/admin/users/new.html", context, status=status)


@tenant_page
@requires(MANAGE, anywhere=True)
async def new_user(request: Request) -> Response:
    values: dict[str, str] = {}
    unit_id = parse_id(request.query_params.get("unit_id", ""))
    if unit_id is not None:
        values["unit_id"] = str(unit_id)
    return await render_new(request, Form(values=values))


@tenant_page
@requires(MANAGE, anywhere=True)
async def create_user(request: Request) -> Response:
    """Needs core.users.manage in the chosen unit (tenant-wide without one)."""
    form = await read_form(request)
    cleaned = check_new_user(form)
    raw_unit = form.get("unit_id").strip()
    unit_id = parse_id(raw_unit) if raw_unit else None
    if raw_unit and (unit_id is None or not await Unit.filter(id=unit_id).exists()):
        form.error("unit_id", _(NO_SUCH_UNIT))
    elif not form.stale:
        await check_permission(MANAGE, unit_id=unit_id)
    if form.ok:
        try:
            async with form.once():
                user = await services.create_user(
                    cleaned["username"],
                    cleaned["full_name"],
                    password=form.get("password"),
                    email=cleaned["email"],
                    phone=cleaned["phone"],
                    unit_id=unit_id,
                    position_title=cleaned["position_title"],
                )
        except AlreadySubmitted:
            return already_submitted(request, LIST_URL)
        except (InvalidInput, Conflict) as exc:
            user_errors(form, exc)
        else:
            message = _("Đã tạo người dùng %(name)s.") % {"name": user.username}
            return redirect(request, users_detail.detail_url(user.id), message)
    return await render_new(request, form, status=form.status)


def routes() -> list[BaseRoute]:
    return [
        Route(LIST_URL, user_list, methods=["GET"], name="admin_users"),
        Route(NEW_URL, new_user, methods=["GET"], name="admin_user_new"),
        Route(NEW_URL, create_user, methods=["POST"], name="admin_user_create"),
        *users_detail.routes(),
    ]
