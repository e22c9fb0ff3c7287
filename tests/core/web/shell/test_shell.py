"""The shell around every page: menu by permission and enabled plugins, current unit and its
switch, flash messages, error pages, the expired-session round trip and cross-site refusals."""

from __future__ import annotations

import re

import pytest

from core.testing_web import HTML, csrf_of, hidden_fields, sign_in_page
from core.web.flash import FLASH_COOKIE
from core.web.shell import UNIT_COOKIE


def menu_keys(page: str) -> list[str]:
    return re.findall(r'data-menu="([^"]+)"', page)


async def test_the_tenant_admin_sees_the_admin_menu_and_the_plugins_entry(page_client, admin):
    c = await page_client(admin)
    home = await c.get("/", headers=HTML)
    assert home.status_code == 200
    keys = menu_keys(home.text)
    assert {"core.units", "core.users", "core.roles", "core.plugins", "core.audit"} <= set(keys)
    assert "example.notes" in keys
    assert 'data-testid="user-name">Admin<' in home.text
    assert "Tỉnh Alpha" in home.text  # the tenant's name in the header


async def test_the_menu_shows_only_what_the_user_may_use(page_client, account, tenant):
    specialist = await account(tenant, "lan", role="specialist")
    c = await page_client(specialist)
    keys = menu_keys((await c.get("/", headers=HTML)).text)
    assert "core.units" in keys  # core.units.view is every seeded role's
    assert "core.plugins" not in keys
    assert "core.audit" not in keys
    assert "core.roles" not in keys


async def test_a_plugin_disabled_for_the_tenant_leaves_the_menu(
    page_client, admin, tenant, in_tenant
):
    from core.tenancy.plugins import disable_plugin, enable_plugin

    c = await page_client(admin)
    await in_tenant(tenant, lambda: disable_plugin("example"))
    assert "example.notes" not in menu_keys((await c.get("/", headers=HTML)).text)
    await in_tenant(tenant, lambda: enable_plugin("example"))
    assert "example.notes" in menu_keys((await c.get("/", headers=HTML)).text)


async def test_anonymous_pages_have_no_menu(anon):
    page = await anon.get("/", headers=HTML)
    assert menu_keys(page.text) == []
    assert 'data-testid="user-name"' not in page.text


async def test_the_user_switches_the_unit_they_act_for(page_client, account, tenant, in_tenant):
    from core.authz.grants import grant_role
    from core.units.services import create_unit

    one = await in_tenant(tenant, lambda: create_unit("SNV", "Sở Nội vụ"))
    two = await in_tenant(tenant, lambda: create_unit("STC", "Sở Tài chính"))
    other = await in_tenant(tenant, lambda: create_unit("SYT", "Sở Y tế"))
    user = await account(tenant, "hoa", role="clerk", unit_id=one.id)
    await in_tenant(tenant, lambda: grant_role(user.user_id, "leader", unit_id=two.id))
    c = await page_client(user)
    home = await c.get("/", headers=HTML)
    assert re.search(rf'<option value="{one.id}" selected>Sở Nội vụ', home.text)
    assert "Sở Y tế" not in home.text
    fields = hidden_fields(home.text, "/account/unit")
    moved = await c.post(
        "/account/unit", data={**fields, "unit_id": str(two.id), "next": "/"}, headers=HTML
    )
    assert moved.status_code == 303
    assert c.cookies[UNIT_COOKIE] == str(two.id)
    home = await c.get("/", headers=HTML)
    assert re.search(rf'<option value="{two.id}" selected>Sở Tài chính', home.text)
    assert "Đang làm việc cho: Sở Tài chính" in home.text  # the flash
    # A unit the user does not work in is refused and the choice stays.
    fields = hidden_fields(home.text, "/account/unit")
    refused = await c.post(
        "/account/unit", data={**fields, "unit_id": str(other.id), "next": "/"}, headers=HTML
    )
    assert refused.status_code == 303
    assert c.cookies[UNIT_COOKIE] == str(two.id)
    assert "Bạn không làm việc tại đơn vị này." in (await c.get("/", headers=HTML)).text


async def test_a_forged_unit_cookie_falls_back_to_the_primary_unit(
    page_client, account, tenant, in_tenant
):
    from core.units.services import create_unit

    mine = await in_tenant(tenant, lambda: create_unit("SNV", "Sở Nội vụ"))
    foreign = await in_tenant(tenant, lambda: create_unit("SYT", "Sở Y tế"))
    user = await account(tenant, "hoa", role="clerk", unit_id=mine.id)
    c = await page_client(user)
    c.cookies.set(UNIT_COOKIE, str(foreign.id))
    home = await c.get("/", headers=HTML)
    assert 'data-testid="current-unit">Sở Nội vụ<' in home.text


async def test_a_flash_is_shown_once(page_client, account, tenant, in_tenant):
    from core.units.services import create_unit

    one = await in_tenant(tenant, lambda: create_unit("SNV", "Sở Nội vụ"))
    user = await account(tenant, "hoa", role="clerk", unit_id=one.id)
    c = await page_client(user)
    page = await c.get("/", headers=HTML)
    await c.post(
        "/account/unit",
        data={"csrf_token": csrf_of(page.text), "unit_id": "999999", "next": "/"},
        headers=HTML,
    )
    assert FLASH_COOKIE in c.cookies
    first = await c.get("/", headers=HTML)
    assert "Bạn không làm việc tại đơn vị này." in first.text
    second = await c.get("/", headers=HTML)
    assert "Bạn không làm việc tại đơn vị này." not in second.text


async def test_a_forged_flash_cookie_is_ignored(anon):
    anon.cookies.set(FLASH_COOKIE, "forged.value")
    page = await anon.get("/", headers=HTML)
    assert page.status_code == 200
    assert 'class="flash' not in page.text


# ---------------------------------------------------------------- errors and sessions


async def test_the_403_page_names_the_missing_permission(page_client, account, tenant):
    unit_admin = await account(tenant, "lan", role="unit_admin")
    c = await page_client(unit_admin)
    page = await c.get("/example/", headers=HTML)  # example.notes.view is not a unit admin's
    assert page.status_code == 403
    assert 'data-testid="missing-permission">example.notes.view<' in page.text
    assert "Xem ghi chú" in page.text  # the action's title
    assert "Không có quyền truy cập" in page.text


async def test_the_404_page_is_themed_and_translated(anon):
    page = await anon.get("/no/such/page", headers={**HTML, "accept-language": "en"})
    assert page.status_code == 404
    assert "Not found" in page.text
    assert '<html lang="en">' in page.text


async def test_an_expired_session_returns_to_the_page_after_signing_in(app, client, admin):
    async with client(app, "alpha.localhost") as c:
        page = await c.get("/example/?x=1", headers=HTML)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/example/%3Fx%3D1&expired=1"
        login = await c.get(page.headers["location"], headers=HTML)
        assert "Phiên làm việc đã hết hạn" in login.text
        assert 'name="next" value="/example/?x=1"' in login.text
        form = {
            "username": "admin",
            "password": "Mật-khẩu-đủ-dài-1",
            "csrf_token": csrf_of(login.text),
            "next": "/example/?x=1",
        }
        signed = await c.post("/login", data=form, headers=HTML)
        assert signed.status_code == 303
        assert signed.headers["location"] == "/example/?x=1"


async def test_a_form_posted_after_the_session_expired_returns_to_its_page(app, client):
    async with client(app, "alpha.localhost") as c:
        response = await c.post(
            "/account/unit",
            data={"unit_id": "1"},
            headers={**HTML, "referer": "http://alpha.localhost/example/"},
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=/example/")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
async def test_login_never_redirects_off_site(app, client, admin, target):
    async with client(app, "alpha.localhost") as c:
        login = await c.get("/login", headers=HTML)
        form = {
            "username": "admin",
            "password": "Mật-khẩu-đủ-dài-1",
            "csrf_token": csrf_of(login.text),
            "next": target,
        }
        signed = await c.post("/login", data=form, headers=HTML)
        assert signed.headers["location"] == "/"


async def test_a_deactivated_user_is_told_so_at_login(app, client, account, tenant, in_tenant):
    from core.users.services import deactivate_user

    user = await account(tenant, "lan", role="clerk")
    await in_tenant(tenant, lambda: deactivate_user(user.user_id))
    async with client(app, "alpha.localhost") as c:
        response = await sign_in_page(c, "lan")
    assert response.status_code == 401
    assert "Tài khoản này đã bị ngừng sử dụng" in response.text


# ---------------------------------------------------------------- cross-site writes


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},  # another tenant's subdomain
        {"origin": "http://beta.localhost"},
    ],
)
async def test_cookie_writes_from_another_site_are_refused(page_client, admin, headers):
    c = await page_client(admin)
    page = await c.get("/", headers=HTML)
    fields = hidden_fields(page.text, "/logout")
    response = await c.post("/logout", data=fields, headers={**HTML, **headers})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in response.text
    assert (await c.get("/api/v1/me")).status_code == 200  # still signed in


async def test_same_origin_writes_pass(page_client, admin):
    c = await page_client(admin)
    page = await c.get("/", headers=HTML)
    fields = hidden_fields(page.text, "/logout")
    headers = {**HTML, "sec-fetch-site": "same-origin", "origin": "http://alpha.localhost"}
    response = await c.post("/logout", data=fields, headers=headers)
    assert response.status_code == 303
