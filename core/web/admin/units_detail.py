"""One unit (``/admin/units/{id}``): its data, children and the forms that change it.

Viewing needs ``core.units.view`` in some unit; every change needs ``core.units.manage`` in
the unit itself. A move also needs it in the new parent (tenant-wide to make the unit a root).
Deactivating takes the whole subtree along (the unit service never leaves an active unit under
a deactivated one); reactivating may bring the subtree back too.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.authz.api import check_permission
from core.errors import InvalidInput
from core.i18n import N_
from core.i18n import gettext as _
from core.units import services
from core.units.models import Unit
from core.web.admin.access import holds, may_in, units_where
from core.web.admin.units_common import kind_label, kind_options, unit_label, unit_options
from core.web.admin.units_forms import (
    NO_SUCH_UNIT,
    check_unit_fields,
    unit_errors,
    unit_values,
)
from core.web.flash import redirect
from core.web.forms import FORM_ERROR, Form, parse_id, read_form, submit_once
from core.web.permissions import requires, tenant_page
from core.web.shell import render

VIEW = "core.units.view"
MANAGE = "core.units.manage"
DETAIL_PATH = "/admin/units/{unit_id:int}"
ANCESTOR_INACTIVE = N_("Đơn vị cấp trên đang ngừng hoạt động; hãy kích hoạt đơn vị đó trước.")


def detail_url(unit_id: int) -> str:
    return f"/admin/units/{unit_id}"


async def path_unit(request: Request) -> int:
    """The unit of the path (404 for another tenant's id, before any permission check)."""
    unit = await services.get_unit(int(request.path_params["unit_id"]))
    return int(unit.id)


def parent_of(unit: Unit) -> int | None:
    value: int | None = unit.parent_id  # type: ignore[attr-defined]
    return value


async def move_choices(
    unit: Unit, rows: list[dict[str, Any]], typed: str = ""
) -> list[tuple[int, str]]:
    """The units the unit may move under: managed ones outside its subtree, and its parent;
    a parent typed into a refused form stays selectable so the form shows what was sent."""
    keep = parse_id(typed) if typed else None
    shown = [row for row in rows if not str(row["path"]).startswith(unit.path) or row["id"] == keep]
    allowed = await units_where(MANAGE, shown)
    for extra in (parent_of(unit), keep):
        if extra is not None:
            allowed.add(extra)
    return unit_options(shown, allowed)


async def render_detail(
    request: Request,
    unit: Unit,
    *,
    edit: Form | None = None,
    move: Form | None = None,
    state: Form | None = None,
    status: int = 200,
) -> Response:
    rows = await services.unit_rows()
    by_id = {row["id"]: row for row in rows}
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part][:-1]
    can_manage = await may_in(MANAGE, unit.path)
    root_allowed = await holds(MANAGE)
    context: dict[str, Any] = {
        "unit": unit,
        "kind": kind_label(unit.kind),
        "ancestors": [by_id[i] for i in ancestor_ids if i in by_id],
        "children": [
            {**row, "kind_label": kind_label(row["kind"])}
            for row in rows
            if row["parent_id"] == unit.id
        ],
        "can_manage": can_manage,
        "edit_form": edit or Form(values=unit_values(unit)),
        "move_form": move or Form(values={"parent_id": str(parent_of(unit) or "")}),
        "state_form": state,
        "kinds": kind_options(),
        "move_choices": await move_choices(unit, rows, move.get("parent_id") if move else "")
        if can_manage
        else [],
        "root_allowed": root_allowed or parent_of(unit) is None,
        "can_add_child": can_manage and unit.is_active,
        "parent_label": unit_label(by_id[parent_of(unit)], indent=False)
        if parent_of(unit) in by_id
        else "",
    }
    return await render(request, "core/admin/units/detail.html", context, status=status)


@tenant_page
@requires(VIEW, unit=path_unit, anywhere=True)
async def unit_detail(request: Request) -> Response:
    unit = await services.get_unit(int(request.path_params["unit_id"]))
    return await render_detail(request, unit)


# ---------------------------------------------------------------------------- edit


@tenant_page
@requires(MANAGE, unit=path_unit)
async def update_unit(request: Request) -> Response:
    form = await read_form(request)
    unit = await services.get_unit(int(request.path_params["unit_id"]))
    cleaned = check_unit_fields(form)
    done = await submit_once(
        request,
        form,
        lambda: services.update_unit(unit.id, **cleaned),
        url=detail_url(unit.id),
        message=lambda saved: _("Đã lưu đơn vị %(name)s.") % {"name": saved.name},
        on_error=unit_errors,
    )
    if done is not None:
        return done
    return await render_detail(request, unit, edit=form, status=form.status)


# ---------------------------------------------------------------------------- move


@tenant_page
@requires(MANAGE, unit=path_unit)
async def move_unit(request: Request) -> Response:
    """Needs core.units.manage in the unit and in the new parent (tenant-wide for a root)."""
    form = await read_form(request)
    unit = await services.get_unit(int(request.path_params["unit_id"]))
    url = detail_url(unit.id)
    raw = form.get("parent_id").strip()
    new_parent = parse_id(raw) if raw else None
    if raw and (new_parent is None or not await Unit.filter(id=new_parent).exists()):
        form.error("parent_id", _(NO_SUCH_UNIT))
    unchanged = new_parent == parent_of(unit)
    if not form.errors and not unchanged:
        await check_permission(MANAGE, unit_id=new_parent)
    if form.ok and unchanged:
        return redirect(request, url, _("Đơn vị vẫn ở vị trí cũ."), "info")
    done = await submit_once(
        request,
        form,
        lambda: services.move_unit(unit.id, new_parent),
        url=url,
        message=_("Đã chuyển đơn vị %(name)s.") % {"name": unit.name},
        on_error=unit_errors,
    )
    if done is not None:
        return done
    return await render_detail(request, unit, move=form, status=form.status)


# ---------------------------------------------------------------------------- (de)activate


@tenant_page
@requires(MANAGE, unit=path_unit)
async def deactivate_unit(request: Request) -> Response:
    """Deactivate the unit and every unit under it."""
    form = await read_form(request)
    unit = await services.get_unit(int(request.path_params["unit_id"]))
    message = _("Đã ngừng hoạt động đơn vị %(name)s và các đơn vị cấp dưới.")
    done = await submit_once(
        request,
        form,
        lambda: services.deactivate_unit(unit.id),
        url=detail_url(unit.id),
        message=message % {"name": unit.name},
        errors=(),  # a refusal is the error page
    )
    if done is not None:
        return done
    return await render_detail(request, unit, state=form, status=form.status)


@tenant_page
@requires(MANAGE, unit=path_unit)
async def activate_unit(request: Request) -> Response:
    """Reactivate the unit (with ``descendants``: every unit under it too)."""
    form = await read_form(request)
    unit = await services.get_unit(int(request.path_params["unit_id"]))
    done = await submit_once(
        request,
        form,
        lambda: services.activate_unit(unit.id, subtree=form.checked("descendants")),
        url=detail_url(unit.id),
        message=_("Đã kích hoạt lại đơn vị %(name)s.") % {"name": unit.name},
        on_error=lambda form, exc: form.error(FORM_ERROR, _(ANCESTOR_INACTIVE)),
        errors=(InvalidInput,),
    )
    if done is not None:
        return done
    return await render_detail(request, unit, state=form, status=form.status)


def routes() -> list[BaseRoute]:
    return [
        Route(DETAIL_PATH, unit_detail, methods=["GET"], name="admin_unit"),
        Route(DETAIL_PATH, update_unit, methods=["POST"], name="admin_unit_update"),
        Route(DETAIL_PATH + "/move", move_unit, methods=["POST"], name="admin_unit_move"),
        Route(
            DETAIL_PATH + "/deactivate",
            deactivate_unit,
            methods=["POST"],
            name="admin_unit_deactivate",
        ),
        Route(
            DETAIL_PATH + "/activate", activate_unit, methods=["POST"], name="admin_unit_activate"
        ),
    ]
