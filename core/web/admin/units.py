"""The org tree of the tenant (``/admin/units``): the whole tree, creating units.

Anyone holding ``core.units.view`` in some unit sees the tree. Creating a unit needs
``core.units.manage`` in the parent unit (tenant-wide for a root unit); the form offers only
the parents the user may use, and the handler checks again. The detail page of a unit (edit,
move, deactivate, reactivate) lives in :mod:`core.web.admin.units_detail`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.authz.api import check_permission
from core.i18n import gettext as _
from core.units import services
from core.units.models import Unit
from core.web.admin import units_detail
from core.web.admin.access import holds, units_where
from core.web.admin.units_common import kind_label, kind_options, unit_options
from core.web.admin.units_forms import NO_SUCH_UNIT, check_unit_fields, unit_errors
from core.web.forms import Form, parse_id, read_form, submit_once
from core.web.permissions import requires, tenant_page
from core.web.shell import render

VIEW = "core.units.view"
MANAGE = "core.units.manage"
LIST_URL = "/admin/units"
NEW_URL = "/admin/units/new"


@dataclass
class TreeNode:
    unit: dict[str, Any]
    kind: str
    children: list[TreeNode] = field(default_factory=list)


def build_tree(rows: list[dict[str, Any]]) -> list[TreeNode]:
    """The rows (tree order: parents first) as nested nodes; orphans become roots."""
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for row in rows:
        node = TreeNode(row, kind_label(row["kind"]))
        nodes[row["id"]] = node
        parent = nodes.get(row["parent_id"]) if row["parent_id"] is not None else None
        (parent.children if parent is not None else roots).append(node)
    return roots


# ---------------------------------------------------------------------------- the tree


@tenant_page
@requires(VIEW, anywhere=True)
async def unit_tree(request: Request) -> Response:
    rows = await services.unit_rows()
    manageable = await units_where(MANAGE, rows)
    context: dict[str, Any] = {
        "roots": build_tree(rows),
        "count": len(rows),
        "inactive": sum(1 for row in rows if not row["is_active"]),
        "manageable": manageable,
        "can_create": bool(manageable) or await holds(MANAGE),
    }
    return await render(request, "core/admin/units/list.html", context)


# ---------------------------------------------------------------------------- create


async def render_new(request: Request, form: Form, *, status: int = 200) -> Response:
    rows = await services.unit_rows(include_inactive=False)
    allowed = await units_where(MANAGE, rows)
    context: dict[str, Any] = {
        "form": form,
        "parents": unit_options(rows, allowed),
        "root_allowed": await holds(MANAGE),
        "kinds": kind_options(),
    }
    return await render(request, "core/admin/units/new.html", context, status=status)


@tenant_page
@requires(MANAGE, anywhere=True)
async def new_unit(request: Request) -> Response:
    parent = parse_id(request.query_params.get("parent", ""))
    values = {"kind": "department" if parent else "agency", "sort_order": "0"}
    if parent is not None and await Unit.filter(id=parent, is_active=True).exists():
        values["parent_id"] = str(parent)
    return await render_new(request, Form(values=values))


async def posted_parent(form: Form) -> int | None:
    """The parent unit of a posted form (``None``: a root); marks an unknown id as wrong."""
    raw = form.get("parent_id").strip()
    if not raw:
        return None
    parent = parse_id(raw)
    if parent is None or not await Unit.filter(id=parent).exists():
        form.error("parent_id", _(NO_SUCH_UNIT))
        return None
    return parent


@tenant_page
@requires(MANAGE, anywhere=True)
async def create_unit(request: Request) -> Response:
    """Needs core.units.manage in the parent unit (tenant-wide for a root unit)."""
    form = await read_form(request)
    cleaned = check_unit_fields(form)
    parent_id = await posted_parent(form)
    if "parent_id" not in form.errors and not form.stale:
        await check_permission(MANAGE, unit_id=parent_id)
    done = await submit_once(
        request,
        form,
        lambda: services.create_unit(parent_id=parent_id, **cleaned),
        url=LIST_URL,
        message=lambda unit: _("Đã tạo đơn vị %(name)s.") % {"name": unit.name},
        on_error=unit_errors,
    )
    if done is not None:
        return done
    return await render_new(request, form, status=form.status)


def routes() -> list[BaseRoute]:
    return [
        Route(LIST_URL, unit_tree, methods=["GET"], name="admin_units"),
        Route(NEW_URL, new_unit, methods=["GET"], name="admin_unit_new"),
        Route(NEW_URL, create_unit, methods=["POST"], name="admin_unit_create"),
        *units_detail.routes(),
    ]
