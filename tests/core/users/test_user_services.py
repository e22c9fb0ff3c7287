from __future__ import annotations

import json

import pytest

from core.audit.models import AuditEvent
from core.errors import Conflict, InvalidInput, NotFound
from core.units.services import create_unit, deactivate_unit
from core.users.models import ApiToken, Position, User
from core.users.passwords import verify_password
from core.users.services import (
    activate_user,
    add_position,
    create_user,
    deactivate_user,
    get_user,
    get_user_by_username,
    list_users,
    remove_position,
    set_password,
    update_user,
    user_positions,
    user_units,
)
from core.users.tokens import create_token

pytestmark = pytest.mark.usefixtures("tenant_context")


async def actions() -> list[str]:
    return [e.action for e in await AuditEvent.all().order_by("seq")]


async def test_create_normalises_and_stores_an_argon2_hash():
    unit = await create_unit("STP", "Sở Tư pháp")
    user = await create_user(
        "  An.NV ",
        "Nguyễn  Văn An",
        password="mật-khẩu-dài",
        email="an.nv@stp.gov.vn",
        phone="+84 (0)236 3822 123",
        unit_id=unit.id,
        position_title="Chuyên viên",
    )
    stored = await get_user(user.id)
    assert (stored.username, stored.full_name) == ("an.nv", "Nguyễn Văn An")
    assert stored.password_hash.startswith("$argon2id$")
    assert verify_password(stored.password_hash, "mật-khẩu-dài")
    [position] = await user_positions(user.id)
    assert (position.unit_id, position.title, position.is_primary) == (unit.id, "Chuyên viên", True)
    assert await actions() == ["unit.create", "user.create", "position.add"]
    event = await AuditEvent.get(action="user.create")
    assert event.after is not None
    assert event.after["username"] == "an.nv"
    assert "$argon2" not in json.dumps([e.after for e in await AuditEvent.all()])
    assert (await get_user_by_username("AN.NV")) is not None


async def test_user_without_password_has_no_usable_hash():
    user = await create_user("clerk", "Văn thư")
    assert user.password_hash == ""


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("a", "Name"), {}, "username"),
        (("has space", "Name"), {}, "username"),
        (("đức", "Name"), {}, "username"),
        (("x" * 151, "Name"), {}, "username"),
        (("ok", "  "), {}, "full_name"),
        (("ok", "Name"), {"email": "not-an-address"}, "email"),
        (("ok", "Name"), {"phone": "call me"}, "phone"),
        (("ok", "Name"), {"password": "short"}, "password"),
        (("ok.user", "Name"), {"password": "OK.USER"}, "password"),
        (("ok", "Name"), {"position_title": "x" * 201}, "title"),
    ],
)
async def test_bad_input_is_refused_with_the_field_and_nothing_is_created(args, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        await create_user(*args, **kwargs)
    assert field in caught.value.errors
    assert await User.all().count() == 0
    assert await actions() == []


async def test_password_equal_to_username_is_refused_and_says_so():
    with pytest.raises(InvalidInput, match="must not be the user name"):
        await create_user("nguyenvanan", "An", password="NguyenVanAn")


async def test_duplicate_username_is_a_conflict_naming_it():
    await create_user("an.nv", "An")
    with pytest.raises(Conflict, match=r"username 'an\.nv' is already taken"):
        await create_user("AN.NV", "Another An")
    assert await User.all().count() == 1


async def test_create_in_unknown_or_deactivated_unit_creates_nothing():
    with pytest.raises(NotFound, match="No unit with id 404"):
        await create_user("an.nv", "An", unit_id=404)
    unit = await create_unit("OLD", "Old unit")
    await deactivate_unit(unit.id)
    with pytest.raises(InvalidInput, match="'OLD' is deactivated"):
        await create_user("an.nv", "An", unit_id=unit.id)
    assert await User.all().count() == 0


async def test_list_filters_by_unit_subtree_search_and_activity():
    agency = await create_unit("STP", "Sở Tư pháp")
    dept = await create_unit("VP", "Văn phòng", parent_id=agency.id)
    an = await create_user("an.nv", "Nguyễn Văn An", unit_id=agency.id, email="an@stp.gov.vn")
    binh = await create_user("binh.tt", "Trần Thị Bình", unit_id=dept.id)
    chi = await create_user("chi.lv", "Lê Văn Chí")
    await add_position(an.id, dept.id, "Kiêm nhiệm")
    assert [u.username for u in await list_users()] == ["an.nv", "binh.tt", "chi.lv"]
    assert [u.username for u in await list_users(unit_id=dept.id)] == ["an.nv", "binh.tt"]
    assert [u.username for u in await list_users(unit_id=agency.id)] == ["an.nv"]
    assert [u.username for u in await list_users(unit_id=agency.id, subtree=True)] == [
        "an.nv",
        "binh.tt",
    ]
    assert [u.username for u in await list_users(q="Văn")] == ["an.nv", "chi.lv"]
    assert [u.username for u in await list_users(q="AN.NV")] == ["an.nv"]
    assert [u.username for u in await list_users(q="stp.gov")] == ["an.nv"]
    assert [u.username for u in await list_users(q="chi")] == ["chi.lv"]
    await deactivate_user(binh.id)
    assert [u.id for u in await list_users(include_inactive=False)] == [an.id, chi.id]
    with pytest.raises(NotFound):
        await list_users(unit_id=999)


async def test_update_changes_given_fields_and_audits_the_difference():
    user = await create_user("an.nv", "An", email="old@x.vn")
    updated = await update_user(user.id, full_name="Nguyễn Văn An", email="")
    assert (updated.full_name, updated.email, updated.phone) == ("Nguyễn Văn An", "", "")
    event = await AuditEvent.get(action="user.update")
    assert event.before == {"full_name": "An", "email": "old@x.vn"}
    assert event.after == {"full_name": "Nguyễn Văn An", "email": ""}
    with pytest.raises(InvalidInput, match="'bad'"):
        await update_user(user.id, full_name="Changed", email="bad")
    assert (await get_user(user.id)).full_name == "Nguyễn Văn An"
    with pytest.raises(NotFound, match="No user with id 999"):
        await update_user(999, full_name="X")


async def test_set_password_checks_policy_and_never_audits_hashes():
    user = await create_user("an.nv", "An", password="first-password")
    old_hash = (await get_user(user.id)).password_hash
    with pytest.raises(InvalidInput) as caught:
        await set_password(user.id, "1234567")
    assert caught.value.errors == {"password": "at least 8 characters"}
    assert (await get_user(user.id)).password_hash == old_hash
    await set_password(user.id, "second-password")
    stored = await get_user(user.id)
    assert verify_password(stored.password_hash, "second-password")
    assert not verify_password(stored.password_hash, "first-password")
    event = await AuditEvent.get(action="user.password")
    assert event.before == {"has_password": True}
    assert event.after == {"has_password": True}


async def test_deactivation_revokes_tokens_and_activation_keeps_them_revoked():
    user = await create_user("an.nv", "An")
    await create_token(user.id, "phone")
    await create_token(user.id, "laptop")
    await deactivate_user(user.id)
    assert not (await get_user(user.id)).is_active
    assert await ApiToken.filter(revoked_at__isnull=True).count() == 0
    event = await AuditEvent.get(action="user.deactivate")
    assert event.after == {"is_active": False, "tokens_revoked": 2}
    await activate_user(user.id)
    assert (await get_user(user.id)).is_active
    assert await ApiToken.filter(revoked_at__isnull=True).count() == 0
    await update_user(user.id, is_active=False)  # the general path revokes too
    assert not (await get_user(user.id)).is_active


async def test_positions_keep_exactly_one_primary():
    agency = await create_unit("STP", "Sở Tư pháp")
    dept = await create_unit("VP", "Văn phòng", parent_id=agency.id)
    other = await create_unit("SNV", "Sở Nội vụ")
    user = await create_user("an.nv", "An")
    first = await add_position(user.id, agency.id, "Phó Giám đốc")
    assert first.is_primary  # the first position becomes primary
    second = await add_position(user.id, dept.id, "Chánh Văn phòng")
    assert not second.is_primary
    await add_position(user.id, other.id, "Thành viên", is_primary=True)
    primaries = await Position.filter(user_id=user.id, is_primary=True)
    assert [p.unit_id for p in primaries] == [other.id]
    assert [u.code for u in await user_units(user.id)] == ["SNV", "STP", "VP"]

    again = await add_position(user.id, dept.id, "Chánh Văn phòng (kiêm)")
    assert again.id == second.id
    assert again.title == "Chánh Văn phòng (kiêm)"
    assert await Position.filter(user_id=user.id).count() == 3

    await remove_position(user.id, other.id)
    assert [p.unit_id for p in await Position.filter(user_id=user.id, is_primary=True)] == [
        agency.id
    ]
    assert (await actions())[-5:] == [
        "position.add",
        "position.add",
        "position.add",
        "position.update",
        "position.remove",
    ]


async def test_position_errors_name_what_is_wrong():
    unit = await create_unit("STP", "Sở Tư pháp")
    user = await create_user("an.nv", "An")
    with pytest.raises(NotFound, match="holds no position in unit 'STP'"):
        await remove_position(user.id, unit.id)
    with pytest.raises(NotFound, match="No unit with id 999"):
        await add_position(user.id, 999)
    with pytest.raises(NotFound, match="No user with id 999"):
        await add_position(999, unit.id)
    await deactivate_unit(unit.id)
    with pytest.raises(InvalidInput, match="'STP' is deactivated"):
        await add_position(user.id, unit.id)
    assert await Position.all().count() == 0
