"""The roles pages: list with action counts, create from the matrix of the enabled plugins'
actions, edit (keeping actions of disabled plugins), delete (seeded roles refused), permissions,
stale forms, double submits and other tenants' roles."""

from __future__ import annotations

import re

import pytest

from core.testing_web import HTML, csrf_of, hidden_fields, sign_in_page, submit_form


def row_of(page: str, key: str) -> str:
    match = re.search(rf'<tr data-role="{key}">(.*?)</tr>', page, flags=re.S)
    assert match, f"no row for role {key}"
    return match.group(1)


def action_count(page: str, key: str) -> int:
    match = re.search(r'data-testid="action-count">(\d+)<', row_of(page, key))
    assert match
    return int(match.group(1))


def checked_actions(page: str) -> set[str]:
    return set(re.findall(r'name="actions" value="([^"]+)" checked', page))


async def get_role(in_tenant, tenant, key):
    from core.authz.roles import get_role as service

    return await in_tenant(tenant, lambda: service(key))


async def role_exists(in_tenant, tenant, key) -> bool:
    from core.authz.models import Role

    return bool(await in_tenant(tenant, lambda: Role.filter(key=key).exists()))


NEW = "/admin/roles/new"


async def test_the_list_shows_seeded_roles_with_their_number_of_actions(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    page = await c.get("/admin/roles", headers=HTML)
    assert page.status_code == 200
    clerk = await get_role(in_tenant, tenant, "clerk")
    assert action_count(page.text, "clerk") == len(clerk.actions) > 0
    assert "Văn thư" in row_of(page.text, "clerk")  # the Vietnamese half of the bilingual name
    assert "Clerk" not in row_of(page.text, "clerk")
    assert "hệ thống" in row_of(page.text, "clerk")
    assert 'action="/admin/roles/clerk/delete"' not in page.text  # seeded: no delete button
    assert 'href="/admin/roles/new"' in page.text


async def test_the_matrix_groups_the_enabled_plugins_actions(page_client, admin, tenant, in_tenant):
    from core.tenancy.plugins import disable_plugin

    c = await page_client(admin)
    page = (await c.get(NEW, headers=HTML)).text
    assert 'data-plugin="core"' in page
    assert 'data-plugin="example"' in page
    assert "Ghi chú mẫu" in page  # the plugin's title, Vietnamese half
    assert "Xem ghi chú" in page  # the action's title
    assert "View notes" not in page
    assert 'value="example.notes.view"' in page
    await in_tenant(tenant, lambda: disable_plugin("example"))
    page = (await c.get(NEW, headers=HTML)).text
    assert 'data-plugin="example"' not in page
    assert 'value="example.notes.view"' not in page


async def test_create_a_role_from_ticked_actions(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    data = {
        "key": "thu_ky",
        "name": "Thư ký",
        "description": "Hỗ trợ lãnh đạo",
        "actions": ["core.units.view", "example.notes.view"],
    }
    response = await submit_form(c, NEW, NEW, data)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/roles"
    role = await get_role(in_tenant, tenant, "thu_ky")
    assert role.name == "Thư ký"
    assert role.description == "Hỗ trợ lãnh đạo"
    assert role.actions == ["core.units.view", "example.notes.view"]
    assert not role.is_system
    page = (await c.get("/admin/roles", headers=HTML)).text
    assert "Đã tạo vai trò Thư ký." in page
    assert action_count(page, "thu_ky") == 2
    assert 'action="/admin/roles/thu_ky/delete"' in page


async def test_invalid_input_is_shown_next_to_the_fields_with_the_values_kept(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    data = {"key": "Bad Key!", "name": "", "actions": ["example.notes.view"]}
    response = await submit_form(c, NEW, NEW, data)
    assert response.status_code == 422
    assert 'data-field-error="name"' in response.text
    assert 'data-field-error="key"' in response.text
    assert "Mã vai trò gồm 2–63 ký tự" in response.text
    assert 'value="Bad Key!"' in response.text
    assert checked_actions(response.text) == {"example.notes.view"}
    response = await submit_form(c, NEW, NEW, {**data, "key": "x", "name": "Vai trò"})
    assert response.status_code == 422
    assert 'data-field-error="key"' in response.text
    assert 'data-field-error="name"' not in response.text
    assert 'value="Vai trò"' in response.text
    from core.authz.models import Role

    assert await in_tenant(tenant, lambda: Role.filter(is_system=False).count()) == 0


async def test_a_taken_key_or_an_unknown_action_is_refused(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    response = await submit_form(c, NEW, NEW, {"key": "clerk", "name": "Văn thư 2"})
    assert response.status_code == 422
    assert "Mã vai trò này đã được dùng" in response.text
    response = await submit_form(
        c, NEW, NEW, {"key": "moi", "name": "Mới", "actions": ["no.such.action"]}
    )
    assert response.status_code == 422
    assert 'data-field-error="actions"' in response.text
    assert not await role_exists(in_tenant, tenant, "moi")


async def test_a_stale_form_changes_nothing_and_keeps_the_values(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    page = await c.get(NEW, headers=HTML)
    fields = {**hidden_fields(page.text, NEW), "csrf_token": "forged"}
    data = {**fields, "key": "cu", "name": "Cũ", "actions": ["core.units.view"]}
    response = await c.post(NEW, data=data, headers=HTML)
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    assert 'value="cu"' in response.text
    assert checked_actions(response.text) == {"core.units.view"}
    assert not await role_exists(in_tenant, tenant, "cu")


async def test_a_double_submit_creates_one_role(page_client, admin, tenant, in_tenant):
    from core.audit.models import AuditEvent

    c = await page_client(admin)
    page = await c.get(NEW, headers=HTML)
    data = {**hidden_fields(page.text, NEW), "key": "mot", "name": "Một"}
    first = await c.post(NEW, data=data, headers=HTML)
    second = await c.post(NEW, data=data, headers=HTML)
    assert first.status_code == second.status_code == 303
    assert "Biểu mẫu này đã được gửi." in (await c.get("/admin/roles", headers=HTML)).text
    count = await in_tenant(
        tenant, lambda: AuditEvent.filter(action="role.create", object_id="mot").count()
    )
    assert count == 1


async def test_edit_a_role_keeps_the_actions_of_disabled_plugins(
    page_client, admin, tenant, in_tenant
):
    from core.authz.roles import create_role
    from core.tenancy.plugins import disable_plugin

    await in_tenant(
        tenant, lambda: create_role("doc", "Đọc", ["core.units.view", "example.notes.view"])
    )
    await in_tenant(tenant, lambda: disable_plugin("example"))
    c = await page_client(admin)
    url = "/admin/roles/doc/edit"
    page = await c.get(url, headers=HTML)
    assert page.status_code == 200
    assert checked_actions(page.text) == {"core.units.view"}
    assert 'data-testid="hidden-actions"' in page.text
    data = {"name": "Đọc và xem", "description": "", "actions": ["core.users.view"]}
    response = await submit_form(c, url, url, data)
    assert response.status_code == 303
    role = await get_role(in_tenant, tenant, "doc")
    assert role.name == "Đọc và xem"
    assert role.actions == ["core.users.view", "example.notes.view"]


async def test_edit_with_an_empty_name_is_refused(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    url = "/admin/roles/clerk/edit"
    page = (await c.get(url, headers=HTML)).text
    assert 'value="Văn thư / Clerk"' in page  # the stored name, editable as a whole
    before = await get_role(in_tenant, tenant, "clerk")
    response = await submit_form(c, url, url, {"name": "  ", "actions": ["core.units.view"]})
    assert response.status_code == 422
    assert 'data-field-error="name"' in response.text
    assert checked_actions(response.text) == {"core.units.view"}
    assert await get_role(in_tenant, tenant, "clerk") == before


async def test_delete_a_custom_role_and_the_refusals(page_client, admin, tenant, in_tenant):
    from core.authz.grants import grant_role
    from core.authz.roles import create_role

    await in_tenant(tenant, lambda: create_role("tam", "Tạm thời", []))
    await in_tenant(tenant, lambda: create_role("dung", "Đang dùng", []))
    await in_tenant(tenant, lambda: grant_role(admin.user_id, "dung", unit_id=None))
    c = await page_client(admin)
    response = await submit_form(c, "/admin/roles", "/admin/roles/tam/delete", {})
    assert response.status_code == 303
    assert not await role_exists(in_tenant, tenant, "tam")
    assert "Đã xóa vai trò Tạm thời." in (await c.get("/admin/roles", headers=HTML)).text

    response = await submit_form(c, "/admin/roles", "/admin/roles/dung/delete", {})
    assert response.status_code == 409
    assert "vẫn đang được cấp" in response.text
    assert await role_exists(in_tenant, tenant, "dung")

    # A seeded role has no delete button; posting anyway is refused by the service.
    page = await c.get("/admin/roles", headers=HTML)
    data = {"csrf_token": csrf_of(page.text)}
    response = await c.post("/admin/roles/clerk/delete", data=data, headers=HTML)
    assert response.status_code == 409
    assert "Không thể xóa vai trò Văn thư: đây là vai trò hệ thống." in response.text
    assert await role_exists(in_tenant, tenant, "clerk")


async def test_a_clerk_may_not_see_roles_and_a_unit_admin_may_not_change_them(
    page_client, account, tenant, in_tenant
):
    clerk = await account(tenant, "lan", role="clerk")
    c = await page_client(clerk)
    page = await c.get("/admin/roles", headers=HTML)
    assert page.status_code == 403
    assert 'data-testid="missing-permission">core.roles.view<' in page.text

    unit_admin = await account(tenant, "hoa", role="unit_admin")
    c = await page_client(unit_admin)
    page = await c.get("/admin/roles", headers=HTML)
    assert page.status_code == 200
    assert 'href="/admin/roles/new"' not in page.text
    edit = await c.get("/admin/roles/clerk/edit", headers=HTML)
    assert edit.status_code == 200
    assert "<fieldset disabled>" in edit.text  # read-only for someone who may only view
    assert 'data-plugin="core" disabled' in edit.text
    denied = await c.get(NEW, headers=HTML)
    assert denied.status_code == 403
    assert 'data-testid="missing-permission">core.roles.manage<' in denied.text
    data = {"csrf_token": csrf_of(page.text), "key": "x_y", "name": "X"}
    response = await c.post(NEW, data=data, headers=HTML)
    assert response.status_code == 403
    assert not await role_exists(in_tenant, tenant, "x_y")


async def test_another_tenants_role_is_not_found(
    page_client, admin, other_admin, other_tenant, tenant, in_tenant
):
    from core.authz.roles import create_role

    await in_tenant(other_tenant, lambda: create_role("rieng_beta", "Riêng Beta", []))
    c = await page_client(admin)
    assert (await c.get("/admin/roles/rieng_beta/edit", headers=HTML)).status_code == 404
    page = await c.get("/admin/roles", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "name": "Đổi"}
    assert (
        await c.post("/admin/roles/rieng_beta/edit", data=data, headers=HTML)
    ).status_code == 404
    response = await c.post("/admin/roles/rieng_beta/delete", data=data, headers=HTML)
    assert response.status_code == 404
    assert await role_exists(in_tenant, other_tenant, "rieng_beta")


async def test_the_admin_pages_do_not_exist_on_the_platform_host(client, app):
    async with client(app, "localhost") as c:
        for url in ("/admin/roles", "/admin/grants", "/admin/plugins", "/admin/theme"):
            assert (await c.get(url, headers=HTML)).status_code == 404, url


@pytest.mark.postgres
async def test_roles_and_grants_pages_work_under_row_level_security(
    pg_app, account, client, in_tenant
):
    from core.authz.grants import list_grants

    app, alpha, beta = pg_app
    admin = await account(alpha, "admin")
    lan = await account(alpha, "lan", role=None)
    async with client(app, "alpha.localhost") as c:
        assert (await sign_in_page(c, admin.username)).status_code == 303
        data = {"key": "thu_ky", "name": "Thư ký", "actions": ["core.units.view"]}
        assert (await submit_form(c, NEW, NEW, data)).status_code == 303
        url = f"/admin/grants?user_id={lan.user_id}"
        grant = {"role_key": "thu_ky", "unit_id": ""}
        assert (await submit_form(c, url, "/admin/grants", grant)).status_code == 303
    assert (await get_role(in_tenant, alpha, "thu_ky")).actions == ["core.units.view"]
    assert not await role_exists(in_tenant, beta, "thu_ky")
    grants = await in_tenant(alpha, lambda: list_grants(user_id=lan.user_id))
    assert [(g.role_key, g.unit_id) for g in grants] == [("thu_ky", None)]
