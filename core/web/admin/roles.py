"""Roles of the tenant (``/admin/roles``): list, create, edit and delete them.

Anyone holding ``core.roles.view`` in some unit sees the roles and their actions;
``core.roles.manage`` (tenant-wide) changes them. A role is composed by ticking actions in a
matrix of the actions the enabled plugins declare, grouped by plugin. Actions a role holds from
a plugin that is disabled now are not shown and are kept unchanged when the role is saved.

The grants pages (``/admin/grants``) live in :mod:`core.web.admin.roles_grants`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.authz import roles as role_service
from core.authz.roles import RoleView
from core.errors import Conflict, CongvanError, InvalidInput
from core.i18n import N_, split_bilingual
from core.i18n import gettext as _
from core.plugins.manager import get_host
from core.web.admin import roles_grants
from core.web.admin.access import holds
from core.web.flash import redirect
from core.web.forms import (
    FORM_ERROR,
    AlreadySubmitted,
    Form,
    already_submitted,
    read_form,
    required,
    submit_once,
)
from core.web.permissions import requires, tenant_page
from core.web.shell import render

ROLES_VIEW = "core.roles.view"
ROLES_MANAGE = "core.roles.manage"
GRANTS_MANAGE = "core.grants.manage"
LIST_URL = "/admin/roles"
MAX_DESCRIPTION = 1000
# The service's rule (core.authz.roles), checked here too so every error shows at once.
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")

KEY_FORMAT = N_(
    "Mã vai trò gồm 2–63 ký tự: chữ thường không dấu, chữ số hoặc dấu gạch dưới, "
    "bắt đầu bằng một chữ cái."
)
KEY_TAKEN = N_("Mã vai trò này đã được dùng cho một vai trò khác.")
NAME_REQUIRED = N_("Vui lòng nhập trường này.")
NAME_TOO_LONG = N_("Tên vai trò tối đa 200 ký tự.")
DESCRIPTION_TOO_LONG = N_("Mô tả tối đa 1000 ký tự.")
UNKNOWN_ACTION = N_("Có quyền không hợp lệ hoặc thuộc phân hệ chưa bật; vui lòng chọn lại.")


# ---------------------------------------------------------------------------- view models


@dataclass(frozen=True)
class ActionChoice:
    key: str
    title: str
    description: str


@dataclass(frozen=True)
class ActionGroup:
    plugin: str
    title: str
    actions: list[ActionChoice]


@dataclass(frozen=True)
class RoleRow:
    key: str
    name: str
    description: str
    is_system: bool
    action_count: int


def action_groups() -> list[ActionGroup]:
    """The actions of the plugins enabled for the tenant, grouped by plugin, titles localised."""
    host = get_host()
    groups: list[ActionGroup] = []
    for plugin, actions in role_service.actions_by_plugin().items():
        if not actions:
            continue
        choices = [
            ActionChoice(
                a.key,
                split_bilingual(a.title),
                split_bilingual(a.description) if a.description else "",
            )
            for a in actions
        ]
        groups.append(ActionGroup(plugin, split_bilingual(host.info(plugin).title), choices))
    return groups


def role_label(name: str, is_system: bool) -> str:
    """A seeded role's bilingual name in the UI language; a custom role's name as typed."""
    return split_bilingual(name) if is_system else name


def role_row(role: RoleView) -> RoleRow:
    return RoleRow(
        key=role.key,
        name=role_label(role.name, role.is_system),
        description=role_label(role.description, role.is_system) if role.description else "",
        is_system=role.is_system,
        action_count=len(role.actions),
    )


def role_errors(form: Form, exc: CongvanError) -> None:
    """The service's refusals as translated messages next to their fields."""
    if isinstance(exc, Conflict):
        form.error("key", _(KEY_TAKEN))
        return
    errors = exc.errors if isinstance(exc, InvalidInput) else {}
    for name in errors:
        if name == "key":
            form.error("key", _(KEY_FORMAT))
        elif name == "name":
            form.error("name", _(NAME_TOO_LONG if form.get("name").strip() else NAME_REQUIRED))
        elif name == "actions":
            form.error("actions", _(UNKNOWN_ACTION))
    if not form.errors:
        form.add_errors(exc)


def check_description(form: Form) -> None:
    if len(form.get("description")) > MAX_DESCRIPTION:
        form.error("description", _(DESCRIPTION_TOO_LONG))


# ---------------------------------------------------------------------------- list


@tenant_page
@requires(ROLES_VIEW, anywhere=True)
async def role_list(request: Request) -> Response:
    return await render_list(request)


async def render_list(request: Request, *, form: Form | None = None, status: int = 200) -> Response:
    rows = [role_row(role) for role in await role_service.list_roles()]
    context: dict[str, Any] = {
        "roles": rows,
        "can_manage": await holds(ROLES_MANAGE),
        "can_grant": await roles_grants.may_manage_grants(),
        "form": form,
    }
    return await render(request, "core/admin/roles/list.html", context, status=status)


# ---------------------------------------------------------------------------- create


@tenant_page
@requires(ROLES_MANAGE)
async def new_role(request: Request) -> Response:
    return await render_form(request, None, form=None, selected=set())


@tenant_page
@requires(ROLES_MANAGE)
async def create_role(request: Request) -> Response:
    form = await read_form(request)
    form.values["key"] = form.get("key").strip()
    required(form, "key", "name")
    if form.get("key") and not KEY_RE.match(form.get("key")):
        form.error("key", _(KEY_FORMAT))
    check_description(form)
    selected = form.getlist("actions")
    done = await submit_once(
        request,
        form,
        lambda: role_service.create_role(
            form.get("key"), form.get("name"), selected, description=form.get("description")
        ),
        url=LIST_URL,
        message=_("Đã tạo vai trò %(name)s.") % {"name": form.get("name").strip()},
        on_error=role_errors,
    )
    if done is not None:
        return done
    return await render_form(request, None, form=form, selected=set(selected))


# ---------------------------------------------------------------------------- edit


@tenant_page
@requires(ROLES_VIEW, anywhere=True)
async def edit_role(request: Request) -> Response:
    role = await role_service.get_role(request.path_params["key"])
    return await render_form(request, role, form=None, selected=set(role.actions))


@tenant_page
@requires(ROLES_MANAGE)
async def update_role(request: Request) -> Response:
    role = await role_service.get_role(request.path_params["key"])
    form = await read_form(request)
    required(form, "name")
    check_description(form)
    selected = form.getlist("actions")
    shown = {choice.key for group in action_groups() for choice in group.actions}
    # Actions of plugins disabled now are not in the matrix: keep them as they are.
    kept = [action for action in role.actions if action not in shown]
    name = role_label(form.get("name").strip(), role.is_system)
    done = await submit_once(
        request,
        form,
        lambda: role_service.update_role(
            role.key,
            name=form.get("name"),
            description=form.get("description"),
            actions=[*selected, *kept],
        ),
        url=LIST_URL,
        message=_("Đã lưu vai trò %(name)s.") % {"name": name},
        on_error=role_errors,
    )
    if done is not None:
        return done
    return await render_form(request, role, form=form, selected=set(selected))


async def render_form(
    request: Request, role: RoleView | None, *, form: Form | None, selected: set[str]
) -> Response:
    groups = action_groups()
    shown = {choice.key for group in groups for choice in group.actions}
    if form is None and role is not None:
        form = Form(values={"name": role.name, "description": role.description})
    context: dict[str, Any] = {
        "role": role,
        "title": role_label(role.name, role.is_system) if role is not None else "",
        "groups": groups,
        "selected": selected,
        "hidden_actions": [a for a in role.actions if a not in shown] if role else [],
        "can_manage": await holds(ROLES_MANAGE),
        "form": form,
    }
    status = form.status if form is not None else 200
    return await render(request, "core/admin/roles/form.html", context, status=status)


# ---------------------------------------------------------------------------- delete


@tenant_page
@requires(ROLES_MANAGE)
async def delete_role(request: Request) -> Response:
    role = await role_service.get_role(request.path_params["key"])
    name = role_label(role.name, role.is_system)
    form = await read_form(request)
    if form.ok:
        try:
            async with form.once():
                await role_service.delete_role(role.key)
        except AlreadySubmitted:
            return already_submitted(request, LIST_URL)
        except Conflict:
            if role.is_system:
                message = _("Không thể xóa vai trò %(name)s: đây là vai trò hệ thống.")
            else:
                message = _(
                    "Không thể xóa vai trò %(name)s: vai trò vẫn đang được cấp cho người dùng. "
                    "Hãy thu hồi các quyền đó trước."
                )
            form.error(FORM_ERROR, message % {"name": name})
            return await render_list(request, form=form, status=409)
        else:
            return redirect(request, LIST_URL, _("Đã xóa vai trò %(name)s.") % {"name": name})
    return await render_list(request, form=form, status=form.status)


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/roles", role_list, methods=["GET"]),
        Route("/admin/roles/new", new_role, methods=["GET"]),
        Route("/admin/roles/new", create_role, methods=["POST"]),
        Route("/admin/roles/{key}/edit", edit_role, methods=["GET"]),
        Route("/admin/roles/{key}/edit", update_role, methods=["POST"]),
        Route("/admin/roles/{key}/delete", delete_role, methods=["POST"]),
        *roles_grants.routes(),
    ]
