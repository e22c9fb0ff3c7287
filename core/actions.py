"""The kernel as an essential plugin: its identity and the actions it checks."""

from __future__ import annotations

import pluggy

from core.plugins.types import Action, PluginInfo

hookimpl = pluggy.HookimplMarker("congvan")

ADMINS = ("tenant_admin",)
UNIT_ADMINS = ("tenant_admin", "unit_admin")
EVERYONE = ("tenant_admin", "unit_admin", "clerk", "leader", "specialist")

CORE_ACTIONS = (
    Action("core.units.view", "Xem cơ cấu tổ chức / View the org tree", default_roles=EVERYONE),
    Action("core.units.manage", "Quản lý đơn vị / Manage units", default_roles=UNIT_ADMINS),
    Action("core.users.view", "Xem người dùng / View users", default_roles=EVERYONE),
    Action("core.users.manage", "Quản lý người dùng / Manage users", default_roles=UNIT_ADMINS),
    Action("core.roles.view", "Xem vai trò / View roles", default_roles=UNIT_ADMINS),
    Action("core.roles.manage", "Quản lý vai trò / Define roles", default_roles=ADMINS),
    Action("core.grants.manage", "Phân quyền / Grant and revoke roles", default_roles=UNIT_ADMINS),
    Action("core.plugins.manage", "Quản lý phân hệ / Manage plugins", default_roles=ADMINS),
    Action(
        "core.settings.manage",
        "Cấu hình đơn vị sử dụng (giao diện) / Configure the tenant (theme)",
        default_roles=ADMINS,
    ),
    Action("core.audit.view", "Xem nhật ký / View the audit trail", default_roles=ADMINS),
)


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        name="core",
        version="0.1.0",
        title="Nhân hệ thống / Kernel",
        description="Tenants, units, users, roles, audit trail.",
    )


@hookimpl
def register_actions() -> list[Action]:
    return list(CORE_ACTIONS)
