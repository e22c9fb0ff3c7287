"""Grants: scopes, idempotence, revocation, unit moves, who may grant, and tenant isolation."""

from __future__ import annotations

import pytest
from authz_support import Tree, make_user, user_actor

from core.audit.models import AuditEvent
from core.authz import grants
from core.authz.api import has_permission
from core.authz.enforcer import policy_changed
from core.authz.grants import GrantView, grant_role, list_grants, revoke_role
from core.authz.models import CasbinRule
from core.authz.roles import create_role, seed_roles
from core.context import ANONYMOUS, Actor, TenantInfo, acting_as, tenant_context
from core.db.connection import atomic
from core.errors import NotFound, PermissionDenied, Unauthenticated
from core.units.models import Unit

VIEW = "example.notes.view"


@pytest.fixture
async def seeded(tree: Tree) -> Tree:
    await seed_roles()
    return tree


async def g_rows() -> list[tuple[str, str, str]]:
    rows = await CasbinRule.filter(ptype="g").order_by("id").values_list("v0", "v1", "v2")
    return [(str(a), str(b), str(c)) for a, b, c in rows]


async def test_three_scopes_round_trip(seeded: Tree) -> None:
    user = await make_user("an")
    unit_only = await grant_role(user.id, "clerk", unit_id=seeded.dept.id)
    subtree = await grant_role(user.id, "leader", unit_id=seeded.dept.id, descendants=True)
    tenant_wide = await grant_role(user.id, "specialist", unit_id=None)
    assert unit_only == GrantView(user.id, "clerk", seeded.dept.id, False, seeded.dept.path)
    assert subtree.domain == seeded.dept.path + "*"
    assert subtree.descendants
    assert tenant_wide == GrantView(user.id, "specialist", None, False, "*")
    assert await list_grants(user_id=user.id) == [unit_only, subtree, tenant_wide]
    assert await g_rows() == [
        (f"user:{user.id}", "role:clerk", seeded.dept.path),
        (f"user:{user.id}", "role:leader", seeded.dept.path + "*"),
        (f"user:{user.id}", "role:specialist", "*"),
    ]
    events = await AuditEvent.filter(action="grant.add").order_by("seq")
    assert [e.unit_id for e in events] == [seeded.dept.id, seeded.dept.id, None]
    assert events[1].after["descendants"] is True


async def test_granting_twice_changes_nothing(seeded: Tree) -> None:
    user = await make_user("an")
    first = await grant_role(user.id, "clerk", unit_id=seeded.root.id, descendants=True)
    again = await grant_role(user.id, "clerk", unit_id=seeded.root.id, descendants=True)
    assert first == again
    assert len(await g_rows()) == 1
    assert await AuditEvent.filter(action="grant.add").count() == 1


async def test_unknown_role_user_or_unit(seeded: Tree) -> None:
    user = await make_user("an")
    with pytest.raises(NotFound, match="'ghost'"):
        await grant_role(user.id, "ghost", unit_id=None)
    with pytest.raises(NotFound, match="No user with id 999999"):
        await grant_role(999999, "clerk", unit_id=None)
    with pytest.raises(NotFound, match="No unit with id 999999"):
        await grant_role(user.id, "clerk", unit_id=999999)
    assert await g_rows() == []


async def test_revoke(seeded: Tree) -> None:
    user = await make_user("an")
    await grant_role(user.id, "clerk", unit_id=seeded.dept.id, descendants=True)
    actor = user_actor(user)
    assert await has_permission(VIEW, unit_id=seeded.team.id, actor=actor)
    # The scope must match exactly: the unit-only grant does not exist.
    with pytest.raises(NotFound, match="holds no grant of role 'clerk'"):
        await revoke_role(user.id, "clerk", unit_id=seeded.dept.id)
    assert len(await g_rows()) == 1
    await revoke_role(user.id, "clerk", unit_id=seeded.dept.id, descendants=True)
    assert await g_rows() == []
    assert not await has_permission(VIEW, unit_id=seeded.team.id, actor=actor)
    event = await AuditEvent.get(action="grant.revoke")
    assert event.unit_id == seeded.dept.id
    with pytest.raises(NotFound, match="tenant-wide"):
        await revoke_role(user.id, "clerk", unit_id=None)


async def test_revoke_all_for_user(seeded: Tree) -> None:
    user = await make_user("an")
    other = await make_user("binh")
    await grant_role(user.id, "clerk", unit_id=seeded.dept.id)
    await grant_role(user.id, "leader", unit_id=None)
    await grant_role(other.id, "clerk", unit_id=None)
    assert await grants.revoke_all_for_user(user.id) == 2
    assert await list_grants(user_id=user.id) == []
    assert len(await list_grants()) == 1
    assert not await has_permission(VIEW, actor=user_actor(user))
    assert await grants.revoke_all_for_user(user.id) == 0


async def test_unit_move_keeps_grants_working(seeded: Tree) -> None:
    """Move ``dept`` (with ``team``) under ``other``, as the unit service does."""
    user = await make_user("an")
    await grant_role(user.id, "clerk", unit_id=seeded.dept.id, descendants=True)
    await grant_role(user.id, "leader", unit_id=seeded.team.id)
    await grant_role(user.id, "specialist", unit_id=seeded.root.id, descendants=True)
    actor = user_actor(user)
    old_path = seeded.dept.path
    new_path = f"{seeded.other.path}{seeded.dept.id}/"
    async with atomic():
        for unit in await Unit.filter(path__startswith=old_path):
            unit.path = new_path + unit.path[len(old_path) :]
            await unit.save(update_fields=["path"])
        assert await grants.on_unit_moved(old_path, new_path) == 2
    await policy_changed()
    assert await has_permission("example.notes.create", unit_id=seeded.team.id, actor=actor)
    assert await has_permission("core.units.view", unit_id=seeded.team.id, actor=actor)
    views = {g.role_key: g for g in await list_grants(user_id=user.id)}
    assert views["clerk"] == GrantView(user.id, "clerk", seeded.dept.id, True, new_path + "*")
    assert views["leader"].domain == f"{new_path}{seeded.team.id}/"
    assert views["specialist"].domain == seeded.root.path + "*"  # an ancestor: untouched


async def test_unit_move_outside_a_transaction_announces_itself(seeded: Tree) -> None:
    user = await make_user("an")
    await grant_role(user.id, "clerk", unit_id=seeded.dept.id)
    actor = user_actor(user)
    old_path, new_path = seeded.dept.path, f"{seeded.other.path}{seeded.dept.id}/"
    await Unit.filter(id=seeded.dept.id).update(path=new_path)
    await grants.on_unit_moved(old_path, new_path)
    assert await has_permission(VIEW, unit_id=seeded.dept.id, actor=actor)


@pytest.mark.parametrize(("old", "new"), [("", "/1/"), ("/1", "/2/"), ("/", "/2/"), ("/1/", "2/")])
async def test_unit_move_rejects_bad_paths(tenant_context: TenantInfo, old: str, new: str) -> None:
    with pytest.raises(ValueError, match="must look like /3/7/"):
        await grants.on_unit_moved(old, new)


async def test_grant_managers_act_within_their_scope(seeded: Tree) -> None:
    manager = await make_user("manager")
    target = await make_user("target")
    await grant_role(manager.id, "unit_admin", unit_id=seeded.dept.id, descendants=True)
    with acting_as(user_actor(manager)):
        await grant_role(target.id, "clerk", unit_id=seeded.team.id, descendants=True)
        await grant_role(target.id, "clerk", unit_id=seeded.dept.id)
        for unit_id, descendants in ((seeded.root.id, False), (seeded.other.id, True)):
            with pytest.raises(PermissionDenied, match=r"core\.grants\.manage for scope"):
                await grant_role(target.id, "clerk", unit_id=unit_id, descendants=descendants)
        with pytest.raises(PermissionDenied, match="for the whole tenant"):
            await grant_role(target.id, "tenant_admin", unit_id=None)
        with pytest.raises(PermissionDenied):
            await revoke_role(manager.id, "unit_admin", unit_id=seeded.root.id)
        await revoke_role(target.id, "clerk", unit_id=seeded.dept.id)
    assert [g.unit_id for g in await list_grants(user_id=target.id)] == [seeded.team.id]
    event = (await AuditEvent.filter(action="grant.add").order_by("-seq"))[0]
    assert event.actor == f"user:{manager.id}"


async def test_a_unit_only_manager_cannot_grant_the_subtree(seeded: Tree) -> None:
    manager = await make_user("manager")
    target = await make_user("target")
    await grant_role(manager.id, "unit_admin", unit_id=seeded.dept.id)
    with acting_as(user_actor(manager)):
        await grant_role(target.id, "clerk", unit_id=seeded.dept.id)
        with pytest.raises(PermissionDenied, match=r"core\.grants\.manage"):
            await grant_role(target.id, "clerk", unit_id=seeded.dept.id, descendants=True)


@pytest.mark.parametrize("kind", ["platform", "anonymous", "plain_user"])
async def test_others_may_not_grant(seeded: Tree, kind: str) -> None:
    target = await make_user("target")
    actor = {
        "platform": Actor(kind="platform", id=1),
        "anonymous": ANONYMOUS,
        "plain_user": user_actor(target),
    }[kind]
    error = Unauthenticated if kind == "anonymous" else PermissionDenied
    with acting_as(actor), pytest.raises(error):
        await grant_role(target.id, "clerk", unit_id=seeded.dept.id)
    assert await g_rows() == []


def test_domain_helpers() -> None:
    assert grants.parse_domain("*") == (None, False)
    assert grants.parse_domain("/3/7/") == (7, False)
    assert grants.parse_domain("/3/7/*") == (7, True)
    with pytest.raises(ValueError, match="names no unit"):
        grants.parse_domain("/")
    assert grants.covers("*", "*")
    assert grants.covers("/3/*", "/3/7/*")
    assert grants.covers("/3/*", "/3/")
    assert not grants.covers("/3/*", "*")
    assert not grants.covers("/3/7/", "/3/7/*")
    assert not grants.covers("/3/7/*", "/3/")


async def test_grants_are_per_tenant(tenant: TenantInfo, other_tenant: TenantInfo) -> None:
    with tenant_context(tenant):
        await seed_roles()
        await create_role("only_here", "Only here", [VIEW])
        user = await make_user("an")
        await grant_role(user.id, "only_here", unit_id=None)
    with tenant_context(other_tenant):
        await seed_roles()
        assert await list_grants() == []
        # The user and the role belong to the other tenant: both unknown here.
        with pytest.raises(NotFound):
            await grant_role(user.id, "clerk", unit_id=None)
        with pytest.raises(NotFound):
            await revoke_role(user.id, "only_here", unit_id=None)
        assert await grants.revoke_all_for_user(user.id) == 0
    with tenant_context(tenant):
        assert len(await list_grants()) == 1
