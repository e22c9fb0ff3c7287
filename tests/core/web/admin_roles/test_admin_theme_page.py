"""The theme page: the installed themes with the current one marked, picking another (the next
page renders with its stylesheet, the change is audited), unknown names, permissions, stale and
repeated forms."""

from __future__ import annotations

import re

import pytest

from core.testing_web import HTML, csrf_of, hidden_fields, sign_in_page, submit_form

URL = "/admin/theme"


def current_marked(page: str) -> list[str]:
    return re.findall(
        r'data-theme-choice="([^"]+)">(?:(?!data-theme-choice).)*?data-testid="current-theme"',
        page,
        flags=re.S,
    )


async def theme_of(tenant) -> str:
    from core.tenancy.services import get_tenant

    return (await get_tenant(tenant.slug)).theme


async def theme_changes(in_tenant, tenant) -> list[dict]:
    from core.audit.models import AuditEvent

    events = await in_tenant(tenant, lambda: AuditEvent.filter(action="tenant.update"))
    return [e.after for e in events]


async def test_the_page_lists_the_installed_themes_with_the_current_one_marked(page_client, admin):
    c = await page_client(admin)
    page = await c.get(URL, headers=HTML)
    assert page.status_code == 200
    assert 'data-theme-choice="default"' in page.text
    assert 'data-theme-choice="tinh-mau"' in page.text
    assert "Tỉnh Mẫu" in page.text
    assert "Mặc định" in page.text and "Default" not in page.text.split("<main", 1)[1]
    assert current_marked(page.text) == ["default"]
    assert 'value="default" checked' in page.text
    assert 'data-theme="default"' in page.text


async def test_picking_a_theme_restyles_the_next_page_and_is_audited(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    response = await submit_form(c, URL, URL, {"theme": "tinh-mau"})
    assert response.status_code == 303
    assert response.headers["location"] == URL
    assert await theme_of(tenant) == "tinh-mau"
    page = await c.get(URL, headers=HTML)
    assert 'data-theme="tinh-mau"' in page.text
    assert (
        '<link rel="stylesheet" href="/static/themes/tinh-mau/theme.css" data-theme="tinh-mau">'
        in page.text
    )
    assert "Đã đổi giao diện thành Tỉnh Mẫu." in page.text
    assert current_marked(page.text) == ["tinh-mau"]
    changes = await theme_changes(in_tenant, tenant)
    assert [after["theme"] for after in changes] == ["tinh-mau"]
    home = await c.get("/", headers=HTML)
    assert 'data-theme="tinh-mau"' in home.text


async def test_a_theme_that_is_not_installed_is_refused(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    for name in ("khong-co", "../default", ""):
        response = await submit_form(c, URL, URL, {"theme": name})
        assert response.status_code == 422, name
        assert 'data-field-error="theme"' in response.text
    assert (
        "Giao diện «khong-co» chưa được cài đặt"
        in (await submit_form(c, URL, URL, {"theme": "khong-co"})).text
    )
    assert await theme_of(tenant) == "default"
    assert await theme_changes(in_tenant, tenant) == []


async def test_a_stale_form_changes_nothing(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    page = await c.get(URL, headers=HTML)
    data = {**hidden_fields(page.text, URL), "csrf_token": "forged", "theme": "tinh-mau"}
    response = await c.post(URL, data=data, headers=HTML)
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    assert 'value="tinh-mau" checked' in response.text  # the choice is kept
    assert await theme_of(tenant) == "default"


async def test_a_double_submit_changes_the_theme_once(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    page = await c.get(URL, headers=HTML)
    data = {**hidden_fields(page.text, URL), "theme": "tinh-mau"}
    first = await c.post(URL, data=data, headers=HTML)
    second = await c.post(URL, data=data, headers=HTML)
    assert first.status_code == second.status_code == 303
    assert len(await theme_changes(in_tenant, tenant)) == 1
    # Choosing the theme in use saves nothing either.
    response = await submit_form(c, URL, URL, {"theme": "tinh-mau"})
    assert response.status_code == 303
    assert "Giao diện không thay đổi." in (await c.get(URL, headers=HTML)).text
    assert len(await theme_changes(in_tenant, tenant)) == 1


async def test_a_clerk_may_not_change_the_theme(page_client, account, tenant):
    clerk = await account(tenant, "lan", role="clerk")
    c = await page_client(clerk)
    page = await c.get(URL, headers=HTML)
    assert page.status_code == 403
    assert 'data-testid="missing-permission">core.settings.manage<' in page.text
    home = await c.get("/", headers=HTML)
    data = {"csrf_token": csrf_of(home.text), "theme": "tinh-mau"}
    assert (await c.post(URL, data=data, headers=HTML)).status_code == 403
    assert await theme_of(tenant) == "default"


async def test_one_tenants_theme_does_not_change_another(
    page_client, admin, other_admin, other_tenant
):
    c = await page_client(admin)
    assert (await submit_form(c, URL, URL, {"theme": "tinh-mau"})).status_code == 303
    assert await theme_of(other_tenant) == "default"
    other = await page_client(other_admin)
    assert 'data-theme="default"' in (await other.get(URL, headers=HTML)).text


@pytest.mark.postgres
async def test_the_theme_and_plugin_pages_work_under_row_level_security(
    pg_app, account, client, in_tenant
):
    from core.audit.models import AuditEvent

    app, alpha, beta = pg_app
    admin = await account(alpha, "admin")
    async with client(app, "alpha.localhost") as c:
        assert (await sign_in_page(c, admin.username)).status_code == 303
        assert (await submit_form(c, URL, URL, {"theme": "tinh-mau"})).status_code == 303
        assert 'data-theme="tinh-mau"' in (await c.get(URL, headers=HTML)).text
        action = "/admin/plugins/example/disable"
        assert (await submit_form(c, "/admin/plugins", action, {})).status_code == 303
        assert "example.notes" not in (await c.get("/", headers=HTML)).text
    assert await theme_of(alpha) == "tinh-mau"
    assert await theme_of(beta) == "default"
    actions = await in_tenant(alpha, lambda: AuditEvent.all().values_list("action", flat=True))
    assert {"tenant.update", "plugin.disable"} <= set(actions)
    assert await in_tenant(beta, lambda: AuditEvent.filter(action="tenant.update").count()) == 0
