"""check_permission / has_permission / user_permissions for every kind of actor."""

from __future__ import annotations

import pytest
from authz_support import Tree, make_tree, make_user, user_actor

from core import check_permission as public_check_permission
from core import has_permission as public_has_permission
from core.authz.api import check_permission, has_permission, user_permissions
from core.authz.grants import grant_role
from core.authz.roles import create_role, seed_roles
from core.context import ANONYMOUS, SYSTEM, Actor, TenantInfo, acting_as, tenant_context
from core.errors import NotFound, PermissionDenied, Unauthenticated

REGISTER = "example.notes.create"
VIEW = "example.notes.view"


@pytest.fixture
async def clerk(tree: Tree) -> Actor:
    """A clerk of ``dept`` and the units below it."""
    await seed_roles()
    user = await make_user("clerk")
    await grant_role(user.id, "clerk", unit_id=tree.dept.id, descendants=True)
    return user_actor(user)


async def test_public_api_reexports() -> None:
    assert public_check_permission is check_permission
    assert public_has_permission is has_permission


async def test_grant_with_descendants(tree: Tree, clerk: Actor) -> None:
    with acting_as(clerk):
        await check_permission(REGISTER, unit_id=tree.dept.id)
        await check_permission(REGISTER, unit_id=tree.team.id)
        for unit in (tree.root, tree.other):
            with pytest.raises(PermissionDenied, match=f"Missing permission: {REGISTER}"):
                await check_permission(REGISTER, unit_id=unit.id)
        # Tenant-level actions need a tenant-wide grant.
        with pytest.raises(PermissionDenied) as info:
            await check_permission(REGISTER)
    assert info.value.permission == REGISTER
    assert info.value.status == 403


async def test_grant_on_the_unit_only(tree: Tree) -> None:
    await seed_roles()
    user = await make_user("lan")
    await grant_role(user.id, "clerk", unit_id=tree.dept.id)
    actor = user_actor(user)
    assert await has_permission(REGISTER, unit_id=tree.dept.id, actor=actor)
    assert not await has_permission(REGISTER, unit_id=tree.team.id, actor=actor)
    assert not await has_permission(REGISTER, actor=actor)


async def test_tenant_wide_grant(tree: Tree) -> None:
    await seed_roles()
    user = await make_user("admin")
    await grant_role(user.id, "tenant_admin", unit_id=None)
    actor = user_actor(user)
    for unit in (tree.root, tree.dept, tree.team, tree.other):
        assert await has_permission("core.units.manage", unit_id=unit.id, actor=actor)
    assert await has_permission("core.roles.manage", actor=actor)


async def test_message_names_the_missing_action_and_unit(tree: Tree, clerk: Actor) -> None:
    with acting_as(clerk), pytest.raises(PermissionDenied) as info:
        await check_permission("core.users.manage", unit_id=tree.team.id)
    assert info.value.detail == f"Missing permission: core.users.manage in unit {tree.team.id}"
    assert info.value.to_problem()["permission"] == "core.users.manage"


async def test_anonymous_is_unauthenticated(tree: Tree) -> None:
    with acting_as(ANONYMOUS), pytest.raises(Unauthenticated, match=VIEW):
        await check_permission(VIEW, unit_id=tree.root.id)
    assert not await has_permission(VIEW, actor=ANONYMOUS)


async def test_platform_admins_hold_no_tenant_permissions(tree: Tree) -> None:
    await seed_roles()
    # Even when a tenant user happens to share the platform admin's id.
    user = await make_user("same_id")
    await grant_role(user.id, "tenant_admin", unit_id=None)
    platform = Actor(kind="platform", id=user.id, name="vendor")
    with acting_as(platform), pytest.raises(PermissionDenied, match=r"core\.units\.view"):
        await check_permission("core.units.view")
    assert not await has_permission("core.units.view", unit_id=tree.root.id, actor=platform)


async def test_system_actor_may_do_everything(tree: Tree) -> None:
    with acting_as(SYSTEM):
        await check_permission("anything.at.all")
        await check_permission("core.roles.manage", unit_id=tree.team.id)
    assert await has_permission("x.y", actor=SYSTEM)


async def test_unknown_unit_is_not_found_for_everyone(tree: Tree, clerk: Actor) -> None:
    for actor in (clerk, SYSTEM):
        with acting_as(actor), pytest.raises(NotFound, match="No unit with id 999999"):
            await check_permission(VIEW, unit_id=999999)


async def test_another_tenants_unit_is_not_found(
    tenant: TenantInfo, other_tenant: TenantInfo
) -> None:
    with tenant_context(other_tenant):
        theirs = await make_tree()
    with tenant_context(tenant):
        await seed_roles()
        user = await make_user("nam")
        await grant_role(user.id, "tenant_admin", unit_id=None)
        with acting_as(user_actor(user)), pytest.raises(NotFound):
            await check_permission(VIEW, unit_id=theirs.dept.id)


async def test_same_user_id_in_two_tenants_is_independent(
    tenant: TenantInfo, other_tenant: TenantInfo
) -> None:
    with tenant_context(tenant):
        await seed_roles()
        user = await make_user("hoa")
        await grant_role(user.id, "tenant_admin", unit_id=None)
        assert await has_permission("core.roles.manage", actor=user_actor(user))
    with tenant_context(other_tenant):
        await seed_roles()
        # A principal with the same id in the other tenant holds nothing there.
        assert not await has_permission("core.roles.manage", actor=user_actor(user))
        assert await user_permissions(user.id) == {}


async def test_user_permissions(tree: Tree, clerk: Actor) -> None:
    await create_role("viewer", "Viewer", [VIEW])
    assert clerk.id is not None
    await grant_role(clerk.id, "viewer", unit_id=None)
    permissions = await user_permissions(clerk.id)
    assert permissions[REGISTER] == [f"{tree.dept.path}*"]
    assert permissions[VIEW] == ["*", f"{tree.dept.path}*"]
    assert "core.roles.manage" not in permissions
    assert list(permissions) == sorted(permissions)
