"""Roles: seeded system roles, roles composed from plugin actions, and their guard rails."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from authz_support import Tree, make_user

from core import Action, PluginInfo, hookimpl
from core.audit.models import AuditEvent
from core.authz import roles
from core.authz.api import has_permission
from core.authz.grants import grant_role
from core.authz.models import CasbinRule, Role
from core.context import Actor, TenantInfo, acting_as, tenant_context
from core.errors import Conflict, InvalidInput, NotFound
from core.plugins.manager import PluginHost


async def actions_of(key: str) -> list[str]:
    return (await roles.get_role(key)).actions


async def audit_actions() -> list[str]:
    return [e.action for e in await AuditEvent.all().order_by("seq")]


async def test_seed_creates_system_roles_with_defaults(tenant_context: TenantInfo) -> None:
    await roles.seed_roles()
    listed = await roles.list_roles()
    assert [r.key for r in listed] == sorted(roles.SYSTEM_ROLE_KEYS)
    assert all(r.is_system for r in listed)
    names = {r.key: r.name for r in listed}
    assert names["clerk"] == "Văn thư / Clerk"
    assert names["tenant_admin"].startswith("Quản trị hệ thống đơn vị")
    assert "core.roles.manage" in await actions_of("tenant_admin")
    assert "core.roles.manage" not in await actions_of("unit_admin")
    # The example plugin's defaults: view for clerk, leader, specialist; create for the clerk.
    assert "example.notes.create" in await actions_of("clerk")
    assert "example.notes.create" not in await actions_of("specialist")
    assert "example.notes.view" in await actions_of("specialist")
    assert (await audit_actions()).count("role.create") == 5


async def test_seed_is_idempotent(tenant_context: TenantInfo) -> None:
    await roles.seed_roles()
    rows = await CasbinRule.all().count()
    events = len(await audit_actions())
    await roles.seed_roles()
    assert await CasbinRule.all().count() == rows
    assert await Role.all().count() == 5
    assert len(await audit_actions()) == events


async def test_list_actions_follows_enabled_plugins(db: str) -> None:
    from core.testing import make_tenant

    with_example = await make_tenant("with", "With")
    without = await make_tenant("without", "Without", plugins=())
    with tenant_context(with_example):
        keys = {a.key for a in roles.list_actions()}
        assert {"core.units.view", "example.notes.view"} <= keys
        groups = roles.actions_by_plugin()
        assert "example.notes.create" in {a.key for a in groups["example"]}
    with tenant_context(without):
        keys = {a.key for a in roles.list_actions()}
        assert "core.units.view" in keys
        assert "example.notes.view" not in keys
        assert "example" not in roles.actions_by_plugin()
        assert "example.notes.view" in {a.key for a in roles.list_actions(enabled_only=False)}


async def test_created_role_works_at_once(tree: Tree) -> None:
    user = await make_user("an")
    role = await roles.create_role(
        "archivist", "Lưu trữ / Archivist", ["example.notes.view", "core.units.view"]
    )
    assert role.key == "archivist"
    assert not role.is_system
    await grant_role(user.id, "archivist", unit_id=tree.dept.id, descendants=True)
    actor = Actor(kind="user", id=user.id)
    assert await has_permission("example.notes.view", unit_id=tree.team.id, actor=actor)
    assert not await has_permission("example.notes.create", unit_id=tree.team.id, actor=actor)
    assert "role.create" in await audit_actions()


async def test_unknown_action_is_rejected_and_nothing_is_created(
    tenant_context: TenantInfo,
) -> None:
    with pytest.raises(InvalidInput, match=r"'registry\.nope'") as info:
        await roles.create_role("bad", "Bad", ["core.units.view", "registry.nope"])
    assert "actions" in info.value.errors
    assert await Role.all().count() == 0
    assert await CasbinRule.all().count() == 0
    assert await audit_actions() == []


async def test_actions_of_a_disabled_plugin_are_unknown(db: str) -> None:
    from core.testing import make_tenant

    plain = await make_tenant("plain", "Plain", plugins=())
    with tenant_context(plain), pytest.raises(InvalidInput, match=r"example\.notes\.view"):
        await roles.create_role("x_role", "X", ["example.notes.view"])


@pytest.mark.parametrize("key", ["A", "x", "1abc", "has space", "role:x", "x" * 64, ""])
async def test_invalid_keys_are_rejected(tenant_context: TenantInfo, key: str) -> None:
    with pytest.raises(InvalidInput, match="Invalid role key"):
        await roles.create_role(key, "Name", [])
    assert await Role.all().count() == 0


async def test_blank_name_is_rejected(tenant_context: TenantInfo) -> None:
    with pytest.raises(InvalidInput, match="name"):
        await roles.create_role("blank", "   ", [])
    assert await Role.all().count() == 0


async def test_duplicate_key_conflicts(tenant_context: TenantInfo) -> None:
    await roles.create_role("dup", "First", ["core.units.view"])
    with pytest.raises(Conflict, match="'dup' already exists"):
        await roles.create_role("dup", "Second", ["core.users.view"])
    assert (await roles.get_role("dup")).name == "First"
    assert await actions_of("dup") == ["core.units.view"]


async def test_update_role(tenant_context: TenantInfo) -> None:
    await roles.create_role("editor", "Editor", ["core.units.view", "core.users.view"])
    view = await roles.update_role(
        "editor", name="Biên tập", actions=["core.users.view", "example.notes.view"]
    )
    assert view.name == "Biên tập"
    assert view.actions == ["core.users.view", "example.notes.view"]
    assert await actions_of("editor") == ["core.users.view", "example.notes.view"]
    event = (await AuditEvent.filter(action="role.update"))[0]
    assert event.before["actions"] == ["core.units.view", "core.users.view"]
    with pytest.raises(InvalidInput, match=r"'nope\.nope'"):
        await roles.update_role("editor", actions=["nope.nope"])
    assert await actions_of("editor") == ["core.users.view", "example.notes.view"]
    with pytest.raises(NotFound, match="'ghost'"):
        await roles.update_role("ghost", name="x")


async def test_system_roles_cannot_be_deleted(tenant_context: TenantInfo) -> None:
    await roles.seed_roles()
    with pytest.raises(Conflict, match="system role"):
        await roles.delete_role("clerk")
    assert await Role.filter(key="clerk").exists()
    assert await actions_of("clerk")


async def test_granted_roles_cannot_be_deleted(tree: Tree) -> None:
    user = await make_user("bao")
    await roles.create_role("temp", "Temp", ["core.units.view"])
    await grant_role(user.id, "temp", unit_id=tree.root.id)
    with pytest.raises(Conflict, match="still granted 1 time"):
        await roles.delete_role("temp")
    assert await actions_of("temp") == ["core.units.view"]


async def test_delete_role(tenant_context: TenantInfo) -> None:
    await roles.create_role("temp", "Temp", ["core.units.view"])
    await roles.delete_role("temp")
    assert not await Role.filter(key="temp").exists()
    assert await CasbinRule.filter(v0="role:temp").count() == 0
    assert "role.delete" in await audit_actions()
    with pytest.raises(NotFound):
        await roles.delete_role("temp")


async def test_sync_adds_new_defaults_but_respects_removals(
    tenant_context: TenantInfo,
    register_plugin: Callable[[object], str],
    congvan_host: PluginHost,
) -> None:
    await roles.seed_roles()
    # An admin takes an action away from the clerk; syncing must not give it back.
    clerk = await actions_of("clerk")
    await roles.update_role("clerk", actions=[a for a in clerk if a != "example.notes.create"])

    class NewPlugin:
        @hookimpl
        def plugin_info(self) -> PluginInfo:
            return PluginInfo(name="newcomer", version="1", title="New")

        @hookimpl
        def register_actions(self) -> list[Action]:
            return [Action("newcomer.do", "Do", default_roles=("clerk", "leader"))]

    register_plugin(NewPlugin())
    await roles.sync_default_actions()
    clerk_now = await actions_of("clerk")
    assert "newcomer.do" in clerk_now
    assert "example.notes.create" not in clerk_now
    assert "newcomer.do" in await actions_of("leader")
    assert "newcomer.do" not in await actions_of("specialist")
    rows = await CasbinRule.all().count()
    await roles.sync_default_actions()
    assert await CasbinRule.all().count() == rows


async def test_roles_are_per_tenant(tenant: TenantInfo, other_tenant: TenantInfo) -> None:
    with tenant_context(tenant):
        await roles.create_role("mine", "Mine", ["core.units.view"])
    with tenant_context(other_tenant):
        assert await roles.list_roles() == []
        with pytest.raises(NotFound):
            await roles.delete_role("mine")
        # The same key is free in another tenant.
        await roles.create_role("mine", "Theirs", ["core.users.view"])
    with tenant_context(tenant):
        assert await actions_of("mine") == ["core.units.view"]


async def test_role_changes_run_as_any_actor_the_route_allowed(
    tenant_context: TenantInfo,
) -> None:
    # Permission to manage roles is the route's check (core.roles.manage); the service records
    # who acted.
    with acting_as(Actor(kind="user", id=99, name="someone")):
        await roles.create_role("by_user", "By user", [])
    event = (await AuditEvent.filter(action="role.create"))[0]
    assert event.actor == "user:99"
