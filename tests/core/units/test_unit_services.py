from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.audit.models import AuditEvent
from core.authz.models import CasbinRule
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput, NotFound
from core.notify import POLICY_CHANNEL, InProcessChangeBus, get_change_bus, set_change_bus
from core.units.models import Unit
from core.units.services import (
    activate_unit,
    create_unit,
    deactivate_unit,
    delete_unit,
    get_unit,
    get_unit_by_code,
    list_units,
    move_unit,
    subtree_ids,
    unit_path,
    update_unit,
)
from core.users.services import add_position, create_user

pytestmark = pytest.mark.usefixtures("tenant_context")


async def tree() -> dict[str, Unit]:
    """UBND → (VP → TH), STP; SNV a second root."""
    ubnd = await create_unit("UBND", "Ủy ban nhân dân tỉnh", short_name="UBND")
    vp = await create_unit("VP", "Văn phòng", parent_id=ubnd.id, kind="office", short_name="VP")
    th = await create_unit("TH", "Phòng Tổng hợp", parent_id=vp.id, kind="division")
    stp = await create_unit("STP", "Sở Tư pháp", parent_id=ubnd.id, short_name="STP")
    snv = await create_unit("SNV", "Sở Nội vụ", short_name="SNV")
    return {"ubnd": ubnd, "vp": vp, "th": th, "stp": stp, "snv": snv}


async def events(action: str) -> list[AuditEvent]:
    return list(await AuditEvent.filter(action=action).order_by("seq"))


async def test_create_derives_path_and_level_and_stores_every_field():
    agency = await create_unit(
        "SO-TP",
        "  Sở   Tư pháp ",
        short_name="stp",
        organ_id="000.00.00.h41",
        organ_id_v2="H37.02.02",
        sort_order=3,
    )
    dept = await create_unit("SO-TP.VP", "Văn phòng Sở", parent_id=agency.id, kind="department")
    assert agency.path == f"/{agency.id}/"
    assert agency.level == 0
    assert dept.path == f"/{agency.id}/{dept.id}/"
    assert dept.level == 1
    stored = await get_unit(agency.id)
    assert (stored.name, stored.short_name, stored.kind) == ("Sở Tư pháp", "STP", "agency")
    assert (stored.organ_id, stored.organ_id_v2, stored.sort_order) == (
        "000.00.00.H41",
        "H37.02.02",
        3,
    )
    assert stored.is_active
    [event, _] = await events("unit.create")
    assert event.object_id == str(agency.id)
    assert event.unit_id == agency.id
    assert event.after is not None
    assert event.after["code"] == "SO-TP"
    assert event.after["path"] == agency.path


async def test_vietnamese_capitals_are_allowed_in_short_names():
    unit = await create_unit("HDND", "Hội đồng nhân dân tỉnh", short_name="HĐND")
    assert unit.short_name == "HĐND"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "has space"}, "code"),
        ({"code": "x" * 51}, "code"),
        ({"name": "   "}, "name"),
        ({"short_name": "UB ND"}, "short_name"),
        ({"short_name": "QĐ-UBND"}, "short_name"),
        ({"kind": "ministry"}, "kind"),
        ({"organ_id": "H37.02.02"}, "organ_id"),
        ({"organ_id_v2": "H37..02"}, "organ_id_v2"),
    ],
)
async def test_bad_input_is_refused_with_the_field_and_nothing_is_created(kwargs, field):
    args = {"code": "OK", "name": "Unit", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        await create_unit(args.pop("code"), args.pop("name"), **args)
    assert field in caught.value.errors
    assert await Unit.all().count() == 0
    assert await AuditEvent.all().count() == 0


async def test_duplicate_code_is_a_conflict_naming_the_code():
    await create_unit("STP", "Sở Tư pháp")
    with pytest.raises(Conflict, match="'STP'"):
        await create_unit("STP", "Another")
    other = await create_unit("SNV", "Sở Nội vụ")
    with pytest.raises(Conflict, match="'STP'"):
        await update_unit(other.id, code="STP")
    assert [u.name for u in await list_units()] == ["Sở Nội vụ", "Sở Tư pháp"]
    assert (await get_unit(other.id)).code == "SNV"


async def test_unknown_ids_are_not_found():
    with pytest.raises(NotFound, match="No unit with id 999"):
        await get_unit(999)
    with pytest.raises(NotFound, match="No unit with id 999"):
        await create_unit("X", "X", parent_id=999)
    assert await get_unit_by_code("NOPE") is None
    with pytest.raises(NotFound):
        await unit_path(999)


async def test_list_is_in_tree_order_and_can_hide_inactive_units():
    units = await tree()
    await update_unit(units["stp"].id, sort_order=-1)
    codes = [u.code for u in await list_units()]
    assert codes == ["SNV", "UBND", "STP", "VP", "TH"]
    await deactivate_unit(units["vp"].id)
    assert [u.code for u in await list_units(include_inactive=False)] == ["SNV", "UBND", "STP"]
    assert await get_unit_by_code("VP") is not None


async def test_update_changes_only_given_fields_and_audits_the_difference():
    unit = await create_unit("STP", "Sở Tư pháp", short_name="STP", organ_id="000.00.00.H41")
    updated = await update_unit(unit.id, name="Sở Tư pháp tỉnh", organ_id=None, kind="agency")
    assert updated.name == "Sở Tư pháp tỉnh"
    assert updated.organ_id is None
    assert updated.short_name == "STP"
    [event] = await events("unit.update")
    assert event.before == {"name": "Sở Tư pháp", "organ_id": "000.00.00.H41"}
    assert event.after == {"name": "Sở Tư pháp tỉnh", "organ_id": None}
    await update_unit(unit.id, name="Sở Tư pháp tỉnh")  # no change, no event
    assert len(await events("unit.update")) == 1


async def test_bad_update_changes_nothing():
    unit = await create_unit("STP", "Sở Tư pháp", short_name="STP")
    with pytest.raises(InvalidInput) as caught:
        await update_unit(unit.id, name="New", short_name="bad name")
    assert "short_name" in caught.value.errors
    stored = await get_unit(unit.id)
    assert (stored.name, stored.short_name) == ("Sở Tư pháp", "STP")


async def test_move_rewrites_paths_and_levels_of_the_whole_subtree():
    units = await tree()
    vp, th, snv = units["vp"], units["th"], units["snv"]
    moved = await move_unit(vp.id, snv.id)
    assert moved.path == f"/{snv.id}/{vp.id}/"
    assert moved.level == 1
    th_now = await get_unit(th.id)
    assert th_now.path == f"/{snv.id}/{vp.id}/{th.id}/"
    assert th_now.level == 2
    assert (await get_unit(vp.id)).parent_id == snv.id
    assert sorted(await subtree_ids(snv.id)) == sorted([snv.id, vp.id, th.id])
    [event] = await events("unit.move")
    assert event.before == {"parent_id": units["ubnd"].id, "path": vp.path, "level": 1}
    assert event.after == {"parent_id": snv.id, "path": moved.path, "level": 1}

    root = await move_unit(vp.id, None)
    assert root.path == f"/{vp.id}/"
    assert root.level == 0
    assert root.parent_id is None
    th_now = await get_unit(th.id)
    assert th_now.path == f"/{vp.id}/{th.id}/"
    assert th_now.level == 1
    assert await unit_path(th.id) == th_now.path


async def test_move_moves_role_grants_scoped_to_the_subtree():
    units = await tree()
    vp, th, snv = units["vp"], units["th"], units["snv"]
    await CasbinRule.create(ptype="g", v0="user:1", v1="role:clerk", v2=th.path + "*")
    await move_unit(vp.id, snv.id)
    rule = await CasbinRule.get(v0="user:1")
    assert rule.v2 == (await get_unit(th.id)).path + "*"


async def test_move_refuses_cycles_and_changes_nothing():
    units = await tree()
    ubnd, vp, th = units["ubnd"], units["vp"], units["th"]
    before = {u.id: (u.path, u.level) for u in await list_units()}
    with pytest.raises(InvalidInput, match="cannot move unit UBND under its own descendant TH"):
        await move_unit(ubnd.id, th.id)
    with pytest.raises(InvalidInput, match="cannot move unit VP under its own descendant TH"):
        await move_unit(vp.id, th.id)
    with pytest.raises(InvalidInput, match="cannot move unit VP under itself"):
        await move_unit(vp.id, vp.id)
    assert {u.id: (u.path, u.level) for u in await list_units()} == before
    assert await events("unit.move") == []


async def test_move_to_the_same_parent_is_a_no_op():
    units = await tree()
    await move_unit(units["vp"].id, units["ubnd"].id)
    assert await events("unit.move") == []


async def test_deactivation_covers_the_subtree_and_activation_needs_an_active_parent():
    units = await tree()
    ubnd, vp, th = units["ubnd"], units["vp"], units["th"]
    await deactivate_unit(vp.id)
    assert not (await get_unit(vp.id)).is_active
    assert not (await get_unit(th.id)).is_active
    assert (await get_unit(ubnd.id)).is_active
    [event] = await events("unit.deactivate")
    assert event.after == {"is_active": False, "changed_ids": sorted([vp.id, th.id])}

    with pytest.raises(InvalidInput, match="under the deactivated unit 'VP'"):
        await activate_unit(th.id)
    with pytest.raises(InvalidInput, match="'VP' is deactivated"):
        await create_unit("NEW", "New", parent_id=vp.id)
    with pytest.raises(InvalidInput, match="'VP' is deactivated"):
        await move_unit(units["stp"].id, vp.id)

    await activate_unit(vp.id)
    assert (await get_unit(vp.id)).is_active
    assert not (await get_unit(th.id)).is_active
    await deactivate_unit(vp.id)
    await activate_unit(vp.id, subtree=True)
    assert (await get_unit(th.id)).is_active
    assert [e.action for e in await AuditEvent.filter(action__startswith="unit.").order_by("seq")][
        -4:
    ] == ["unit.deactivate", "unit.activate", "unit.deactivate", "unit.activate"]


async def test_delete_of_an_unreferenced_unit():
    units = await tree()
    await delete_unit(units["th"].id)
    with pytest.raises(NotFound):
        await get_unit(units["th"].id)
    [event] = await events("unit.delete")
    assert event.before is not None
    assert event.before["code"] == "TH"


async def test_delete_refused_while_children_positions_or_grants_refer_to_the_unit():
    units = await tree()
    with pytest.raises(Conflict, match=r"unit VP is referenced by 1 child unit\(s\); deactivate"):
        await delete_unit(units["vp"].id)

    user = await create_user("an.nv", "Nguyễn Văn An")
    await add_position(user.id, units["th"].id, "Chuyên viên")
    with pytest.raises(Conflict, match=r"unit TH is referenced by 1 position\(s\)"):
        await delete_unit(units["th"].id)

    await CasbinRule.create(ptype="g", v0="user:1", v1="role:clerk", v2=units["snv"].path)
    with pytest.raises(Conflict, match=r"unit SNV is referenced by 1 role grant\(s\)"):
        await delete_unit(units["snv"].id)

    assert await Unit.all().count() == 5
    assert await events("unit.delete") == []


@pytest.fixture
def policy_messages() -> Iterator[list[str]]:
    """Payloads published on the policy channel of a fresh in-process change bus."""
    previous = get_change_bus()
    bus = InProcessChangeBus()
    set_change_bus(bus)
    received: list[str] = []
    bus.subscribe(POLICY_CHANNEL, received.append)
    yield received
    set_change_bus(previous)


async def test_moved_grants_are_announced_after_the_outermost_commit(
    tenant_context, policy_messages
):
    units = await tree()
    await CasbinRule.create(ptype="g", v0="user:1", v1="role:clerk", v2=units["th"].path)
    async with atomic():
        await move_unit(units["vp"].id, units["snv"].id)
        assert policy_messages == []  # not committed yet: nobody may reload
    assert policy_messages == [str(tenant_context.id)]
    await move_unit(units["stp"].id, units["snv"].id)  # no grant under STP: nothing to say
    assert policy_messages == [str(tenant_context.id)]


async def test_unit_rows_match_list_units_in_order_and_filter(tenant_context):
    from core.units.services import (
        create_unit,
        deactivate_unit,
        list_units,
        unit_rows,
    )

    root = await create_unit("ROOT", "UBND")
    b = await create_unit("B", "Sở B", parent_id=root.id)
    await create_unit("A", "Sở A", parent_id=root.id)
    await create_unit("B1", "Phòng B1", parent_id=b.id)
    gone = await create_unit("Z", "Sở Z", parent_id=root.id)
    await deactivate_unit(gone.id)
    for include_inactive in (True, False):
        units = await list_units(include_inactive=include_inactive)
        rows = await unit_rows(include_inactive=include_inactive)
        assert [r["id"] for r in rows] == [u.id for u in units]
        assert rows[0]["code"] == "ROOT"
    assert [r["code"] for r in await unit_rows(include_inactive=False)] == ["ROOT", "A", "B", "B1"]
