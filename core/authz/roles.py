"""Roles of a tenant: named sets of actions that plugins declare.

A role is a :class:`~core.authz.models.Role` row (key, name, description, system flag) plus one
Casbin row per action (``p, role:<key>, <action>``). Five system roles are seeded into every
tenant and receive the actions whose ``default_roles`` name them; tenant admins edit them and
compose roles of their own from the actions of the plugins enabled for the tenant.

Which defaults a system role has already received is remembered in bookkeeping rows
(``ptype = "d"``), so an action an admin took away from a role is not given back the next
time defaults are synchronised.

Every change writes an audit event in its transaction and announces the policy change after
the commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from core.authz.adapter import TenantAdapter
from core.authz.api import role_subject
from core.authz.enforcer import policy_changed
from core.authz.models import CasbinRule, Role
from core.context import current_tenant
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput, NotFound
from core.plugins.manager import get_host
from core.plugins.types import Action

DEFAULTS_PTYPE = "d"
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


@dataclass(frozen=True)
class SystemRole:
    key: str
    name: str
    description: str


SYSTEM_ROLES: tuple[SystemRole, ...] = (
    SystemRole(
        "tenant_admin",
        "Quản trị hệ thống đơn vị / Tenant admin",
        "Cấu hình, người dùng, vai trò, phân hệ / Settings, users, roles, plugins",
    ),
    SystemRole(
        "unit_admin",
        "Quản trị đơn vị / Unit admin",
        "Quản lý đơn vị, người dùng và phân quyền trong đơn vị / A unit's users and grants",
    ),
    SystemRole(
        "clerk",
        "Văn thư / Clerk",
        "Tiếp nhận, đăng ký, phát hành văn bản / Registers and issues documents",
    ),
    SystemRole(
        "leader",
        "Lãnh đạo / Leader",
        "Phân công, phê duyệt, ký văn bản / Assigns, approves and signs",
    ),
    SystemRole(
        "specialist",
        "Chuyên viên / Specialist",
        "Xử lý văn bản được giao / Handles assigned documents",
    ),
)
SYSTEM_ROLE_KEYS = tuple(role.key for role in SYSTEM_ROLES)


@dataclass(frozen=True)
class RoleView:
    key: str
    name: str
    description: str
    is_system: bool
    actions: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "is_system": self.is_system,
            "actions": list(self.actions),
        }


# ---------------------------------------------------------------------------------- actions


def actions_by_plugin(*, enabled_only: bool = True) -> dict[str, list[Action]]:
    """Plugin name → the actions it declares (only plugins enabled for the current tenant)."""
    host = get_host()
    tenant = current_tenant() if enabled_only else None
    declared: dict[str, list[Action]] = host.call_each("register_actions")
    return {
        plugin: list(actions or ())
        for plugin, actions in declared.items()
        if not enabled_only or host.is_enabled(plugin, tenant)
    }


def list_actions(*, enabled_only: bool = True) -> list[Action]:
    """The actions of the kernel and of the plugins enabled for the current tenant."""
    seen: dict[str, Action] = {}
    for actions in actions_by_plugin(enabled_only=enabled_only).values():
        for action in actions:
            seen.setdefault(action.key, action)
    return list(seen.values())


def default_actions() -> dict[str, list[str]]:
    """System role key → the actions installed plugins give it by default."""
    defaults: dict[str, list[str]] = {key: [] for key in SYSTEM_ROLE_KEYS}
    for action in list_actions(enabled_only=False):
        for role_key in action.default_roles:
            if role_key in defaults and action.key not in defaults[role_key]:
                defaults[role_key].append(action.key)
    return defaults


# ---------------------------------------------------------------------------------- queries


async def _actions_of_roles() -> dict[str, list[str]]:
    rows = await CasbinRule.filter(ptype="p").order_by("id").values_list("v0", "v1")
    actions: dict[str, list[str]] = {}
    for subject, action in rows:
        actions.setdefault(str(subject).removeprefix("role:"), []).append(str(action))
    return actions


def _view(role: Role, actions: Iterable[str]) -> RoleView:
    return RoleView(role.key, role.name, role.description, role.is_system, sorted(actions))


async def list_roles() -> list[RoleView]:
    """Every role of the current tenant with its actions, system roles first."""
    actions = await _actions_of_roles()
    roles = await Role.all().order_by("-is_system", "key")
    return [_view(role, actions.get(role.key, [])) for role in roles]


async def get_role(key: str) -> RoleView:
    role = await _role_or_404(key)
    return _view(role, (await _actions_of_roles()).get(key, []))


async def _role_or_404(key: str, *, for_update: bool = False) -> Role:
    query = Role.filter(key=key)
    if for_update:
        query = query.select_for_update()
    role = await query.first()
    if role is None:
        raise NotFound(f"No role with key {key!r} in this tenant.")
    return role


# ---------------------------------------------------------------------------------- changes


def _check_key(key: str) -> None:
    if not _KEY_RE.match(key):
        raise InvalidInput(
            f"Invalid role key {key!r}: use 2-63 lower-case letters, digits or _, "
            "starting with a letter.",
            {"key": "invalid"},
        )


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("A role name must have 1 to 200 characters.", {"name": "invalid"})
    return name


def _clean_actions(actions: Iterable[str], allowed: set[str]) -> list[str]:
    clean: list[str] = []
    for action in actions:
        if action not in allowed:
            raise InvalidInput(
                f"Unknown action {action!r}: no plugin enabled for this tenant declares it.",
                {"actions": f"unknown action {action}"},
            )
        if action not in clean:
            clean.append(action)
    return clean


def _rules(key: str, actions: Iterable[str]) -> list[list[str]]:
    return [[role_subject(key), action] for action in actions]


async def _audit(action: str, **kwargs: Any) -> None:
    from core.audit.services import record_audit

    await record_audit(action, **kwargs)


async def create_role(key: str, name: str, actions: list[str], description: str = "") -> Role:
    """Create a tenant role from actions; unknown action → InvalidInput, taken key → Conflict."""
    _check_key(key)
    name = _clean_name(name)
    clean = _clean_actions(actions, {a.key for a in list_actions()})
    try:
        async with atomic():
            if await Role.filter(key=key).exists():
                raise Conflict(f"A role with key {key!r} already exists.")
            role = Role(key=key, name=name, description=description.strip(), is_system=False)
            await role.save()
            await TenantAdapter().add_policies("p", "p", _rules(key, clean))
            await _audit(
                "role.create", object_type="role", object_id=key, after=_view(role, clean).as_dict()
            )
    except IntegrityError:
        raise Conflict(f"A role with key {key!r} already exists.") from None
    await policy_changed()
    return role


async def update_role(
    key: str,
    *,
    name: str | None = None,
    description: str | None = None,
    actions: list[str] | None = None,
) -> RoleView:
    """Change a role's name, description or actions (``None`` leaves a field as it is).

    Actions may be those of enabled plugins or ones the role already holds (a disabled
    plugin's actions stay on the role unseen and unchanged).
    """
    clean_name = _clean_name(name) if name is not None else None
    async with atomic():
        role = await _role_or_404(key, for_update=True)
        current = (await _actions_of_roles()).get(key, [])
        before = _view(role, current)
        new_actions = current
        if actions is not None:
            allowed = {a.key for a in list_actions()} | set(current)
            new_actions = _clean_actions(actions, allowed)
            adapter = TenantAdapter()
            removed = [a for a in current if a not in new_actions]
            added = [a for a in new_actions if a not in current]
            if removed:
                await adapter.remove_policies("p", "p", _rules(key, removed))
            if added:
                await adapter.add_policies("p", "p", _rules(key, added))
        if clean_name is not None:
            role.name = clean_name
        if description is not None:
            role.description = description.strip()
        await role.save()
        after = _view(role, new_actions)
        await _audit(
            "role.update",
            object_type="role",
            object_id=key,
            before=before.as_dict(),
            after=after.as_dict(),
        )
    await policy_changed()
    return after


async def delete_role(key: str) -> None:
    """Delete a tenant role; system roles and roles still granted → Conflict."""
    async with atomic():
        role = await _role_or_404(key, for_update=True)
        if role.is_system:
            raise Conflict(f"Role {key!r} is a system role and cannot be deleted.")
        grants = await CasbinRule.filter(ptype="g", v1=role_subject(key)).count()
        if grants:
            raise Conflict(
                f"Role {key!r} is still granted {grants} time(s); revoke those grants first."
            )
        before = _view(role, (await _actions_of_roles()).get(key, []))
        await CasbinRule.filter(ptype__in=["p", DEFAULTS_PTYPE], v0=role_subject(key)).delete()
        await role.delete()
        await _audit("role.delete", object_type="role", object_id=key, before=before.as_dict())
    await policy_changed()


# ---------------------------------------------------------------------------------- seeding


async def seed_roles() -> None:
    """Create the missing system roles of the current tenant and give them their defaults.

    Idempotent: running it again changes nothing.
    """
    async with atomic():
        keys = await Role.filter(key__in=SYSTEM_ROLE_KEYS).values_list("key", flat=True)
        existing = {str(key) for key in keys}
        created = [spec for spec in SYSTEM_ROLES if spec.key not in existing]
        for spec in created:
            role = Role(key=spec.key, name=spec.name, description=spec.description, is_system=True)
            await role.save()
            await _audit(
                "role.create",
                object_type="role",
                object_id=spec.key,
                after=_view(role, []).as_dict(),
            )
        changed = await _give_defaults()
    if created or changed:
        await policy_changed()


async def sync_default_actions() -> None:
    """Give system roles the default actions declared since they were last given theirs.

    Run when a plugin is enabled or upgraded; actions an admin removed stay removed.
    """
    async with atomic():
        changed = await _give_defaults()
    if changed:
        await policy_changed()


async def _give_defaults() -> list[str]:
    given = {
        (str(v0), str(v1))
        for v0, v1 in await CasbinRule.filter(ptype=DEFAULTS_PTYPE).values_list("v0", "v1")
    }
    system = {str(k) for k in await Role.filter(is_system=True).values_list("key", flat=True)}
    adapter = TenantAdapter()
    changed: list[str] = []
    for key, actions in default_actions().items():
        new = [a for a in actions if (role_subject(key), a) not in given]
        if key not in system or not new:
            continue
        await adapter.add_policies("p", "p", _rules(key, new))
        await adapter.add_policies(DEFAULTS_PTYPE, DEFAULTS_PTYPE, _rules(key, new))
        await _audit(
            "role.update", object_type="role", object_id=key, after={"added_default_actions": new}
        )
        changed.append(key)
    return changed
