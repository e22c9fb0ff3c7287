"""The user pages (/admin/users): list with search, unit filter and pages; create, edit,
deactivate, password reset, positions; bad input kept in the form with Vietnamese messages,
stale and repeated forms, permissions by unit and two-tenant isolation."""

from __future__ import annotations

import html
import re

import pytest

from core.testing_web import HTML, PASSWORD, client_for, hidden_fields, sign_in_page, submit_form
from core.web.flash import FLASH_COOKIE

NEW = "/admin/users/new"
NEW_PASSWORD = "Mật-khẩu-mới-đủ-dài"


def field_error(page: str, name: str) -> str | None:
    match = re.search(rf'data-field-error="{name}">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input id="f-{name}" name="{name}" type="[^"]+" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def listed(page: str) -> list[str]:
    return re.findall(r'data-username="([^"]+)"', page)


def user_fields(**values: str) -> dict[str, str]:
    fields = {
        "username": "hoa.nt",
        "full_name": "Nguyễn Thị Hoa",
        "email": "hoa@stp.gov.vn",
        "phone": "0912 345 678",
        "password": NEW_PASSWORD,
        "unit_id": "",
        "position_title": "",
    }
    fields.update(values)
    return fields


async def user_named(in_tenant, tenant, username: str):
    from core.users.models import User

    return await in_tenant(tenant, lambda: User.get_or_none(username=username))


async def positions_of(in_tenant, tenant, user_id: int) -> list[tuple[int, str, bool]]:
    from core.users.services import user_positions

    positions = await in_tenant(tenant, lambda: user_positions(user_id))
    return [(p.unit_id, p.title, p.is_primary) for p in positions]


async def signs_in(app, username: str, password: str) -> bool:
    async with client_for(app, "alpha.localhost") as c:
        return (await sign_in_page(c, username, password)).status_code == 303


@pytest.fixture
async def units(tenant, in_tenant):
    """UBND > (STP, SYT); an inactive unit OLD."""
    from core.units.services import create_unit, deactivate_unit

    async def build():
        ubnd = await create_unit("UBND", "Ủy ban nhân dân tỉnh")
        stp = await create_unit("STP", "Sở Tư pháp", parent_id=ubnd.id)
        syt = await create_unit("SYT", "Sở Y tế", parent_id=ubnd.id)
        old = await create_unit("OLD", "Đơn vị cũ")
        await deactivate_unit(old.id)
        return {"UBND": ubnd, "STP": stp, "SYT": syt, "OLD": old}

    return await in_tenant(tenant, build)


@pytest.fixture
async def staff(tenant, in_tenant, units):
    """lan (STP), minh (SYT, deactivated), tuan (no unit)."""
    from core.users.services import create_user, deactivate_user

    async def build():
        lan = await create_user(
            "lan", "Trần Thị Lan", email="lan@stp.gov.vn", unit_id=units["STP"].id
        )
        minh = await create_user("minh", "Lê Văn Minh", unit_id=units["SYT"].id)
        await deactivate_user(minh.id)
        tuan = await create_user("tuan", "Phạm Tuấn", email="tuan@example.vn")
        return {"lan": lan, "minh": minh, "tuan": tuan}

    return await in_tenant(tenant, build)


# ---------------------------------------------------------------------------- the list


async def test_the_list_searches_filters_by_unit_and_marks_inactive_users(
    page_client, admin, staff, units
):
    c = await page_client(admin)
    page = await c.get("/admin/users", headers=HTML)
    assert page.status_code == 200
    assert set(listed(page.text)) == {"admin", "lan", "minh", "tuan"}
    assert re.search(r'data-username="minh" class="inactive"', page.text)
    assert not re.search(r'data-username="lan" class="inactive"', page.text)
    assert "Sở Tư pháp" in page.text  # lan's primary unit
    by_name = await c.get("/admin/users", params={"q": "Tuấn"}, headers=HTML)
    assert listed(by_name.text) == ["tuan"]
    by_mail = await c.get("/admin/users", params={"q": "STP.GOV"}, headers=HTML)
    assert listed(by_mail.text) == ["lan"]
    assert input_value(by_mail.text, "q") == "STP.GOV"
    in_unit = await c.get("/admin/users", params={"unit_id": units["SYT"].id}, headers=HTML)
    assert listed(in_unit.text) == ["minh"]
    below = await c.get(
        "/admin/users", params={"unit_id": units["UBND"].id, "subtree": "on"}, headers=HTML
    )
    assert set(listed(below.text)) == {"lan", "minh"}
    only_root = await c.get("/admin/users", params={"unit_id": units["UBND"].id}, headers=HTML)
    assert listed(only_root.text) == []
    assert 'data-testid="no-users"' in only_root.text


async def test_a_wrong_filter_is_a_field_error(page_client, admin, other_tenant, in_tenant):
    from core.units.services import create_unit

    beta = await in_tenant(other_tenant, lambda: create_unit("BETA", "Beta"))
    c = await page_client(admin)
    foreign = await c.get("/admin/users", params={"unit_id": beta.id}, headers=HTML)
    assert foreign.status_code == 422
    assert field_error(foreign.text, "unit_id") == "Đơn vị này không tồn tại."
    too_long = await c.get("/admin/users", params={"q": "x" * 101}, headers=HTML)
    assert too_long.status_code == 422
    assert field_error(too_long.text, "q") == "Tối đa 100 ký tự."


async def test_the_list_pages_with_next_links(page_client, admin, tenant, in_tenant):
    from core.users.services import create_user

    async def many():
        for i in range(55):
            await create_user(f"cb{i:02d}", f"Cán bộ {i:02d}")

    await in_tenant(tenant, many)
    c = await page_client(admin)
    first = await c.get("/admin/users", params={"q": "Cán bộ"}, headers=HTML)
    names = listed(first.text)
    assert len(names) == 50
    match = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert match
    second = await c.get(html.unescape(match.group(1)), headers=HTML)
    rest = listed(second.text)
    assert len(rest) == 5
    assert 'rel="next"' not in second.text
    assert sorted(names + rest) == [f"cb{i:02d}" for i in range(55)]


async def test_the_pages_are_not_on_the_platform_host(app, staff):
    async with client_for(app, "localhost") as c:
        assert (await c.get("/admin/users", headers=HTML)).status_code == 404


# ---------------------------------------------------------------------------- create


async def test_create_a_user_with_a_position(app, page_client, admin, tenant, in_tenant, units):
    c = await page_client(admin)
    stp = units["STP"].id
    url = f"{NEW}?unit_id={stp}"
    form = await c.get(url, headers=HTML)
    assert f'<option value="{stp}" selected>' in form.text
    assert f'<option value="{units["OLD"].id}"' not in form.text  # deactivated
    response = await submit_form(
        c,
        url,
        NEW,
        user_fields(username="Hoa.NT", unit_id=str(stp), position_title="Chuyên viên"),
    )
    assert response.status_code == 303
    hoa = await user_named(in_tenant, tenant, "hoa.nt")
    assert response.headers["location"] == f"/admin/users/{hoa.id}"
    assert (hoa.full_name, hoa.email, hoa.phone) == (
        "Nguyễn Thị Hoa",
        "hoa@stp.gov.vn",
        "0912 345 678",
    )
    assert await positions_of(in_tenant, tenant, hoa.id) == [(stp, "Chuyên viên", True)]
    detail = await c.get(response.headers["location"], headers=HTML)
    assert "Đã tạo người dùng hoa.nt." in detail.text
    assert f'href="/admin/grants?user_id={hoa.id}"' in detail.text
    assert "Vai trò của người dùng" in detail.text
    assert await signs_in(app, "hoa.nt", NEW_PASSWORD)


async def test_invalid_input_is_shown_next_to_each_field_with_the_typed_values(
    page_client, admin, tenant, in_tenant, units
):
    c = await page_client(admin)
    typed = user_fields(
        username="Hoa NT!",
        full_name="  ",
        email="hoa@",
        phone="abc",
        password="ngan",
        position_title="x" * 201,
    )
    response = await submit_form(c, NEW, NEW, typed)
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "username").startswith("Tên đăng nhập gồm 2–150 ký tự")
    assert field_error(page, "full_name") == "Vui lòng nhập trường này."
    assert field_error(page, "email").startswith("Địa chỉ thư điện tử không hợp lệ")
    assert field_error(page, "phone").startswith("Số điện thoại chỉ gồm")
    assert field_error(page, "password") == "Mật khẩu cần ít nhất 8 ký tự."
    assert field_error(page, "position_title") == "Chức vụ tối đa 200 ký tự."
    assert input_value(page, "username") == "Hoa NT!"
    assert input_value(page, "email") == "hoa@"
    assert input_value(page, "phone") == "abc"
    assert input_value(page, "password") is None  # never echoed back
    same = await submit_form(c, NEW, NEW, user_fields(username="hoanguyen", password="HoaNguyen"))
    assert field_error(same.text, "password") == "Mật khẩu không được trùng với tên đăng nhập."
    inactive = await submit_form(c, NEW, NEW, user_fields(unit_id=str(units["OLD"].id)))
    assert inactive.status_code == 422
    assert field_error(inactive.text, "unit_id").startswith("Đơn vị này đang ngừng hoạt động")
    assert await user_named(in_tenant, tenant, "hoa.nt") is None
    assert await user_named(in_tenant, tenant, "hoanguyen") is None


async def test_a_duplicate_username_is_a_field_error(page_client, admin, tenant, in_tenant, staff):
    c = await page_client(admin)
    response = await submit_form(c, NEW, NEW, user_fields(username="LAN", full_name="Lan khác"))
    assert response.status_code == 422
    assert field_error(response.text, "username") == (
        "Tên đăng nhập này đã được dùng cho một người dùng khác."
    )
    assert input_value(response.text, "full_name") == "Lan khác"
    lan = await user_named(in_tenant, tenant, "lan")
    assert lan.full_name == "Trần Thị Lan"


async def test_a_stale_form_creates_nothing_and_keeps_the_values(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    page = await c.get(NEW, headers=HTML)
    data = {**hidden_fields(page.text, NEW), "csrf_token": "stale", **user_fields()}
    response = await c.post(NEW, data=data, headers=HTML)
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    assert input_value(response.text, "username") == "hoa.nt"
    assert input_value(response.text, "full_name") == "Nguyễn Thị Hoa"
    assert await user_named(in_tenant, tenant, "hoa.nt") is None


async def test_a_double_submit_creates_one_user(page_client, admin, tenant, in_tenant):
    from core.users.models import User

    c = await page_client(admin)
    page = await c.get(NEW, headers=HTML)
    data = {**hidden_fields(page.text, NEW), **user_fields()}
    first = await c.post(NEW, data=data, headers=HTML)
    second = await c.post(NEW, data=data, headers=HTML)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == "/admin/users"
    assert FLASH_COOKIE in second.cookies
    assert "Biểu mẫu này đã được gửi." in (await c.get("/admin/users", headers=HTML)).text
    assert await in_tenant(tenant, lambda: User.filter(username="hoa.nt").count()) == 1


async def test_a_clerk_cannot_create_or_change_users(
    page_client, account, tenant, in_tenant, units, staff
):
    clerk = await account(tenant, "thu", role="clerk", unit_id=units["STP"].id)
    c = await page_client(clerk)
    assert (await c.get("/admin/users", headers=HTML)).status_code == 200
    denied = await c.get(NEW, headers=HTML)
    assert denied.status_code == 403
    assert 'data-testid="missing-permission">core.users.manage<' in denied.text
    detail = await c.get(f"/admin/users/{staff['lan'].id}", headers=HTML)
    assert detail.status_code == 200
    assert "Đặt lại mật khẩu" not in detail.text
    data = {**hidden_fields(detail.text), **user_fields()}
    created = await c.post(NEW, data=data, headers=HTML)
    assert created.status_code == 403
    assert 'data-testid="missing-permission">core.users.manage<' in created.text
    edit = await c.post(f"/admin/users/{staff['lan'].id}", data=data, headers=HTML)
    assert edit.status_code == 403
    assert await user_named(in_tenant, tenant, "hoa.nt") is None
    assert (await user_named(in_tenant, tenant, "lan")).full_name == "Trần Thị Lan"


# ---------------------------------------------------------------------------- one user


async def test_edit_a_user_and_refuse_a_bad_email(page_client, admin, tenant, in_tenant, staff):
    c = await page_client(admin)
    url = f"/admin/users/{staff['lan'].id}"
    bad = await submit_form(c, url, url, {"full_name": "Trần Lan", "email": "lan@@x", "phone": ""})
    assert bad.status_code == 422
    assert field_error(bad.text, "email").startswith("Địa chỉ thư điện tử không hợp lệ")
    assert input_value(bad.text, "full_name") == "Trần Lan"
    assert (await user_named(in_tenant, tenant, "lan")).full_name == "Trần Thị Lan"
    ok = await submit_form(
        c, url, url, {"full_name": "Trần  Lan", "email": "tran.lan@stp.gov.vn", "phone": "+84 24"}
    )
    assert ok.status_code == 303
    lan = await user_named(in_tenant, tenant, "lan")
    assert (lan.full_name, lan.email, lan.phone) == ("Trần Lan", "tran.lan@stp.gov.vn", "+84 24")
    assert "Đã lưu thông tin của lan." in (await c.get(url, headers=HTML)).text


async def test_deactivate_and_reactivate_but_never_oneself(
    app, page_client, admin, tenant, in_tenant, account
):
    worker = await account(tenant, "ha", role=None)
    c = await page_client(admin)
    url = f"/admin/users/{worker.user_id}"
    assert (await submit_form(c, url, f"{url}/deactivate", {})).status_code == 303
    assert (await user_named(in_tenant, tenant, "ha")).is_active is False
    assert 'data-testid="user-inactive"' in (await c.get(url, headers=HTML)).text
    assert not await signs_in(app, "ha", PASSWORD)
    assert (await submit_form(c, url, f"{url}/activate", {})).status_code == 303
    assert (await user_named(in_tenant, tenant, "ha")).is_active is True
    mine = f"/admin/users/{admin.user_id}"
    page = await c.get(mine, headers=HTML)
    refused = await c.post(
        f"{mine}/deactivate", data=hidden_fields(page.text, f"{mine}/deactivate"), headers=HTML
    )
    assert refused.status_code == 422
    assert "Bạn không thể tự ngừng hoạt động tài khoản của chính mình." in refused.text
    assert (await user_named(in_tenant, tenant, "admin")).is_active is True


async def test_reset_a_password(app, page_client, admin, tenant, account):
    worker = await account(tenant, "ha", role=None)
    c = await page_client(admin)
    url = f"/admin/users/{worker.user_id}"
    action = f"{url}/password"
    mismatch = await submit_form(
        c, url, action, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"}
    )
    assert mismatch.status_code == 422
    assert field_error(mismatch.text, "password_confirm") == "Mật khẩu nhập lại không khớp."
    short = await submit_form(c, url, action, {"password": "ngan", "password_confirm": "ngan"})
    assert short.status_code == 422
    assert field_error(short.text, "password") == "Mật khẩu cần ít nhất 8 ký tự."
    assert await signs_in(app, "ha", PASSWORD)
    stale_page = await c.get(url, headers=HTML)
    stale = await c.post(
        action,
        data={
            **hidden_fields(stale_page.text, action),
            "csrf_token": "x",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
        headers=HTML,
    )
    assert stale.status_code == 403
    assert await signs_in(app, "ha", PASSWORD)
    done = await submit_form(
        c, url, action, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert done.status_code == 303
    assert "Đã đặt mật khẩu mới cho ha." in (await c.get(url, headers=HTML)).text
    assert await signs_in(app, "ha", NEW_PASSWORD)
    assert not await signs_in(app, "ha", PASSWORD)


async def test_add_and_remove_positions(page_client, admin, tenant, in_tenant, units, staff):
    c = await page_client(admin)
    lan = staff["lan"].id
    url = f"/admin/users/{lan}"
    add = f"{url}/positions"
    stp, syt = units["STP"].id, units["SYT"].id
    added = await submit_form(
        c, url, add, {"unit_id": str(syt), "title": "Phó Giám đốc", "is_primary": "on"}
    )
    assert added.status_code == 303
    assert await positions_of(in_tenant, tenant, lan) == [
        (syt, "Phó Giám đốc", True),
        (stp, "", False),
    ]
    page = await c.get(url, headers=HTML)
    assert "Phó Giám đốc" in page.text
    missing = await submit_form(c, url, add, {"unit_id": "", "title": "x"})
    assert missing.status_code == 422
    assert field_error(missing.text, "unit_id") == "Vui lòng nhập trường này."
    inactive = await submit_form(c, url, add, {"unit_id": str(units["OLD"].id), "title": "Cũ"})
    assert inactive.status_code == 422
    assert field_error(inactive.text, "unit_id").startswith("Đơn vị này đang ngừng hoạt động")
    assert input_value(inactive.text, "title") == "Cũ"
    removed = await submit_form(c, url, f"{url}/positions/{syt}/remove", {})
    assert removed.status_code == 303
    assert await positions_of(in_tenant, tenant, lan) == [(stp, "", True)]


async def test_a_unit_admin_cannot_take_over_a_user_of_another_unit(
    page_client, account, tenant, in_tenant, units, staff
):
    """Moving lan's primary unit (STP) into SYT would give SYT's admin her password and
    account; it needs core.users.manage in STP too. A secondary position is fine."""
    syt_admin = await account(tenant, "hoa", role="unit_admin", unit_id=units["SYT"].id)
    c = await page_client(syt_admin)
    lan = staff["lan"].id
    url = f"/admin/users/{lan}"
    stp, syt = units["STP"].id, units["SYT"].id
    refused = await submit_form(
        c, url, f"{url}/positions", {"unit_id": str(syt), "title": "Kiêm nhiệm", "is_primary": "on"}
    )
    assert refused.status_code == 403
    assert "core.users.manage" in refused.text
    assert await positions_of(in_tenant, tenant, lan) == [(stp, "", True)]
    added = await submit_form(c, url, f"{url}/positions", {"unit_id": str(syt), "title": "Kiêm"})
    assert added.status_code == 303
    assert await positions_of(in_tenant, tenant, lan) == [(stp, "", True), (syt, "Kiêm", False)]


async def test_another_tenants_user_is_not_found(page_client, admin, other_admin):
    c = await page_client(admin)
    url = f"/admin/users/{other_admin.user_id}"
    assert (await c.get(url, headers=HTML)).status_code == 404
    home = await c.get("/admin/users", headers=HTML)
    data = {**hidden_fields(home.text), "full_name": "Bị sửa", "email": "", "phone": ""}
    assert (await c.post(url, data=data, headers=HTML)).status_code == 404
    assert (await c.post(f"{url}/deactivate", data=data, headers=HTML)).status_code == 404
    password = {**data, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert (await c.post(f"{url}/password", data=password, headers=HTML)).status_code == 404


async def test_a_unit_admin_manages_only_users_of_their_subtree(
    page_client, account, tenant, in_tenant, units, staff
):
    from core.authz.grants import grant_role

    lead = await account(tenant, "hung", role=None, unit_id=units["STP"].id)
    await in_tenant(
        tenant,
        lambda: grant_role(lead.user_id, "unit_admin", unit_id=units["STP"].id, descendants=True),
    )
    c = await page_client(lead)
    inside = f"/admin/users/{staff['lan'].id}"
    ok = await submit_form(c, inside, inside, {"full_name": "Lan STP", "email": "", "phone": ""})
    assert ok.status_code == 303
    outside = f"/admin/users/{staff['tuan'].id}"  # no unit: tenant-wide only
    page = await c.get(outside, headers=HTML)
    assert page.status_code == 200
    assert f'action="{outside}"' not in page.text
    data = {**hidden_fields(page.text), "full_name": "Bị sửa", "email": "", "phone": ""}
    denied = await c.post(outside, data=data, headers=HTML)
    assert denied.status_code == 403
    assert 'data-testid="missing-permission">core.users.manage<' in denied.text
    # Creating: only in their units, never without a unit.
    form = await c.get(NEW, headers=HTML)
    assert f'<option value="{units["SYT"].id}"' not in form.text
    assert (await submit_form(c, NEW, NEW, user_fields())).status_code == 403
    syt = user_fields(username="syt1", unit_id=str(units["SYT"].id))
    assert (await submit_form(c, NEW, NEW, syt)).status_code == 403
    stp = user_fields(username="stp1", unit_id=str(units["STP"].id))
    assert (await submit_form(c, NEW, NEW, stp)).status_code == 303
    assert (await user_named(in_tenant, tenant, "tuan")).full_name == "Phạm Tuấn"
    assert (await user_named(in_tenant, tenant, "lan")).full_name == "Lan STP"
    assert await user_named(in_tenant, tenant, "syt1") is None
    assert await user_named(in_tenant, tenant, "stp1") is not None


# ---------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
async def test_create_a_user_through_the_pages_on_postgres(pg_app, account, in_tenant):
    from core.units.services import create_unit

    app, alpha, _beta = pg_app
    await account(alpha, "admin")
    stp = await in_tenant(alpha, lambda: create_unit("STP", "Sở Tư pháp"))
    async with client_for(app, "alpha.localhost") as c:
        assert (await sign_in_page(c, "admin")).status_code == 303
        fields = user_fields(unit_id=str(stp.id), position_title="Chuyên viên")
        created = await submit_form(c, NEW, NEW, fields)
        assert created.status_code == 303
        duplicate = await submit_form(c, NEW, NEW, fields)
        assert duplicate.status_code == 422
        assert field_error(duplicate.text, "username")
        listing = await c.get("/admin/users", params={"unit_id": stp.id}, headers=HTML)
        assert listed(listing.text) == ["hoa.nt"]
    hoa = await user_named(in_tenant, alpha, "hoa.nt")
    assert await positions_of(in_tenant, alpha, hoa.id) == [(stp.id, "Chuyên viên", True)]
