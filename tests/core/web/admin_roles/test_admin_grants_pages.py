"""The grants pages: pick a user, list their grants, grant a role on a unit (with its sub-units)
or tenant-wide, revoke; the manager's scope, stale forms, double submits, other tenants' ids."""

from __future__ import annotations

import re

from core.testing_web import HTML, csrf_of, hidden_fields, submit_form

GRANTS = "/admin/grants"


async def grants_of(in_tenant, tenant, user_id):
    from core.authz.grants import list_grants

    return {
        (g.role_key, g.unit_id, g.descendants)
        for g in await in_tenant(tenant, lambda: list_grants(user_id=user_id))
    }


async def make_units(in_tenant, tenant):
    from core.units.services import create_unit

    so = await in_tenant(tenant, lambda: create_unit("STP", "Sở Tư pháp"))
    phong = await in_tenant(tenant, lambda: create_unit("PHC", "Phòng Hành chính", parent_id=so.id))
    other = await in_tenant(tenant, lambda: create_unit("SNV", "Sở Nội vụ"))
    return so, phong, other


async def test_the_picker_lists_and_searches_users(page_client, admin, account, tenant):
    lan = await account(tenant, "lan", role=None)
    await account(tenant, "hoa", role=None)
    c = await page_client(admin)
    page = await c.get(GRANTS, headers=HTML)
    assert page.status_code == 200
    assert f'href="/admin/grants?user_id={lan.user_id}"' in page.text
    assert "hoa" in page.text
    found = await c.get(GRANTS, params={"q": "lan"}, headers=HTML)
    assert f'data-user="{lan.user_id}"' in found.text
    assert "<code>hoa</code>" not in found.text
    assert 'value="lan"' in found.text


async def test_grant_on_a_unit_with_sub_units_then_revoke(
    page_client, admin, account, tenant, in_tenant
):
    so, _phong, _other = await make_units(in_tenant, tenant)
    lan = await account(tenant, "lan", role=None)
    c = await page_client(admin)
    url = f"{GRANTS}?user_id={lan.user_id}"
    page = await c.get(url, headers=HTML)
    assert page.status_code == 200
    assert "chưa được cấp vai trò nào" in page.text
    assert "Sở Tư pháp (STP)" in page.text  # the unit select
    data = {"role_key": "clerk", "unit_id": str(so.id), "descendants": "on"}
    response = await submit_form(c, url, GRANTS, data)
    assert response.status_code == 303
    assert response.headers["location"] == url
    assert await grants_of(in_tenant, tenant, lan.user_id) == {("clerk", so.id, True)}
    page = await c.get(url, headers=HTML)
    assert "Đã cấp vai trò Văn thư cho lan." in page.text
    row = re.search(rf'<tr data-grant="clerk:{so.id}:1">(.*?)</tr>', page.text, flags=re.S)
    assert row
    assert "Sở Tư pháp" in row.group(1)
    assert "cả đơn vị cấp dưới" in row.group(1)

    response = await submit_form(c, url, f"{GRANTS}/revoke", {})
    assert response.status_code == 303
    assert await grants_of(in_tenant, tenant, lan.user_id) == set()
    page = await c.get(url, headers=HTML)
    assert "Đã thu hồi vai trò Văn thư của lan." in page.text


async def test_grant_tenant_wide(page_client, admin, account, tenant, in_tenant):
    lan = await account(tenant, "lan", role=None)
    c = await page_client(admin)
    url = f"{GRANTS}?user_id={lan.user_id}"
    data = {"role_key": "leader", "unit_id": "", "descendants": "on"}
    response = await submit_form(c, url, GRANTS, data)
    assert response.status_code == 303
    assert await grants_of(in_tenant, tenant, lan.user_id) == {("leader", None, False)}
    page = await c.get(url, headers=HTML)
    row = re.search(r'<tr data-grant="leader::0">(.*?)</tr>', page.text, flags=re.S)
    assert row
    assert "Toàn bộ đơn vị sử dụng" in row.group(1)
    # The same grant again changes nothing and says so.
    response = await submit_form(c, url, GRANTS, data)
    assert response.status_code == 303
    assert "đã có vai trò Lãnh đạo" in (await c.get(url, headers=HTML)).text


async def test_a_grant_without_a_role_is_refused_with_the_values_kept(
    page_client, admin, account, tenant, in_tenant
):
    so, _phong, _other = await make_units(in_tenant, tenant)
    lan = await account(tenant, "lan", role=None)
    c = await page_client(admin)
    url = f"{GRANTS}?user_id={lan.user_id}"
    data = {"role_key": "", "unit_id": str(so.id), "descendants": "on"}
    response = await submit_form(c, url, GRANTS, data)
    assert response.status_code == 422
    assert 'data-field-error="role_key"' in response.text
    assert f'<option value="{so.id}" selected>' in response.text
    assert (
        'id="f-descendants" name="descendants" type="checkbox" value="on" checked' in response.text
    )
    response = await submit_form(c, url, GRANTS, {**data, "role_key": "no_such_role"})
    assert response.status_code == 422
    assert "Vai trò này không tồn tại." in response.text
    assert await grants_of(in_tenant, tenant, lan.user_id) == set()


async def test_a_stale_form_grants_nothing(page_client, admin, account, tenant, in_tenant):
    lan = await account(tenant, "lan", role=None)
    c = await page_client(admin)
    url = f"{GRANTS}?user_id={lan.user_id}"
    page = await c.get(url, headers=HTML)
    data = {**hidden_fields(page.text, GRANTS), "csrf_token": "forged", "role_key": "clerk"}
    response = await c.post(GRANTS, data=data, headers=HTML)
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    assert '<option value="clerk" selected>' in response.text
    assert await grants_of(in_tenant, tenant, lan.user_id) == set()


async def test_a_double_submit_grants_once(page_client, admin, account, tenant, in_tenant):
    from core.audit.models import AuditEvent

    lan = await account(tenant, "lan", role=None)
    c = await page_client(admin)
    url = f"{GRANTS}?user_id={lan.user_id}"
    page = await c.get(url, headers=HTML)
    data = {**hidden_fields(page.text, GRANTS), "role_key": "clerk", "unit_id": ""}
    first = await c.post(GRANTS, data=data, headers=HTML)
    second = await c.post(GRANTS, data=data, headers=HTML)
    assert first.status_code == second.status_code == 303
    assert "Biểu mẫu này đã được gửi." in (await c.get(url, headers=HTML)).text
    count = await in_tenant(
        tenant, lambda: AuditEvent.filter(action="grant.add", object_id=str(lan.user_id)).count()
    )
    assert count == 1


async def test_a_unit_admin_grants_only_inside_their_scope(page_client, account, tenant, in_tenant):
    so, phong, other = await make_units(in_tenant, tenant)
    manager = await account(tenant, "quan", role="unit_admin", unit_id=so.id, descendants=True)
    lan = await account(tenant, "lan", role=None)
    c = await page_client(manager)
    url = f"{GRANTS}?user_id={lan.user_id}"
    page = await c.get(url, headers=HTML)
    assert page.status_code == 200
    assert f'<option value="{phong.id}"' in page.text
    assert f'<option value="{other.id}"' not in page.text  # outside the manager's scope
    assert "(Toàn bộ đơn vị sử dụng)" not in page.text
    response = await submit_form(c, url, GRANTS, {"role_key": "clerk", "unit_id": str(phong.id)})
    assert response.status_code == 303
    response = await submit_form(c, url, GRANTS, {"role_key": "clerk", "unit_id": str(other.id)})
    assert response.status_code == 403
    assert "core.grants.manage" in response.text
    response = await submit_form(c, url, GRANTS, {"role_key": "clerk", "unit_id": ""})
    assert response.status_code == 403
    assert await grants_of(in_tenant, tenant, lan.user_id) == {("clerk", phong.id, False)}


async def test_a_clerk_may_not_manage_grants(page_client, account, tenant, in_tenant):
    clerk = await account(tenant, "lan", role="clerk")
    c = await page_client(clerk)
    page = await c.get(GRANTS, headers=HTML)
    assert page.status_code == 403
    assert 'data-testid="missing-permission">core.grants.manage<' in page.text
    home = await c.get("/", headers=HTML)
    data = {"csrf_token": csrf_of(home.text), "user_id": str(clerk.user_id), "role_key": "leader"}
    response = await c.post(GRANTS, data=data, headers=HTML)
    assert response.status_code == 403
    assert 'data-testid="missing-permission">core.grants.manage<' in response.text
    assert await grants_of(in_tenant, tenant, clerk.user_id) == {("clerk", None, False)}


async def test_another_tenants_user_or_unit_is_not_found(
    page_client, admin, other_admin, account, tenant, other_tenant, in_tenant
):
    from core.units.services import create_unit

    beta_unit = await in_tenant(other_tenant, lambda: create_unit("BU", "Đơn vị Beta"))
    lan = await account(tenant, "lan", role=None)
    c = await page_client(admin)
    page = await c.get(f"{GRANTS}?user_id={other_admin.user_id}", headers=HTML)
    assert page.status_code == 404
    assert (await c.get(f"{GRANTS}?user_id=abc", headers=HTML)).status_code == 404
    page = await c.get(f"{GRANTS}?user_id={lan.user_id}", headers=HTML)
    hidden = hidden_fields(page.text, GRANTS)
    foreign_user = {**hidden, "user_id": str(other_admin.user_id), "role_key": "clerk"}
    assert (await c.post(GRANTS, data=foreign_user, headers=HTML)).status_code == 404
    foreign_unit = {**hidden, "role_key": "clerk", "unit_id": str(beta_unit.id)}
    assert (await c.post(GRANTS, data=foreign_unit, headers=HTML)).status_code == 404
    revoke = {**hidden, "user_id": str(other_admin.user_id), "role_key": "tenant_admin"}
    assert (await c.post(f"{GRANTS}/revoke", data=revoke, headers=HTML)).status_code == 404
    assert await grants_of(in_tenant, tenant, lan.user_id) == set()
    assert ("tenant_admin", None, False) in await grants_of(
        in_tenant, other_tenant, other_admin.user_id
    )
